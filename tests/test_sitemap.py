"""/sitemap.xml lists exactly the public pages; /robots.txt keeps the back office and the
API's cursors out; the icons exist and every page names them."""

from __future__ import annotations

import io
from xml.etree import ElementTree as ET

from PIL import Image
from sqlalchemy import select

from portal.events.models import PUBLIC_STATUSES, Event, EventStatus
from portal.extensions import db

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
BASE = "http://portal.test"


def sitemap_locations(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    root = ET.fromstring(response.data)  # our own document
    return {
        url.findtext("s:loc", namespaces=NS): url.findtext("s:lastmod", namespaces=NS)
        for url in root.findall("s:url", NS)
    }


def test_the_sitemap_lists_exactly_the_public_pages(client, seeded, make_event, frozen_now):
    make_event(slug="a-draft", status=EventStatus.DRAFT)
    make_event(slug="called-off", status=EventStatus.CANCELLED)
    found = sitemap_locations(client)
    public = db.session.scalars(select(Event.slug).where(Event.status.in_(PUBLIC_STATUSES)))
    expected = {f"{BASE}{path}" for path in ("/", "/events", "/events?past=1", "/events/month",
                                              "/membership")}  # fmt: skip
    expected |= {f"{BASE}/events/{slug}" for slug in public}
    assert set(found) == expected
    assert f"{BASE}/events/a-draft" not in found and f"{BASE}/events/called-off" in found
    assert found[f"{BASE}/events/openinfra-days-north-america-2025"]
    for location in found:  # and each is a page a visitor gets
        response = client.get(location.removeprefix(BASE))
        assert response.status_code == 200, location
        assert response.mimetype == "text/html"


def test_robots_keeps_the_back_office_and_cursors_out(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "Disallow: /staff/" in lines
    assert "Disallow: /api/*cursor=" in lines
    assert f"Sitemap: {BASE}/sitemap.xml" in lines


def test_the_icons_exist_and_every_page_names_them(client, seeded, frozen_now):
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.headers["ETag"].startswith('"')
    with Image.open(io.BytesIO(favicon.data)) as image:
        assert image.format == "ICO"
    touch = client.get("/apple-touch-icon.png")
    with Image.open(io.BytesIO(touch.data)) as image:
        assert (image.format, image.size) == ("PNG", (180, 180))
    for path in ("/", "/events", "/membership", "/events/openinfra-days-north-america-2025"):
        page = client.get(path).get_data(as_text=True)
        assert '<link rel="icon" href="/favicon.ico"' in page
        assert '<link rel="apple-touch-icon" href="/apple-touch-icon.png">' in page
