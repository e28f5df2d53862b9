"""The month view: a calendar grid of the public events that overlap one month."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from portal.events.models import Event, EventStatus
from portal.events.queries import EventQuery, filter_conditions
from portal.events.rules import FIRST_YEAR, LAST_YEAR
from portal.extensions import db

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
MAX_EVENTS = 300  # a month busier than this is better read as a list
SHOWN_PER_DAY = 4


@dataclass
class Day:
    date: date
    in_month: bool
    events: list[Event] = field(default_factory=list)
    is_today: bool = False
    # The events that began before this day (shown again here on wide screens, but on phones
    # only on their first day, as a span).
    continuing: set[int] = field(default_factory=set)

    @property
    def shown(self) -> list[Event]:
        return self.events[:SHOWN_PER_DAY]

    @property
    def hidden(self) -> int:
        return max(0, len(self.events) - SHOWN_PER_DAY)


@dataclass
class Month:
    first: date
    weeks: list[list[Day]]
    total: int
    next_with_events: date | None = None  # the first day of a later month that has events

    @property
    def previous(self) -> date:
        return (self.first - timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> date:
        return (self.first + timedelta(days=32)).replace(day=1)

    @property
    def last(self) -> date:
        return self.next - timedelta(days=1)

    @property
    def truncated(self) -> bool:
        return self.total > MAX_EVENTS


def parse_month(text: str | None, today: date) -> date | None:
    """'2025-03' -> 2025-03-01; no text -> this month; anything else -> None."""
    if not text:
        return today.replace(day=1)
    found = MONTH.fullmatch(text)
    if not found or not FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR:
        return None
    return date(int(found.group(1)), int(found.group(2)), 1)


def month_grid(first: date, query: EventQuery, today: date | None = None) -> Month:
    """Weeks from Monday to Sunday covering the month, each day with the events on it in
    their own local dates (a multi-day event appears on each of its days)."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks[0][0], weeks[-1][-1]
    # A postponed event whose new dates are to be announced has no place in a calendar.
    dated = ~((Event.status == EventStatus.POSTPONED) & Event.dates_to_be_announced)
    conditions = [*filter_conditions(query), dated]
    overlapping = [*conditions, Event.starts_on <= end, Event.ends_on >= start]
    total = db.session.scalar(select(func.count()).select_from(Event).where(*overlapping)) or 0
    events = db.session.scalars(
        select(Event).where(*overlapping).order_by(Event.starts_at, Event.id).limit(MAX_EVENTS)
    ).all()
    days = {
        day: Day(day, day.month == first.month, is_today=day == today)
        for week in weeks
        for day in week
    }
    for event in events:
        day = max(event.starts_on, start)
        while day <= min(event.ends_on, end):
            days[day].events.append(event)
            if day != max(event.starts_on, start):
                days[day].continuing.add(event.id)
            day += timedelta(days=1)
    following = None
    if total == 0:
        month_end = (first + timedelta(days=32)).replace(day=1)
        later = db.session.scalar(
            select(func.min(Event.starts_on)).where(*conditions, Event.starts_on >= month_end)
        )
        following = later.replace(day=1) if later else None
    return Month(first, [[days[day] for day in week] for week in weeks], total, following)
