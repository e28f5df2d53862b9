"""Reading events from an iCalendar file: what each VEVENT would become, and why some cannot.

Nothing here writes; `plan` says what an import would do and operations.import_events does it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
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
from portal.events.rules import LinkValues, is_http_url, is_timezone
from portal.extensions import db

MAX_SUMMARY = 500
# Our own feeds mark these in SUMMARY (see calendar/ics.py); an import takes them off again.
STATUS_PREFIXES = {"CANCELLED": "Cancelled: ", "TENTATIVE": "Postponed: "}


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


def parse(data: bytes, projects: list[Project] | None = None) -> list[ImportRow]:
    try:
        calendars = icalendar.Calendar.from_ical(data, multiple=True)
    except (ValueError, IndexError, KeyError) as error:
        raise UnreadableCalendar(f"This is not an iCalendar file ({error}).") from None
    if not calendars:
        raise UnreadableCalendar("This file holds no calendar.")
    by_name = {project.name.casefold(): project for project in projects or []}
    rows = []
    for calendar in calendars:
        # All-day events take the calendar's own zone when it names one (X-WR-TIMEZONE).
        zone = str(calendar.get("X-WR-TIMEZONE", "UTC"))
        zone = zone if is_timezone(zone) else "UTC"
        rows += [_read_or_report(c, by_name, zone) for c in calendar.walk("VEVENT")]
    return rows


def _read_or_report(component: icalendar.Event, projects: dict, day_zone: str) -> ImportRow:
    """One unreadable VEVENT (a date like 2025-02-30, GEO:abc, VALUE=PERIOD) becomes a row
    that says why, and the rest of the file is still imported."""
    try:
        return read_vevent(component, projects, day_zone)
    except (ValueError, TypeError, OverflowError, KeyError, IndexError) as error:
        uid = _clean(str(component.get("UID", "")))[:255]
        row = ImportRow(uid=uid, title=_clean(str(component.get("SUMMARY", "")))[:200])
        row.problems.append(f"It could not be read ({type(error).__name__}: {error}"[:300] + ")")
        return row


def _clean(text: str) -> str:
    """Text without control characters (NUL breaks PostgreSQL), lines and tabs kept."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def read_vevent(
    component: icalendar.Event, projects: dict[str, Project], day_zone: str = "UTC"
) -> ImportRow:
    uid = _clean(str(component.get("UID", ""))).strip()
    status = str(component.get("STATUS", "")).upper()
    title = " ".join(_clean(str(component.get("SUMMARY", ""))).split())
    prefix = STATUS_PREFIXES.get(status)
    if prefix and title.startswith(prefix):
        title = title[len(prefix) :]
    row = ImportRow(uid=uid, title=title[:200])
    row.cancelled = status == "CANCELLED"
    # TENTATIVE alone is how most calendars say "maybe": only our own mark means postponed.
    row.postponed = status == "TENTATIVE" and " ".join(
        str(component.get("SUMMARY", "")).split()
    ).startswith(STATUS_PREFIXES["TENTATIVE"])
    if not uid:
        row.problems.append("It has no UID, so a later import could not update it.")
    elif len(uid) > 255:
        row.problems.append("Its UID is longer than 255 characters.")
    if not title:
        row.problems.append("It has no SUMMARY (title).")
    elif len(title) > 200:
        row.notes.append("The title was cut to 200 characters.")
    if component.get("RRULE") or component.get("RECURRENCE-ID"):
        row.problems.append("Repeating events are not imported.")
    row.values["title"] = row.title
    _read_when(component, row, day_zone)
    _read_text(component, row)
    _read_place(component, row)
    _read_categories(component, row, projects)
    url = str(component.get("URL", "")).strip()
    if url and is_http_url(url) and len(url) <= 500:
        row.values["links"] = [LinkValues(LinkKind.REGISTER, LinkState.OPEN, url)]
    elif url:
        row.notes.append("Its URL is not an http(s) address and was left out.")
    return row


def _read_when(component: icalendar.Event, row: ImportRow, day_zone: str) -> None:
    start_prop = component.get("DTSTART")
    if start_prop is None:
        row.problems.append("It has no DTSTART.")
        return
    start = start_prop.dt
    end_prop = component.get("DTEND")
    if end_prop is not None:
        end = end_prop.dt
    elif component.get("DURATION") is not None:
        end = start + component.get("DURATION").dt
    else:
        end = start + timedelta(days=1) if not isinstance(start, datetime) else start
    if not isinstance(start, datetime):
        # All day: DTEND;VALUE=DATE is the day after the last one.
        last = (end.date() if isinstance(end, datetime) else end) - timedelta(days=1)
        last = max(last, start)
        row.values.update(starts_on=start, ends_on=last, start_time=None, end_time=None)
        row.values["timezone"] = day_zone
        return
    zone = _zone_name(start, start_prop.params.get("TZID"), row)
    tz = ZoneInfo(zone)
    start = _in_zone(start, tz)
    end = _in_zone(end if isinstance(end, datetime) else datetime.combine(end, start.time()), tz)
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


def _zone_name(start: datetime, tzid: str | None, row: ImportRow) -> str:
    """The IANA name of the start's zone; UTC (with a note) when it has none we know."""
    if tzid and is_timezone(tzid):
        return tzid
    key = getattr(start.tzinfo, "key", None)
    if key and is_timezone(key):
        return key
    if start.tzinfo is None:
        row.notes.append("Floating times (no zone) were read as UTC.")
    elif start.utcoffset() != timedelta(0) or tzid:
        row.notes.append(f"The zone {tzid or start.tzinfo} is not an IANA zone: times are in UTC.")
    return "UTC"


def _in_zone(moment: datetime, tz: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz)


def _read_text(component: icalendar.Event, row: ImportRow) -> None:
    text = _clean(str(component.get("DESCRIPTION", "")).replace("\r\n", "\n")).strip()
    first, _, rest = text.partition("\n\n")
    if len(first) <= MAX_SUMMARY:
        row.values.update(summary=first, description=rest.strip())
    else:
        row.values.update(
            summary=first[: MAX_SUMMARY - 1].rsplit(" ", 1)[0] + "…", description=text
        )


def _read_place(component: icalendar.Event, row: ImportRow) -> None:
    """LOCATION as venue, city, region and country, as well as one line of text allows."""
    text = " ".join(_clean(str(component.get("LOCATION", ""))).split())
    values = dict(
        venue=None, street=None, city=None, region=None, country=None, format=EventFormat.IN_PERSON
    )
    if text.casefold() in ("online", "virtual"):
        values["format"] = EventFormat.VIRTUAL
    elif text:
        if text.casefold().endswith(" and online"):
            values["format"] = EventFormat.HYBRID
            text = text[: -len(" and online")]
        parts = [part.strip() for part in text.split(",") if part.strip()]
        code = country_code(parts[-1]) if parts else None
        if code:
            values["country"] = code
            parts.pop()
        if len(parts) >= 2 and re.fullmatch(r"[A-Z]{2,3}", parts[-1]):
            values["region"] = parts.pop()
        if parts:
            values["city"] = parts.pop()[:120]
        if parts:
            values["venue"] = ", ".join(parts)[:200]
    row.values.update(values)
    geo = component.get("GEO")
    if geo is not None:
        latitude, longitude = float(geo.latitude), float(geo.longitude)
        if -90 <= latitude <= 90 and -180 <= longitude <= 180:
            row.values.update(latitude=latitude, longitude=longitude)


def _read_categories(component: icalendar.Event, row: ImportRow, projects: dict) -> None:
    found = component.get("CATEGORIES")
    found = found if isinstance(found, list) else [found] if found is not None else []
    names = [str(name).strip() for category in found for name in category.cats]
    kinds = {kind.label.casefold(): kind for kind in EventKind}
    kind = next((kinds[n.casefold()] for n in names if n.casefold() in kinds), None)
    if kind is not None:
        row.values["kind"] = kind
    chosen = [projects[n.casefold()] for n in names if n.casefold() in projects]
    if chosen:
        row.values["projects"] = chosen


def plan(rows: list[ImportRow]) -> list[ImportRow]:
    """Mark each row create, update (an event already has its UID) or skip."""
    uids = [row.uid for row in rows if row.uid]
    existing: dict[str, int] = {}
    for start in range(0, len(uids), 500):
        chunk = uids[start : start + 500]
        stmt = select(Event.import_uid, Event.id).where(Event.import_uid.in_(chunk))
        existing.update(db.session.execute(stmt).tuples().all())
    seen: set[str] = set()
    for row in rows:
        if row.uid in seen:
            row.problems.append("Another event of this file has the same UID.")
        seen.add(row.uid)
        row.event_id = existing.get(row.uid)
        if row.problems:
            row.action = "skip"
        else:
            row.action = "update" if row.event_id else "create"
    return rows


def new_status(row: ImportRow, publish: bool) -> EventStatus:
    if row.cancelled:
        return EventStatus.CANCELLED
    if row.postponed:
        return EventStatus.POSTPONED
    return EventStatus.PUBLISHED if publish else EventStatus.DRAFT


def slug_base(row: ImportRow) -> str:
    words = re.findall(r"[a-z0-9]+", fold(row.title))
    base = "-".join(words)[:100].strip("-") or "event"
    year = str(row.values["starts_on"].year)
    return base if base.endswith(year) else f"{base}-{year}"
