"""Reading a file: each VEVENT becomes a row that says what it would become, repeating events
are expanded in a window, and our own feed's events are recognised. Nothing here writes."""

from __future__ import annotations

import hashlib
import re
import time
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import icalendar
import recurring_ical_events
import x_wr_timezone
from flask import current_app, has_request_context, request

from portal.events import display
from portal.events.ical import series
from portal.events.ical.decode import decode
from portal.events.ical.place import read_place
from portal.events.ical.properties import clean, first, text_of
from portal.events.ical.rows import (
    CANCELLED_MARK,
    Capped,
    ImportRow,
    Reading,
    UnreadableCalendar,
)
from portal.events.ical.series import MAX_OCCURRENCES
from portal.events.ical.vtimezones import drop_unreadable
from portal.events.ical.when import read_when
from portal.events.ical.zones import iana_name
from portal.events.models import EventKind, EventStatus, LinkKind, LinkState, Project
from portal.events.rules import LinkValues, is_http_url

MAX_SUMMARY = 500
UNTITLED = "Untitled event"  # the title of an event whose file gives none (SUMMARY is optional)
# Our own feeds mark these in SUMMARY (events/display.py); an import takes them off again.
STATUS_PREFIXES = {
    "CANCELLED": display.STATUS_PREFIXES[EventStatus.CANCELLED],
    "TENTATIVE": display.STATUS_PREFIXES[EventStatus.POSTPONED],
}

# Repeating events are expanded from a year back to two years ahead, at most
# series.MAX_OCCURRENCES occurrences a series.
WINDOW_BACK, WINDOW_AHEAD = timedelta(days=365), timedelta(days=730)
READ_SECONDS = 30  # the time one file may take to read, whatever it holds (the staff screen)
COMMAND_READ_SECONDS = 600  # ... from the command, which reads files 50 times larger
MAX_ROWS = 50_000  # the rows one file may make (each costs memory until it is applied)


def parse(data: bytes, projects: list[Project] | None = None) -> list[ImportRow]:
    return read(data, projects).rows


def read(
    data: bytes,
    projects: list[Project] | None = None,
    now: datetime | None = None,
    seconds: float | None = None,
) -> Reading:
    """The rows of a file, read within `seconds` (IMPORT_READ_SECONDS by default) whatever it
    holds, else UnreadableCalendar."""
    text, notes = decode(data)
    text = drop_unreadable(text, notes)
    try:
        calendars = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as error:
        raise UnreadableCalendar(f"This is not an iCalendar file ({error}).") from None
    if not calendars:
        raise UnreadableCalendar("This file holds no calendar.")
    now = now or datetime.now(UTC)
    window = ((now - WINDOW_BACK).date(), (now + WINDOW_AHEAD).date())
    if seconds is None:
        seconds = current_app.config.get("IMPORT_READ_SECONDS", READ_SECONDS)
    reading = Reading(rows=[], notes=notes, window=window, deadline=time.monotonic() + seconds)
    by_name = {project.name.casefold(): project for project in projects or []}
    domain = own_uid_domain()
    try:
        for calendar in calendars:
            read_calendar(calendar, reading, by_name, domain)
    except series.TooMuchWork:
        raise UnreadableCalendar(
            f"This file takes more than {seconds:g} s to read; nothing was imported."
        ) from None
    if len(reading.rows) > MAX_ROWS:
        raise UnreadableCalendar(
            f"This file makes {len(reading.rows)} events, more than {MAX_ROWS} at once."
        )
    return reading


def own_uid_domain() -> str | None:
    """The host of this portal's own UIDs (event-<id>@<host>), as the feed writes them."""
    base = current_app.config.get("BASE_URL")
    if base:
        return urlsplit(base).hostname
    if has_request_context():
        return request.host.split(":")[0]
    server = current_app.config.get("SERVER_NAME")
    return server.split(":")[0] if server else None  # else no UID is taken for our own


def calendar_zone(calendar: icalendar.Calendar, reading: Reading) -> str | None:
    name = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if not name:
        return None
    zone = iana_name(name)
    if zone is None:
        reading.notes.append(f"The calendar's zone {name!r} is not one we know: UTC was used.")
    elif zone != name:
        reading.notes.append(f"The calendar's zone {name!r} was read as {zone}.")
    return zone


def read_calendar(calendar, reading: Reading, projects: dict, domain: str | None) -> None:
    zone = calendar_zone(calendar, reading)
    original = calendar.walk("VEVENT")
    floating = [is_floating(component) for component in original]
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
    given = name_uidless_series(components)
    components, floating = latest_copies(components, floating)
    masters = {
        str(first(c, "UID") or "")
        for c in components
        if (c.get("RRULE") or c.get("RDATE")) and not c.get("RECURRENCE-ID")
    }
    masters.discard("")
    grouped: dict[str, list] = {}
    for component, was_floating in zip(components, floating, strict=True):
        series.check(reading.deadline)
        uid = str(first(component, "UID") or "")
        if uid in masters:
            grouped.setdefault(uid, []).append(component)
            continue
        row = read_or_report(component, projects, day_zone, domain)
        if was_floating and zone:
            row.notes.append(f"Floating times were read in the calendar's zone, {zone}.")
        if component.get("RECURRENCE-ID") is not None:
            as_occurrence(row, component)
        reading.rows.append(row)
    for uid, parts in grouped.items():
        reading.series += 1
        rows = expand(uid, parts, calendar, reading, projects, day_zone, domain)
        if uid in given:
            for row in rows:
                row.notes.append(UIDLESS_SERIES)
        reading.rows += rows


UIDLESS_SERIES = (
    "It repeats and has no UID: its occurrences are known by its title, start and rule, so "
    "a later import updates them."
)


def name_uidless_series(components: list) -> set[str]:
    """A repeating event without UID gets its content identity before grouping (title,
    start and rule), so it is expanded like any other; the identities given."""
    given = set()
    for component in components:
        repeats = component.get("RRULE") or component.get("RDATE")
        if first(component, "UID") or not repeats or component.get("RECURRENCE-ID"):
            continue
        parts = [text_of(component, "SUMMARY")]
        for name in ("DTSTART", "RRULE", "RDATE"):
            value = component.get(name)
            for one in value if isinstance(value, list) else [value]:
                parts.append(one.to_ical().decode() if one is not None else "")
        uid = "no-uid-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
        component.add("UID", uid)
        given.add(uid)
    return given


def latest_copies(components: list, floating: list) -> tuple[list, list]:
    """One copy of each event the file holds twice (the same UID and RECURRENCE-ID): the one
    with the higher SEQUENCE, then the later DTSTAMP or LAST-MODIFIED (RFC 5546 2.1.5), in
    the place of the first copy."""
    chosen: dict[tuple, int] = {}
    copies: dict[tuple, int] = {}
    for index, component in enumerate(components):
        uid = str(first(component, "UID") or "")
        if not uid:
            continue
        recurrence = first(component, "RECURRENCE-ID")
        key = (uid, recurrence.to_ical() if recurrence is not None else b"")
        copies[key] = copies.get(key, 0) + 1
        if key not in chosen or revision(component) > revision(components[chosen[key]]):
            chosen[key] = index
    if all(count == 1 for count in copies.values()):
        return components, floating
    kept_components, kept_floating, placed = [], [], set()
    for index, component in enumerate(components):
        uid = str(first(component, "UID") or "")
        recurrence = first(component, "RECURRENCE-ID")
        key = (uid, recurrence.to_ical() if recurrence is not None else b"")
        if not uid:
            kept_components.append(component)
            kept_floating.append(floating[index])
        elif key not in placed:
            placed.add(key)
            winner = chosen[key]
            if copies[key] > 1:
                components[winner].add("X-PORTAL-COPIES", str(copies[key]))
            kept_components.append(components[winner])
            kept_floating.append(floating[winner])
    return kept_components, kept_floating


def revision(component) -> tuple:
    """How late a copy of an event is: its SEQUENCE, then its latest DTSTAMP/LAST-MODIFIED."""
    try:
        sequence = int(str(first(component, "SEQUENCE") or 0))
    except ValueError:
        sequence = 0
    stamps = []
    for name in ("DTSTAMP", "LAST-MODIFIED"):
        moment = getattr(first(component, name), "dt", None)
        if isinstance(moment, datetime):
            stamps.append(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return (sequence, max(stamps, default=datetime.min.replace(tzinfo=UTC)))


def is_floating(component) -> bool:
    try:
        moment = getattr(first(component, "DTSTART"), "dt", None)
    except ValueError:  # a broken DTSTART: its row says so
        return False
    return isinstance(moment, datetime) and moment.tzinfo is None


def expand(uid, parts, calendar, reading, projects, day_zone, domain) -> list[ImportRow]:
    """The occurrences of a repeating event in the reading's window, each a row known by
    `<UID>#<RECURRENCE-ID in UTC>`, so a re-import updates it."""
    single = icalendar.Calendar()
    for zone in calendar.walk("VTIMEZONE"):
        single.add_component(zone)
    for part in parts:
        single.add_component(part)
    first, last = reading.window
    masters = [part for part in parts if part.get("RECURRENCE-ID") is None] or parts[:1]
    cannot = series.problem(masters[0]) or series.rebase(masters[0], first)
    if cannot:
        row = ImportRow(uid=uid[:255], title=text_of(parts[0], "SUMMARY")[:200], source_uid=uid)
        row.problems.append(cannot)
        return [row]
    bound = series.bound(masters[0], reading.window, reading.deadline)
    try:
        occurrences = recurring_ical_events.of(single).between(first, bound.end)
    except Exception as error:  # a file the libraries cannot convert
        row = ImportRow(uid=uid[:255], title=text_of(parts[0], "SUMMARY")[:200], source_uid=uid)
        row.problems.append(f"Its repetition could not be read ({type(error).__name__}).")
        return [row]
    if not occurrences:
        row = ImportRow(uid=uid[:255], title=text_of(parts[0], "SUMMARY")[:200], source_uid=uid)
        row.problems.append(
            f"It repeats, but not between {first.isoformat()} and {last.isoformat()}."
        )
        return [row]
    occurrences.sort(key=starting)  # RDATEs and the rule's in order: the cap keeps the first
    rows = []
    for occurrence in occurrences[:MAX_OCCURRENCES]:
        series.check(reading.deadline)
        row = read_or_report(occurrence, projects, day_zone, domain)
        as_occurrence(row, occurrence)
        rows.append(row)
    left_out = max(bound.left_out, len(occurrences) - MAX_OCCURRENCES)
    if left_out > 0:
        title = rows[0].title if rows else ""
        reading.capped.append(Capped(uid=uid, title=title, left_out=left_out, more=bound.more))
        rows[-1].notes.append(
            f"Only the first {MAX_OCCURRENCES} of its occurrences in the window are imported: "
            f"{'more than ' if bound.more else ''}{left_out} are left out."
        )
    return rows


def starting(component) -> datetime:
    moment = getattr(first(component, "DTSTART"), "dt", None)
    if isinstance(moment, datetime):
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if isinstance(moment, date):
        return datetime.combine(moment, datetime.min.time(), UTC)
    return datetime.min.replace(tzinfo=UTC)


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


def as_occurrence(row: ImportRow, component) -> None:
    recurrence = first(component, "RECURRENCE-ID")
    if recurrence is None or not row.source_uid:
        return
    row.uid = occurrence_uid(row.source_uid, recurrence.dt)
    row.occurrence = True
    row.own = False
    row.problems = [p for p in row.problems if not p.startswith("Its UID is longer")]


def read_or_report(component, projects: dict, day_zone: str, domain: str | None) -> ImportRow:
    """One unreadable VEVENT (a date like 2025-02-30, GEO:abc, VALUE=PERIOD) becomes a row
    that says why, and the rest of the file is still imported."""
    try:
        return read_vevent(component, projects, day_zone, domain)
    except (ValueError, TypeError, OverflowError, KeyError, IndexError, AttributeError) as error:
        uid = clean(str(first(component, "UID") or ""))[:255]
        row = ImportRow(uid=uid, title=text_of(component, "SUMMARY")[:200], source_uid=uid)
        row.problems.append(f"It could not be read ({type(error).__name__}: {error}"[:300] + ")")
        return row


def read_vevent(
    component: icalendar.Event,
    projects: dict[str, Project],
    day_zone: str = "UTC",
    domain: str | None = None,
) -> ImportRow:
    probe = ImportRow(uid="", title="")
    uid = text_of(component, "UID", probe).strip()
    status = text_of(component, "STATUS", probe).upper().strip()
    raw_title = " ".join(text_of(component, "SUMMARY", probe).split())
    title = raw_title
    prefix = STATUS_PREFIXES.get(status)
    if prefix and title.startswith(prefix):
        title = title[len(prefix) :]
    row = ImportRow(uid=uid, title=title[:200], source_uid=uid, notes=probe.notes)
    row.cancelled = status == "CANCELLED"
    # TENTATIVE alone is how most calendars say "maybe": only our own mark means postponed.
    row.postponed = status == "TENTATIVE" and raw_title.startswith(STATUS_PREFIXES["TENTATIVE"])
    if not title:
        title = row.title = UNTITLED
        row.notes.append(f"It has no SUMMARY (title): it was given the title {UNTITLED!r}.")
    elif len(title) > 200:
        row.notes.append("The title was cut to 200 characters.")
    row.values["title"] = row.title
    read_when(component, row, day_zone)
    _readtext_of(component, row)
    read_place(component, row)
    read_categories(component, row, projects)
    url = text_of(component, "URL", row).strip()
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
    copies = text_of(component, "X-PORTAL-COPIES")
    if copies:
        row.notes.append(
            f"The file holds it {copies} times: the copy with the highest SEQUENCE (then the "
            "latest DTSTAMP or LAST-MODIFIED) was read."
        )
    if row.cancelled:
        row.notes.append(CANCELLED_MARK)
    return row


def content_uid(component, row: ImportRow) -> str:
    """A stable identity for an event without UID: its title, start and place."""
    start = first(component, "DTSTART")
    parts = [
        row.title,
        start.to_ical().decode() if start is not None else "",
        row.values.get("city") or "",
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]
    return f"no-uid-{digest}"


def _readtext_of(component: icalendar.Event, row: ImportRow) -> None:
    text = clean(text_of(component, "DESCRIPTION", row).replace("\r\n", "\n")).strip()
    first, _, rest = text.partition("\n\n")
    if len(first) <= MAX_SUMMARY:
        row.values.update(summary=first, description=rest.strip())
    else:
        row.values.update(
            summary=first[: MAX_SUMMARY - 1].rsplit(" ", 1)[0] + "…", description=text
        )


def read_categories(component: icalendar.Event, row: ImportRow, projects: dict) -> None:
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
