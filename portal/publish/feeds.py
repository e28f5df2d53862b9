"""`/events.atom`: the catalogue's changes as an Atom feed (RFC 4287), newest first, for feed
readers, newsletters and planets. Each entry's id is a `tag:` URI (RFC 4151) from the event's
id and a host that is not the request's, so a reader that fetched the feed through another
address or a proxy sees the same entries."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode, urlsplit
from xml.etree import ElementTree as ET  # nosec B405 (writes XML, parses none)

from flask import current_app
from flask_babel import gettext as _

from portal.calendar.feeds import FILTER_KEYS, charge_render, feed_name, normal_filter
from portal.core.pages import CALENDARS, Policy
from portal.core.urls import external_url
from portal.core.version import catalogue_state
from portal.events import display
from portal.events.models import Event, EventFormat, EventStatus
from portal.events.queries import EventQuery, recently_changed
from portal.events.words import label

ATOM = "http://www.w3.org/2005/Atom"
MAX_ENTRIES = 50
# The year in every tag: URI; it never changes, or every entry would look new.
TAG_DATE = "2025"
ATOM_POLICY = Policy(
    args=(*FILTER_KEYS, "past"),
    normalise=normal_filter,
    store=CALENDARS,
    shared=True,
    max_age=15 * 60,
    on_miss=charge_render,
    compress=True,
)


def tag_authority() -> str:
    """PORTAL_BASE_URL's host, else the organiser's (never the request's Host)."""
    config = current_app.config
    for url in (config.get("BASE_URL"), config["ORGANIZER_URL"]):
        host = urlsplit(url or "").hostname
        if host:
            return host
    return "portal.invalid"


def entry_id(event: Event) -> str:
    return f"tag:{tag_authority()},{TAG_DATE}:event:{event.id}"


def utc(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).isoformat() if moment.tzinfo is None else moment.isoformat()


def entry_summary(event: Event) -> str:
    """'6–7 March 2025 · Pasadena, CA, United States · Cancelled. The summary.'"""
    where = display.place(event) if event.format is not EventFormat.VIRTUAL else _("Online")
    parts = [display.event_when(event, long=True), where]
    if event.status is not EventStatus.PUBLISHED:
        parts.append(label(event.status))
    text = " · ".join(part for part in parts if part)
    return f"{text}. {event.summary}" if event.summary else text


def sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
    if text is not None:
        element.text = text
    return element


def render_atom(query: EventQuery, filters: dict[str, str], now: datetime) -> bytes:
    """The feed of the events `query` selects, the latest changed first."""
    events = recently_changed(query, now, MAX_ENTRIES)
    _version, changed_at = catalogue_state()
    config = current_app.config
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    suffix = f"?{urlencode(filters)}" if filters else ""
    sub(feed, "id", f"tag:{tag_authority()},{TAG_DATE}:events{suffix}")
    title = feed_name(query)
    sub(feed, "title", _("%(feed)s (past)", feed=title) if query.past else title)
    latest = max((e.updated_at for e in events), default=changed_at.replace(tzinfo=None))
    sub(feed, "updated", utc(latest))
    author = sub(feed, "author")
    sub(author, "name", config["ORGANIZER_NAME"])
    sub(author, "uri", config["ORGANIZER_URL"])
    sub(feed, "link", rel="self", type="application/atom+xml",
        href=external_url("publish.atom", **filters))  # fmt: skip
    sub(feed, "link", rel="alternate", type="text/html",
        href=external_url("events.index", **filters))  # fmt: skip
    sub(feed, "generator", config["SITE_NAME"])
    for event in events:
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(event))
        title = (
            event.title if not event.is_cancelled else _("Cancelled: %(title)s", title=event.title)
        )
        sub(entry, "title", title)
        sub(entry, "updated", utc(event.updated_at))
        sub(entry, "published", utc(event.created_at))
        # Readers (feedparser among them) do not give entries the feed's author.
        sub(sub(entry, "author"), "name", config["ORGANIZER_NAME"])
        url = external_url("events.detail", slug=event.slug)
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "link", rel="enclosure", type="text/calendar",
            href=external_url("calendar.event", slug=event.slug))  # fmt: skip
        for project in event.projects:
            sub(entry, "category", term=project.slug, label=project.name)
        sub(entry, "summary", entry_summary(event), type="text")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
