"""iCalendar text for events: one VEVENT per event, and calendars (files and feeds) of them.

Everything a calendar client reads is derived from the event's fields; icalendar does the
escaping, folding and CRLFs, and its bytes are returned unchanged.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import icalendar
from icalendar import vDuration, vGeo

from portal.events.display import country_name, date_range
from portal.events.models import Event, EventFormat, EventLink, EventStatus, LinkKind, LinkState

# How often subscribers should poll (RFC 7986 REFRESH-INTERVAL, and Outlook's X-PUBLISHED-TTL).
REFRESH = timedelta(hours=6)

STATUS = {
    EventStatus.PUBLISHED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
    EventStatus.POSTPONED: "TENTATIVE",
}
LINK_NOUN = {LinkKind.SPONSOR: "Sponsorship", LinkKind.CFP: "Call for papers"}


@dataclass(frozen=True)
class Site:
    """What a calendar says about where it comes from."""

    name: str
    uid_domain: str  # UIDs are event-<id>@<uid_domain>: stable for as long as the site is
    event_url: Callable[[Event], str]


def uid(event: Event, site: Site) -> str:
    return f"event-{event.id}@{site.uid_domain}"


def location(event: Event) -> str:
    if event.format is EventFormat.VIRTUAL:
        return "Online"
    parts = [event.venue, event.street, event.city, event.region, country_name(event.country)]
    text = ", ".join(part for part in parts if part)
    return f"{text} and online" if event.format is EventFormat.HYBRID else text


def link_line(link: EventLink) -> str:
    """The link row as plain text that stays true whenever it is read: no 'now' in it."""
    tz = link.event.tz
    deadline = link.deadline and link.deadline.replace(tzinfo=UTC).astimezone(tz)
    until = f" until {deadline:%b %-d, %Y %H:%M} {deadline.tzname()}" if deadline else ""
    noun = LINK_NOUN.get(link.kind, link.kind.label)
    if link.state is LinkState.OPEN:
        return f"{link.kind.label}{until}: {link.url}" if link.url else f"{noun} open{until}"
    if link.state is LinkState.COMING_SOON:
        return f"{noun} coming soon"
    return f"{noun} {link.state.label.lower()}"


def description(event: Event, page_url: str) -> str:
    lines = [event.summary] if event.summary else []
    if event.colocated_name:
        when = ""
        if event.colocated_starts_on:
            last = event.colocated_ends_on or event.colocated_starts_on
            when = f" ({date_range(event.colocated_starts_on, last)})"
        lines.append(f"Co-located with {event.colocated_name}{when}.")
    if event.links:
        lines.append("")
        lines.extend(link_line(link) for link in event.links)
    lines += ["", f"Details: {page_url}"]
    return "\n".join(lines).strip()


def vevent(event: Event, site: Site) -> icalendar.Event:
    page = site.event_url(event)
    stamp = event.updated_at.replace(tzinfo=UTC)
    if event.is_all_day:
        # DTEND;VALUE=DATE is exclusive: March 6-7 ends on March 8.
        start: date | datetime = event.starts_on
        end: date | datetime = event.ends_on + timedelta(days=1)
    else:
        start, end = event.local_start, event.local_end
    summary = event.title
    if event.status is EventStatus.CANCELLED:
        summary = f"Cancelled: {summary}"
    elif event.status is EventStatus.POSTPONED:
        summary = f"Postponed: {summary}"
    component = icalendar.Event.new(
        uid=uid(event, site),
        stamp=stamp,  # the last revision: a feed's bytes must not change between fetches
        last_modified=stamp,
        created=event.created_at.replace(tzinfo=UTC),
        sequence=event.sequence,
        status=STATUS.get(event.status, "CONFIRMED"),
        summary=summary,
        description=description(event, page),
        location=location(event),
        url=page,
        start=start,
        end=end,
        categories=[project.name for project in event.projects] + [event.kind.label],
        transparency="TRANSPARENT",
    )
    if event.latitude is not None and event.longitude is not None:
        component.add("geo", vGeo((event.latitude, event.longitude)))
    return component


def calendar(events: Sequence[Event], site: Site, name: str, source: str | None = None) -> bytes:
    """A whole iCalendar file, with the VTIMEZONEs its events use, bounded to their span."""
    cal = icalendar.Calendar.new(
        # Without a uid, Calendar.new invents a random one and every fetch would differ.
        uid=str(uuid.uuid5(uuid.NAMESPACE_URL, source or f"{site.uid_domain}/{name}")),
        prodid=f"-//{site.name}//Events portal//EN",
        name=name,
        calscale="GREGORIAN",
        method="PUBLISH",
        url=source,
        source=source,
    )
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    zone = dominant_zone(events)
    if zone:
        cal.add("x-wr-timezone", zone)
    for event in events:
        cal.add_component(vevent(event, site))
    if events:
        first = min(event.starts_on for event in events) - timedelta(days=1)
        last = max(event.ends_on for event in events) + timedelta(days=2)
        cal.add_missing_timezones(first, last)
    return cal.to_ical()


def dominant_zone(events: Sequence[Event]) -> str | None:
    """The zone of more than half the events, which clients may take as the calendar's own."""
    if not events:
        return None
    zone, count = Counter(event.timezone for event in events).most_common(1)[0]
    return zone if count * 2 > len(events) else None
