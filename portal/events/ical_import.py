"""Reading events from an iCalendar file: what each VEVENT would become, and why some cannot.

Nothing here writes; `read` says what an import would do and operations.import_events does it.
Real files are read as their producers write them: the rules each shape follows are in the
functions below, and every guess a row needed is one of its notes, shown in the preview.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
import x_wr_timezone
from flask import current_app, has_request_context, request
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON
from sqlalchemy import select

from portal.events.display import country_code
from portal.events.models import (
    Event,
    EventFormat,
    EventKind,
    EventStatus,
    LinkKind,
    LinkState,
    Project,
    fold,
)
from portal.events.rules import LinkValues, event_errors, is_http_url, is_timezone, timezones
from portal.extensions import db

MAX_SUMMARY = 500
# Our own feeds mark these in SUMMARY (see calendar/ics.py); an import takes them off again.
STATUS_PREFIXES = {"CANCELLED": "Cancelled: ", "TENTATIVE": "Postponed: "}
CANCELLED_MARK = "Cancelled in the source calendar."
# Repeating events are expanded from a year back to two years ahead, at most this many
# occurrences a series.
WINDOW_BACK, WINDOW_AHEAD = timedelta(days=365), timedelta(days=730)
MAX_OCCURRENCES = 500
# Components the portal does not import: dropped before parsing, so a broken VALARM or VTODO
# cannot reject the file.
IGNORED = {"VALARM", "VTODO", "VJOURNAL", "VFREEBUSY", "VAVAILABILITY", "AVAILABLE", "VPOLL"}
# Properties a VEVENT may have more than once; of any other, the first is used.
REPEATABLE = {"CATEGORIES", "RDATE", "EXDATE", "ATTACH", "COMMENT", "CONTACT", "ATTENDEE",
              "RELATED-TO", "RESOURCES", "REQUEST-STATUS", "CONFERENCE", "IMAGE"}  # fmt: skip
MEETING_PROPERTIES = ("CONFERENCE", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL",
                      "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
                      "X-MICROSOFT-ONLINEMEETINGCONFLINK")  # fmt: skip
ONLINE_WORDS = ("online", "virtual", "online event", "zoom", "microsoft teams meeting",
                "microsoft teams", "teams", "google meet", "jitsi", "webex", "webinar")  # fmt: skip
URL_IN_TEXT = re.compile(r"https?://[^\s,;<>\"]+", re.IGNORECASE)
PROPERTY_LINE = re.compile(r"[A-Za-z0-9-]+[;:]")
POSTCODE = re.compile(
    r"\b(?:\d{4,6}(?:-\d{4})?|\d{4} ?[A-Z]{2}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|"
    r"[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{3}-\d{4}|\d{2}-\d{3})\b"
)
US_REGION_ZIP = re.compile(r"([A-Z]{2})\s+\d{5}(?:-\d{4})?")


class UnreadableCalendar(ValueError):
    """The file is not iCalendar at all."""


@dataclass
class ImportRow:
    uid: str
    title: str
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # why it cannot be imported
    notes: list[str] = field(default_factory=list)  # what was guessed
    cancelled: bool = False
    postponed: bool = False
    action: str = ""  # create, update or skip, once planned
    event_id: int | None = None
    source_uid: str = ""  # the UID in the file; `uid` adds the occurrence of a series
    occurrence: bool = False  # one of a repeating event's occurrences
    own: bool = False  # an event of this portal's own feed
    outcome: str = ""  # created, updated, unchanged or skipped, once imported
    slug: str = ""

    @property
    def is_skipped(self) -> bool:
        return self.action == "skip"

    @property
    def is_virtual(self) -> bool:
        return self.values.get("format") is EventFormat.VIRTUAL

    @property
    def when(self) -> str:
        first, last = self.values.get("starts_on"), self.values.get("ends_on")
        if first is None:
            return ""
        return first.isoformat() if first == last else f"{first.isoformat()} – {last.isoformat()}"

    @property
    def reason(self) -> str:
        return " ".join(self.problems)


@dataclass
class Reading:
    """What a file holds: its rows, what was guessed about the whole file, and the window
    repeating events were expanded in."""

    rows: list[ImportRow]
    notes: list[str] = field(default_factory=list)
    window: tuple[date, date] | None = None
    series: int = 0  # repeating events expanded


def parse(data: bytes, projects: list[Project] | None = None) -> list[ImportRow]:
    return read(data, projects).rows


def read(
    data: bytes, projects: list[Project] | None = None, now: datetime | None = None
) -> Reading:
    text, notes = decode(data)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except (ValueError, IndexError, KeyError) as error:
        raise UnreadableCalendar(f"This is not an iCalendar file ({error}).") from None
    if not calendars:
        raise UnreadableCalendar("This file holds no calendar.")
    now = now or datetime.now(UTC)
    window = ((now - WINDOW_BACK).date(), (now + WINDOW_AHEAD).date())
    reading = Reading(rows=[], notes=notes, window=window)
    by_name = {project.name.casefold(): project for project in projects or []}
    domain = own_uid_domain()
    for calendar in calendars:
        _read_calendar(calendar, reading, by_name, domain)
    return reading


def decode(data: bytes) -> tuple[str, list[str]]:
    """The file's text, with CRLF line ends, unfolded, and without the components the
    portal ignores; and what was guessed to get it."""
    notes = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
                notes.append("The file is not UTF-8: its text was read as Windows-1252 (Latin-1).")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
                notes.append("The file is not UTF-8: its text was read as Latin-1.")
    text = text.lstrip("\ufeff")
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += line[1:]  # a folded line
        elif not line.strip():
            continue
        elif PROPERTY_LINE.match(line) or not lines:
            lines.append(line)
        else:
            # A line break written raw inside a value (some producers do not escape them).
            lines[-1] += "\\n" + line
    kept, skipping = [], 0
    for line in lines:
        name, _, value = line.partition(":")
        upper = value.strip().upper()
        if name.upper() == "BEGIN" and (skipping or upper in IGNORED):
            skipping += 1
        elif name.upper() == "END" and skipping:
            skipping -= 1
        elif not skipping:
            kept.append(line)
    return "\r\n".join(kept) + "\r\n", notes


def own_uid_domain() -> str | None:
    """The host of this portal's own UIDs (event-<id>@<host>), as the feed writes them."""
    base = current_app.config.get("BASE_URL")
    if base:
        return urlsplit(base).hostname
    if has_request_context():
        return request.host.split(":")[0]
    server = current_app.config.get("SERVER_NAME")
    return server.split(":")[0] if server else None  # else no UID is taken for our own


def _calendar_zone(calendar: icalendar.Calendar, reading: Reading) -> str | None:
    name = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if not name:
        return None
    zone = iana_name(name)
    if zone is None:
        reading.notes.append(f"The calendar's zone {name!r} is not one we know: UTC was used.")
    elif zone != name:
        reading.notes.append(f"The calendar's zone {name!r} was read as {zone}.")
    return zone


def iana_name(name: str) -> str | None:
    """An IANA zone name for a TZID: itself, or a Windows/Outlook name's IANA zone."""
    name = name.strip().strip('"')
    if is_timezone(name):
        return name
    mapped = WINDOWS_TO_OLSON.get(name)
    if mapped and is_timezone(mapped):
        return mapped
    # Some producers write "/mozilla.org/20050126_1/Europe/Berlin" or a prefix before the name.
    for start in range(1, name.count("/") + 1):
        tail = name.split("/", start)[-1]
        if is_timezone(tail):
            return tail
    return None


def _read_calendar(calendar, reading: Reading, projects: dict, domain: str | None) -> None:
    zone = _calendar_zone(calendar, reading)
    original = calendar.walk("VEVENT")
    floating = [_is_floating(component) for component in original]
    if zone:
        # Floating times mean the calendar's zone (Google and Apple read them so).
        calendar["X-WR-TIMEZONE"] = zone
        try:
            calendar = x_wr_timezone.to_standard(calendar)
        except Exception as error:  # a file the libraries cannot convert
            reading.notes.append(f"The calendar's zone could not be applied ({error}).")
    components = calendar.walk("VEVENT")
    if len(components) != len(original):
        floating = [False] * len(components)
    day_zone = zone or "UTC"
    masters = {
        str(_first(c, "UID") or "")
        for c in components
        if (c.get("RRULE") or c.get("RDATE")) and not c.get("RECURRENCE-ID")
    }
    masters.discard("")
    series: dict[str, list] = {}
    for component, was_floating in zip(components, floating, strict=True):
        uid = str(_first(component, "UID") or "")
        if uid in masters:
            series.setdefault(uid, []).append(component)
            continue
        row = _read_or_report(component, projects, day_zone, domain)
        if was_floating and zone:
            row.notes.append(f"Floating times were read in the calendar's zone, {zone}.")
        if component.get("RECURRENCE-ID") is not None:
            _as_occurrence(row, component)
        reading.rows.append(row)
    for uid, parts in series.items():
        reading.series += 1
        reading.rows += _expand(uid, parts, calendar, reading, projects, day_zone, domain)


def _is_floating(component) -> bool:
    try:
        moment = getattr(_first(component, "DTSTART"), "dt", None)
    except ValueError:  # a broken DTSTART: its row says so
        return False
    return isinstance(moment, datetime) and moment.tzinfo is None


def _expand(uid, parts, calendar, reading, projects, day_zone, domain) -> list[ImportRow]:
    """The occurrences of a repeating event in the reading's window, each a row known by
    `<UID>#<RECURRENCE-ID in UTC>`, so a re-import updates it."""
    single = icalendar.Calendar()
    for zone in calendar.walk("VTIMEZONE"):
        single.add_component(zone)
    for part in parts:
        single.add_component(part)
    first, last = reading.window
    try:
        occurrences = recurring_ical_events.of(single).between(first, last)
    except Exception as error:  # a file the libraries cannot convert
        row = ImportRow(uid=uid[:255], title=_text(parts[0], "SUMMARY")[:200], source_uid=uid)
        row.problems.append(f"Its repetition could not be read ({type(error).__name__}).")
        return [row]
    if not occurrences:
        row = ImportRow(uid=uid[:255], title=_text(parts[0], "SUMMARY")[:200], source_uid=uid)
        row.problems.append(
            f"It repeats, but not between {first.isoformat()} and {last.isoformat()}."
        )
        return [row]
    rows = []
    for occurrence in occurrences[:MAX_OCCURRENCES]:
        row = _read_or_report(occurrence, projects, day_zone, domain)
        _as_occurrence(row, occurrence)
        rows.append(row)
    if len(occurrences) > MAX_OCCURRENCES:
        rows[-1].notes.append(
            f"Only the first {MAX_OCCURRENCES} of its {len(occurrences)} occurrences in the "
            "window are imported."
        )
    return rows


def occurrence_uid(uid: str, recurrence_id: date | datetime) -> str:
    if isinstance(recurrence_id, datetime):
        if recurrence_id.tzinfo is None:
            recurrence_id = recurrence_id.replace(tzinfo=UTC)
        stamp = recurrence_id.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    else:
        stamp = recurrence_id.strftime("%Y%m%d")
    whole = f"{uid}#{stamp}"
    if len(whole) <= 255:
        return whole
    return f"sha256:{hashlib.sha256(uid.encode()).hexdigest()}#{stamp}"


def _as_occurrence(row: ImportRow, component) -> None:
    recurrence = _first(component, "RECURRENCE-ID")
    if recurrence is None or not row.source_uid:
        return
    row.uid = occurrence_uid(row.source_uid, recurrence.dt)
    row.occurrence = True
    row.own = False
    row.problems = [p for p in row.problems if not p.startswith("Its UID is longer")]


def _read_or_report(component, projects: dict, day_zone: str, domain: str | None) -> ImportRow:
    """One unreadable VEVENT (a date like 2025-02-30, GEO:abc, VALUE=PERIOD) becomes a row
    that says why, and the rest of the file is still imported."""
    try:
        return read_vevent(component, projects, day_zone, domain)
    except (ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError) as error:
        uid = _clean(str(_first(component, "UID") or ""))[:255]
        row = ImportRow(uid=uid, title=_text(component, "SUMMARY")[:200], source_uid=uid)
        row.problems.append(f"It could not be read ({type(error).__name__}: {error}"[:300] + ")")
        return row


def _clean(text: str) -> str:
    """Text without control characters (NUL breaks PostgreSQL), lines and tabs kept."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def _first(component, name: str, row: ImportRow | None = None):
    """The property, or the first of several (real files repeat DTSTART, SUMMARY, GEO...)."""
    value = component.get(name)
    if isinstance(value, list) and name not in REPEATABLE:
        if row is not None and len(value) > 1:
            row.notes.append(f"It has {len(value)} {name} properties: the first was used.")
        value = value[0] if value else None
    return value


def _text(component, name: str, row: ImportRow | None = None) -> str:
    value = _first(component, name, row)
    return "" if value is None else _clean(str(value))


def read_vevent(
    component: icalendar.Event,
    projects: dict[str, Project],
    day_zone: str = "UTC",
    domain: str | None = None,
) -> ImportRow:
    probe = ImportRow(uid="", title="")
    uid = _text(component, "UID", probe).strip()
    status = _text(component, "STATUS", probe).upper().strip()
    raw_title = " ".join(_text(component, "SUMMARY", probe).split())
    title = raw_title
    prefix = STATUS_PREFIXES.get(status)
    if prefix and title.startswith(prefix):
        title = title[len(prefix) :]
    row = ImportRow(uid=uid, title=title[:200], source_uid=uid, notes=probe.notes)
    row.cancelled = status == "CANCELLED"
    # TENTATIVE alone is how most calendars say "maybe": only our own mark means postponed.
    row.postponed = status == "TENTATIVE" and raw_title.startswith(STATUS_PREFIXES["TENTATIVE"])
    if not title:
        row.problems.append("It has no SUMMARY (title).")
    elif len(title) > 200:
        row.notes.append("The title was cut to 200 characters.")
    row.values["title"] = row.title
    _read_when(component, row, day_zone)
    _read_text(component, row)
    _read_place(component, row)
    _read_categories(component, row, projects)
    url = _text(component, "URL", row).strip()
    if url and is_http_url(url) and len(url) <= 500:
        row.values["links"] = [LinkValues(LinkKind.REGISTER, LinkState.OPEN, url)]
    elif url:
        row.notes.append("Its URL is not an http(s) address and was left out.")
    if not uid:
        row.uid = row.source_uid = content_uid(component, row)
        row.notes.append(
            "It has no UID: it is known by its title and start, so a later import updates it."
        )
    elif len(uid) > 255:
        row.uid = f"sha256:{hashlib.sha256(uid.encode()).hexdigest()}"
        row.notes.append("Its UID is longer than 255 characters: it is known by its digest.")
    if domain and re.fullmatch(rf"event-\d+@{re.escape(domain)}", uid):
        row.own = True
    if row.cancelled:
        row.notes.append(CANCELLED_MARK)
    return row


def content_uid(component, row: ImportRow) -> str:
    """A stable identity for an event without UID: its title, start and place."""
    start = _first(component, "DTSTART")
    parts = [
        row.title,
        start.to_ical().decode() if start is not None else "",
        row.values.get("city") or "",
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"no-uid-{digest}"


def _read_when(component: icalendar.Event, row: ImportRow, day_zone: str) -> None:
    """One rule each: no end is one day (a date) or one hour (a time); DURATION gives the
    end; a zero length is read as no end; a date with a time (either way round) is an
    all-day event; a floating time takes the zone of the other end, else the calendar's."""
    start_prop = _first(component, "DTSTART", row)
    if start_prop is None:
        row.problems.append("It has no DTSTART.")
        return
    start = start_prop.dt
    end_prop = _first(component, "DTEND", row)
    duration = _first(component, "DURATION", row)
    if end_prop is not None:
        end = end_prop.dt
    elif duration is not None and isinstance(duration.dt, timedelta):
        end = _plus(start, duration.dt)
    else:
        end = None
    timed_start, timed_end = isinstance(start, datetime), isinstance(end, datetime)
    midnight = datetime.min.time()
    if (
        timed_start
        and timed_end
        and _text(component, "X-MICROSOFT-CDO-ALLDAYEVENT").strip().upper() == "TRUE"
        and start.time() == end.time() == midnight
    ):
        start, end = start.date(), end.date()  # Outlook's all-day events, as two midnights
        timed_start = timed_end = False
        day_zone = iana_name(str(start_prop.params.get("TZID", ""))) or day_zone
    if end is not None and timed_start != timed_end:
        first_day = start.date() if timed_start else start
        last_day = end.date() if timed_end else end - timedelta(days=1)
        if timed_end and end.time() == midnight and end.date() > first_day:
            last_day = end.date() - timedelta(days=1)
        row.notes.append("It mixes a date and a date-time: it was read as an all-day event.")
        start, end = first_day, max(last_day, first_day) + timedelta(days=1)
        timed_start = False
    if not timed_start:
        if end is None or end <= start:
            row.notes.append(
                "It has no end: it was read as one day."
                if end is None
                else "It ends when it starts: it was read as one day."
            )
            end = start + timedelta(days=1)
        row.values.update(
            starts_on=start, ends_on=end - timedelta(days=1), start_time=None, end_time=None
        )
        row.values["timezone"] = day_zone
        return
    if end is not None:
        if start.tzinfo is None and end.tzinfo is not None:
            start = start.replace(tzinfo=end.tzinfo)
        elif end.tzinfo is None and start.tzinfo is not None:
            end = end.replace(tzinfo=start.tzinfo)
    zone = _zone_name(start, start_prop.params.get("TZID"), row, day_zone)
    tz = ZoneInfo(zone)
    start = _in_zone(start, tz)
    if end is None or _in_zone(end, tz) == start:
        row.notes.append(
            "It has no end: it was read as one hour long."
            if end is None
            else "It ends when it starts: it was read as one hour long."
        )
        end = start + timedelta(hours=1)
    end = _in_zone(end, tz)
    if end < start:
        row.problems.append("It ends before it starts.")
        return
    row.values.update(
        starts_on=start.date(),
        ends_on=end.date(),
        start_time=start.time().replace(microsecond=0),
        end_time=end.time().replace(microsecond=0),
        timezone=zone,
    )


def _plus(start: date | datetime, length: timedelta) -> date | datetime:
    """RFC 5545 3.3.6: a duration's days are nominal (the same clock time days later), its
    hours, minutes and seconds exact (counted across a change of clocks)."""
    if not isinstance(start, datetime) or start.tzinfo is None:
        return start + length
    days = timedelta(days=length.days)
    exact = length - days
    return (start + days).astimezone(UTC).__add__(exact).astimezone(start.tzinfo)


def _zone_name(start: datetime, tzid: str | None, row: ImportRow, day_zone: str) -> str:
    """The IANA name of the start's zone; when its TZID is none we know, a zone with the
    same offsets (a custom VTIMEZONE), else the calendar's zone or UTC, with a note."""
    if tzid:
        named = iana_name(str(tzid))
        if named:
            if named != tzid:
                row.notes.append(f"The zone {tzid!r} was read as {named}.")
            return named
    key = getattr(start.tzinfo, "key", None)
    if key and is_timezone(key):
        if tzid and key != tzid:
            row.notes.append(f"The zone {tzid!r} was read as {key}.")
        return key
    if start.tzinfo is None:
        if tzid:
            row.notes.append(
                f"The zone {tzid!r} is not one we know: times were read in {day_zone}."
            )
            return day_zone
        if day_zone == "UTC":
            row.notes.append("Floating times (no zone) were read as UTC.")
        return day_zone
    if start.utcoffset() == timedelta(0) and not tzid:
        return "UTC"
    same = matching_zone(start.tzinfo, start.year)
    if same:
        row.notes.append(
            f"The zone {tzid or start.tzinfo} is not an IANA name: it was read as {same}, "
            "which has the same offsets."
        )
        return same
    row.notes.append(
        f"The zone {tzid or start.tzinfo} is not an IANA name and none has its offsets: "
        "times are in UTC."
    )
    return "UTC"


# Zones tried first when a custom VTIMEZONE is matched by its offsets.
PREFERRED = ("Europe/London", "Europe/Berlin", "Europe/Helsinki", "America/New_York",
             "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
             "America/Sao_Paulo", "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo",
             "Australia/Sydney", "Pacific/Auckland")  # fmt: skip


def _offsets(tzinfo, year: int) -> tuple:
    moments = [
        datetime(year, month, day, 12, tzinfo=UTC) for month in range(1, 13) for day in (1, 15)
    ]
    return tuple(moment.astimezone(tzinfo).utcoffset() for moment in moments)


@lru_cache(maxsize=64)
def _zones_by_offsets(year: int) -> dict[tuple, str]:
    found: dict[tuple, str] = {}
    rest = sorted(n for n in timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/")))
    for name in (*PREFERRED, *rest):
        found.setdefault(_offsets(ZoneInfo(name), year), name)
    return found


def matching_zone(tzinfo, year: int) -> str | None:
    """The IANA zone with the offsets of `tzinfo` through `year` (twice a month)."""
    try:
        wanted = _offsets(tzinfo, year)
    except (ValueError, TypeError, OverflowError):
        return None
    return _zones_by_offsets(year).get(wanted)


def _in_zone(moment: datetime, tz: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


def _read_text(component: icalendar.Event, row: ImportRow) -> None:
    text = _clean(_text(component, "DESCRIPTION", row).replace("\r\n", "\n")).strip()
    first, _, rest = text.partition("\n\n")
    if len(first) <= MAX_SUMMARY:
        row.values.update(summary=first, description=rest.strip())
    else:
        row.values.update(
            summary=first[: MAX_SUMMARY - 1].rsplit(" ", 1)[0] + "…", description=text
        )


def _meeting_url(component, row: ImportRow, location: str) -> str | None:
    found = URL_IN_TEXT.search(location)
    if found:
        return found.group(0)
    for name in MEETING_PROPERTIES:
        value = _text(component, name).strip()
        if value and is_http_url(value):
            return value
    return None


def _read_place(component: icalendar.Event, row: ImportRow) -> None:
    """LOCATION as venue, street, city, region and country, as well as one line of text
    allows: an online-meeting address or "Online" makes the event virtual (or hybrid with a
    place), a postcode is never the city."""
    location = _text(component, "LOCATION", row).replace("\r", "").replace("\n", ", ")
    text = " ".join(location.split())
    values = dict(
        venue=None, street=None, city=None, region=None, country=None, format=EventFormat.IN_PERSON
    )
    meeting = _meeting_url(component, row, text)
    if meeting:
        text = " ".join(URL_IN_TEXT.sub(" ", text).split()).strip(" ,;-()")
    online = text.casefold().strip(" .") in ONLINE_WORDS
    if online or (meeting and not text):
        values["format"] = EventFormat.VIRTUAL
    elif text:
        if text.casefold().endswith(" and online"):
            values["format"] = EventFormat.HYBRID
            text = text[: -len(" and online")]
        elif meeting:
            values["format"] = EventFormat.HYBRID
        values.update(_address(text))
    if meeting:
        line = f"Online: {meeting}"
        description = row.values.get("description", "")
        if meeting not in description and meeting not in row.values.get("summary", ""):
            row.values["description"] = f"{description}\n\n{line}".strip()
        row.notes.append(f"An online meeting ({meeting}): it is an online event with that link.")
    row.values.update(values)
    geo = _first(component, "GEO", row)
    if geo is not None:
        latitude, longitude = float(geo.latitude), float(geo.longitude)
    else:  # Apple writes the map's point in X-APPLE-STRUCTURED-LOCATION:geo:lat,lon
        point = re.fullmatch(
            r"geo:(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)",
            _text(component, "X-APPLE-STRUCTURED-LOCATION").strip(),
        )
        latitude, longitude = (float(point[1]), float(point[2])) if point else (None, None)
    if latitude is not None and -90 <= latitude <= 90 and -180 <= longitude <= 180:
        row.values.update(latitude=latitude, longitude=longitude)


def _address(text: str) -> dict[str, str | None]:
    """'Venue, 300 E Green St, Pasadena, CA 91101, United States' → its parts; a postcode
    stays in the street, never the city."""
    found: dict[str, str | None] = {}
    # Meetup: "Venue (Street, City, ST 12345, Country)"
    inner = re.fullmatch(r"([^(]+?)\s*\(([^()]*,[^()]*)\)", text)
    if inner:
        found = _address(inner[2])
        if found.get("venue") or found.get("street"):
            found["street"] = ", ".join(p for p in (found.get("venue"), found.get("street")) if p)
        found["venue"] = inner[1][:200]
        return found
    parts = [part.strip() for part in text.split(",") if part.strip()]
    code = _country_code(parts[-1]) if parts else None
    if code:
        found["country"] = code
        parts.pop()
    postcodes = []
    if len(parts) >= 2:
        zip_match = US_REGION_ZIP.fullmatch(parts[-1])
        if zip_match:
            found["region"] = zip_match.group(1)
            postcodes.append(parts.pop()[3:].strip())
        elif re.fullmatch(r"[A-Z]{2,3}", parts[-1]):
            found["region"] = parts.pop()
    while parts:
        candidate = parts.pop()
        codes = POSTCODE.findall(candidate)
        city = " ".join(POSTCODE.sub(" ", candidate).split()).strip(" -")
        postcodes += codes
        if city and not re.search(r"\d", city):
            found["city"] = city[:120]
            break
        if city:  # a street with its number: keep it, the city is not known
            parts.append(city)
            break
    if parts:
        found["venue"] = parts[0][:200]
    street = ", ".join([*parts[1:], *postcodes])
    if street:
        found["street"] = street[:200]
    return found


@lru_cache(maxsize=4096)
def _country_code(text: str) -> str | None:
    return country_code(text)


def _read_categories(component: icalendar.Event, row: ImportRow, projects: dict) -> None:
    found = component.get("CATEGORIES")
    found = found if isinstance(found, list) else [found] if found is not None else []
    names = [str(name).strip() for category in found for name in getattr(category, "cats", [])]
    kinds = {kind.label.casefold(): kind for kind in EventKind}
    kind = next((kinds[n.casefold()] for n in names if n.casefold() in kinds), None)
    if kind is not None:
        row.values["kind"] = kind
    chosen = [projects[n.casefold()] for n in names if n.casefold() in projects]
    if chosen:
        row.values["projects"] = chosen


def plan(rows: list[ImportRow]) -> list[ImportRow]:
    """Mark each row create, update (an event already has its UID, or it is one of this
    portal's own) or skip, checking each with the rules an import applies, so the preview
    says what the import will do."""
    uids = [row.uid for row in rows if row.uid]
    existing: dict[str, int] = {}
    for start in range(0, len(uids), 500):
        chunk = uids[start : start + 500]
        stmt = select(Event.import_uid, Event.id).where(Event.import_uid.in_(chunk))
        existing.update(db.session.execute(stmt).tuples().all())
    own_ids = {int(row.uid[6:].split("@", 1)[0]) for row in rows if row.own}
    known_own = set()
    for start in range(0, len(own_ids), 500):
        chunk = sorted(own_ids)[start : start + 500]
        known_own.update(db.session.scalars(select(Event.id).where(Event.id.in_(chunk))))
    seen: set[str] = set()
    for row in rows:
        if row.uid in seen:
            row.problems.append("Another event of this file has the same UID.")
        seen.add(row.uid)
        row.event_id = existing.get(row.uid)
        if row.own and row.event_id is None:
            own_id = int(row.uid[6:].split("@", 1)[0])
            row.event_id = own_id if own_id in known_own else None
        if not row.problems:
            check = {"kind": EventKind.COMMUNITY_EVENT, **row.values, "slug": ""}
            errors = event_errors(check)
            errors.pop("slug", None)
            row.problems += list(dict.fromkeys(errors.values()))
        if row.problems:
            row.action = "skip"
        else:
            row.action = "update" if row.event_id else "create"
    return rows


def new_status(row: ImportRow, publish: bool) -> EventStatus:
    """Drafts stay drafts: a cancelled event imported as a draft is a draft marked cancelled
    (in its summary and the preview); published, it is cancelled."""
    if row.cancelled:
        return EventStatus.CANCELLED if publish else EventStatus.DRAFT
    if row.postponed:
        return EventStatus.POSTPONED if publish else EventStatus.DRAFT
    return EventStatus.PUBLISHED if publish else EventStatus.DRAFT


def slug_base(row: ImportRow) -> str:
    words = re.findall(r"[a-z0-9]+", fold(row.title))
    base = "-".join(words)[:100].strip("-") or "event"
    year = str(row.values["starts_on"].year)
    return base if base.endswith(year) else f"{base}-{year}"
