"""For search engines and browsers: the sitemap of the public pages, robots.txt, and the
portal's icons (drawn once per process with Pillow)."""

from __future__ import annotations

import functools
import io
from datetime import UTC
from xml.etree import ElementTree as ET  # nosec B405 (writes XML, parses none)

from PIL import Image, ImageDraw

from portal.core.urls import external_url
from portal.events.queries import public_event_pages

SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
# The lists a visitor reaches from the navigation; the API, feeds and the back office are not
# pages for a search engine.
LISTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("events.home", {}),
    ("events.index", {}),
    ("events.index", {"past": "1"}),
    ("events.month", {}),
    ("inquiries.membership", {}),
)
BRAND = (218, 26, 50)  # the foundation's red


def sitemap() -> bytes:
    """Every public page (sitemaps.org 0.9): the lists and membership, then each public
    event's page with the day it last changed."""
    ET.register_namespace("", SITEMAP)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")

    def add(location: str, lastmod: str | None = None) -> None:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = location
        if lastmod:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = lastmod

    for endpoint, args in LISTS:
        add(external_url(endpoint, **args))
    for slug, updated in public_event_pages():
        add(external_url("events.detail", slug=slug), updated.replace(tzinfo=UTC).isoformat())
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True)


def robots() -> str:
    """The back office and the API's cursors (endless pages of the same events) kept out."""
    return "\n".join(
        [
            "User-agent: *",
            "Disallow: /staff/",
            "Disallow: /api/*cursor=",
            "Allow: /",
            f"Sitemap: {external_url('publish.sitemap')}",
            "",
        ]
    )


@functools.cache
def icon(size: int) -> Image.Image:
    """The portal's mark: a white calendar page on the brand's red."""
    image = Image.new("RGBA", (size, size), (*BRAND, 255))
    draw = ImageDraw.Draw(image)
    unit = size / 16
    draw.rounded_rectangle(
        (3 * unit, 4 * unit, 13 * unit, 13 * unit), radius=unit, fill=(255, 255, 255, 255)
    )
    draw.rectangle((3 * unit, 4 * unit, 13 * unit, 6.5 * unit), fill=(40, 40, 40, 255))
    for x in (5, 10):
        draw.rectangle((x * unit, 2.5 * unit, (x + 1) * unit, 5 * unit), fill=(40, 40, 40, 255))
    return image


@functools.cache
def favicon() -> bytes:
    out = io.BytesIO()
    icon(64).save(out, format="ICO", sizes=[(16, 16), (32, 32), (48, 48)])
    return out.getvalue()


@functools.cache
def touch_icon() -> bytes:
    out = io.BytesIO()
    # iOS puts its own corners on it; the icon is opaque, as Apple asks.
    icon(180).convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()
