"""iCalendar text for events: one VEVENT per event, and calendars (files and feeds) of them.

Everything a calendar client reads is derived from the event's fields; icalendar does the
escaping, folding and CRLFs, and its bytes are returned unchanged.
"""

from __future__ import annotations

import uuid
from collections import Counter, OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from threading import Lock

import icalendar
from babel.dates import format_skeleton
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import vDuration, vGeo, vText
from sqlalchemy import inspect as sa_inspect

from portal.calendar import zones
from portal.core.countries import country_name
from portal.core.i18n import locale
from portal.events.display import calendar_title, date_range
from portal.events.models import Event, EventFormat, EventLink, EventStatus, LinkKind, LinkState
from portal.events.words import label

# How often subscribers should poll (RFC 7986 REFRESH-INTERVAL, and Outlook's X-PUBLISHED-TTL).
REFRESH = timedelta(hours=6)

STATUS = {
    EventStatus.PUBLISHED: icalendar.STATUS.CONFIRMED,
    EventStatus.CANCELLED: icalendar.STATUS.CANCELLED,
    EventStatus.POSTPONED: icalendar.STATUS.TENTATIVE,
}
HALTED = (EventStatus.CANCELLED, EventStatus.POSTPONED)  # no link of theirs invites anyone
LINK_NOUN = {LinkKind.SPONSOR: _l("Sponsorship"), LinkKind.CFP: _l("Call for papers")}


@dataclass(frozen=True)
class Site:
    """What a calendar says about where it comes from."""

    name: str
    uid_domain: str  # of the UIDs of events stored without one (events/uids.py)
    base: str  # the address pages are served at; event_url builds on it
    event_url: Callable[[Event], str]


def uid(event: Event, site: Site) -> str:
    """The event's stored UID; a row the release before 0014 wrote has none yet, and is named
    as that release named it (and as the migration named the events it found)."""
    return event.uid or f"event-{event.id}@{site.uid_domain}"


def location(event: Event) -> str:
    if event.format is EventFormat.VIRTUAL:
        return _("Online")
    parts = [event.venue, event.street, event.city, event.region, country_name(event.country)]
    text = ", ".join(part for part in parts if part)
    return _("%(place)s and online", place=text) if event.format is EventFormat.HYBRID else text


def absolute(url: str, base: str) -> str:
    """Links may be paths on this site; calendar clients need the whole address."""
    return base.rstrip("/") + url if url.startswith("/") else url


def link_line(link: EventLink, base: str) -> str:
    """The link row as plain text that stays true whenever it is read: no 'now' in it."""
    tz = link.event.tz
    deadline = link.deadline and link.deadline.replace(tzinfo=UTC).astimezone(tz)
    language = locale()
    when = deadline and " ".join(
        (
            format_skeleton("yMMMd", deadline, locale=language),
            format_skeleton("Hm", deadline, locale=language),
            deadline.tzname() or "",
        )
    )
    noun = str(LINK_NOUN.get(link.kind, label(link.kind)))
    if link.kind is not LinkKind.SCHEDULE and link.event.status in HALTED:
        noun = _("Registration") if link.kind is LinkKind.REGISTER else noun
        if link.event.status is EventStatus.CANCELLED:
            return _("%(noun)s closed: the event is cancelled", noun=noun)
        return _("%(noun)s closed: the event is postponed", noun=noun)
    if link.state is LinkState.OPEN:
        if link.url:
            url = absolute(link.url, base)
            if when:
                return _(
                    "%(link)s until %(when)s: %(url)s", link=label(link.kind), when=when, url=url
                )
            return f"{label(link.kind)}: {url}"
        if when:
            return _("%(noun)s open until %(when)s", noun=noun, when=when)
        return _("%(noun)s open", noun=noun)
    if link.state is LinkState.COMING_SOON:
        return _("%(noun)s coming soon", noun=noun)
    if link.state is LinkState.SOLD_OUT:
        return _("%(noun)s sold out", noun=noun)
    return _("%(noun)s closed", noun=noun)


def description(event: Event, page_url: str, base: str, sponsors: Sequence[str] = ()) -> str:
    lines = [event.summary] if event.summary else []
    if event.status in HALTED and event.status_reason:
        lines.append(f"{label(event.status)}: {event.status_reason}")
    if not event.shows_dates:
        lines.append(_("New dates to be announced."))
    elif event.dates_to_be_confirmed and not event.is_cancelled:
        lines.append(_("Dates to be confirmed."))
    if event.colocated_name:
        if event.colocated_starts_on:
            last = event.colocated_ends_on or event.colocated_starts_on
            dates = date_range(event.colocated_starts_on, last)
            lines.append(
                _("Co-located with %(name)s (%(dates)s).", name=event.colocated_name, dates=dates)
            )
        else:
            lines.append(_("Co-located with %(name)s.", name=event.colocated_name))
    if event.links:
        lines.append("")
        lines.extend(link_line(link, base) for link in event.links)
    if sponsors:
        lines += ["", _("Sponsors: %(names)s", names=", ".join(sponsors))]
    lines += ["", _("Details: %(url)s", url=page_url)]
    return "\n".join(lines).strip()


def unambiguous(moment: datetime) -> datetime:
    """A local time the clocks show twice (the hour repeated when they go back) in UTC, the
    pass the event means (its fold): readers differ on which they take of a
    DTSTART;TZID=... that names it."""
    if moment.replace(fold=1).utcoffset() != moment.replace(fold=0).utcoffset():
        return moment.astimezone(UTC)
    return moment


def vevent(event: Event, site: Site, sponsors: Sequence[str] = ()) -> icalendar.Event:
    page = site.event_url(event)
    stamp = event.updated_at.replace(tzinfo=UTC)
    if event.is_all_day:
        # DTEND;VALUE=DATE is exclusive: March 6-7 ends on March 8.
        start: date | datetime = event.starts_on
        end: date | datetime = event.ends_on + timedelta(days=1)
    else:
        start, end = unambiguous(event.local_start), unambiguous(event.local_end)
    summary = calendar_title(event)
    component = icalendar.Event.new(
        uid=uid(event, site),
        stamp=stamp,  # the last revision: a feed's bytes must not change between fetches
        last_modified=stamp,
        created=event.created_at.replace(tzinfo=UTC),
        sequence=event.sequence,
        status=(
            icalendar.STATUS.TENTATIVE
            if event.is_tentative
            else STATUS.get(event.status, icalendar.STATUS.CONFIRMED)
        ),
        summary=summary,
        description=description(event, page, site.base, sponsors),
        location=location(event),
        url=page,
        start=start,
        end=end,
        categories=[project.name for project in event.projects] + [event.kind.label],
        transparency=icalendar.TRANSP.TRANSPARENT,
    )
    if event.latitude is not None and event.longitude is not None:
        component.add("geo", vGeo((event.latitude, event.longitude)))
    return component


END = b"END:VCALENDAR\r\n"


def calendar(
    events: Sequence[Event],
    site: Site,
    name: str,
    source: str | None = None,
    sponsors: Mapping[int, Sequence[str]] | None = None,
) -> bytes:
    """A whole iCalendar file, with the VTIMEZONEs its timed events use, bounded to the years
    they span. `sponsors`: the names of each event's sponsors (by event id), which its
    DESCRIPTION lists.

    icalendar renders every part; the parts are kept between renderings (an event's VEVENT
    until it changes, a zone's VTIMEZONE for good) and joined in order, so a feed of hundreds
    of events is rebuilt after a change by rendering only what changed.
    """
    cal = icalendar.Calendar.new(
        # Without a uid, Calendar.new invents a random one and every fetch would differ.
        uid=str(uuid.uuid5(uuid.NAMESPACE_URL, source or f"{site.uid_domain}/{name}")),
        prodid=f"-//{site.name}//Events portal//EN",
        calscale="GREGORIAN",
        # No METHOD: METHOD:PUBLISH makes a file an iTIP message (RFC 5546), which must have an
        # ORGANIZER (libical: "Expected 1 ORGANIZER"), and an ORGANIZER makes clients offer
        # replies or mail someone. A feed and a download are plain RFC 5545 calendars, which
        # every client subscribes to or imports without METHOD.
        url=source,
        source=source,
    )
    # NAME and X-WR-CALNAME are TEXT: escaped (`,;\` and line breaks), which Calendar.new's
    # calendar_name does not do.
    cal.add("name", vText(name))
    cal.add("x-wr-calname", vText(name))
    cal.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(REFRESH))
    zone = dominant_zone(events)
    if zone:
        cal.add("x-wr-timezone", zone)
    head = cal.to_ical()
    if not head.endswith(END):  # icalendar's output, which the parts below are spliced into
        raise ValueError("A calendar's text does not end with END:VCALENDAR.")
    parts = [head[: -len(END)]]
    tzids = sorted({e.timezone for e in events if not e.is_all_day} - UTC_NAMES)
    if tzids:
        first = min(event.starts_on for event in events).year
        last = max(event.ends_on for event in events).year + 1
        parts += [zones.vtimezone(tzid, first, last) for tzid in tzids]
    named = sponsors or {}
    parts += [_vevent_bytes(event, site, tuple(named.get(event.id, ()))) for event in events]
    if not events:
        # RFC 5545 wants at least one component. UTC's VTIMEZONE is valid (an observance with
        # its DTSTART and offsets), shows nothing in any client and means what it says.
        parts.append(EMPTY_FEED_ZONE)
    parts.append(END)
    return b"".join(parts)


UTC_NAMES = {"UTC", "Etc/UTC"}  # written as ...Z: no VTIMEZONE needed
EMPTY_FEED_ZONE = (
    b"BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
    b"TZNAME:UTC\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\n"
    b"END:VTIMEZONE\r\n"
)


class _VeventCache:
    """VEVENT bytes by everything they are made of: the key is the event's content, so an
    entry can never be stale, and hashing it costs a fraction of rendering it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = Lock()

    def get_or_render(self, key: tuple, render: Callable[[], bytes]) -> bytes:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
        rendered = render()
        with self._lock:
            self._entries[key] = rendered
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return rendered


_vevents = _VeventCache(size=20_000)


# Every column a VEVENT may be written from; the titles in other languages are not (a feed
# keeps the English title), and a dict could not be in a key anyway.
_COLUMNS = tuple(attr.key for attr in sa_inspect(Event).column_attrs if attr.key != "localized")


def _vevent_bytes(event: Event, site: Site, sponsors: tuple[str, ...] = ()) -> bytes:
    key = (
        tuple(getattr(event, name) for name in _COLUMNS),
        tuple((k.kind, k.state, k.url, k.deadline, k.position) for k in event.links),
        tuple(project.name for project in event.projects),
        site.name,
        site.uid_domain,
        site.base,
        sponsors,
        locale(),  # the texts the portal adds are in the feed's language
    )
    return _vevents.get_or_render(key, lambda: vevent(event, site, sponsors).to_ical())


def dominant_zone(events: Sequence[Event]) -> str | None:
    """The zone of more than half the events, which clients may take as the calendar's own."""
    if not events:
        return None
    zone, count = Counter(event.timezone for event in events).most_common(1)[0]
    return zone if count * 2 > len(events) else None
