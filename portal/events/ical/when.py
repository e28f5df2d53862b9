"""When an event is, as its producer wrote it: dates or times, an end or a duration or none,
a date mixed with a time, Outlook's all-day midnights, floating times."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

from portal.events.ical.properties import first, text_of
from portal.events.ical.rows import ImportRow
from portal.events.ical.zones import iana_name, in_zone, zone_name


def read_when(component: icalendar.Event, row: ImportRow, day_zone: str) -> None:
    """One rule each: no end is one day (a date) or one hour (a time); DURATION gives the
    end; a zero length is read as no end; a date with a time (either way round) is an
    all-day event; a floating time takes the zone of the other end, else the calendar's."""
    start_prop = first(component, "DTSTART", row)
    if start_prop is None:
        row.problems.append("It has no DTSTART.")
        return
    start = start_prop.dt
    end_prop = first(component, "DTEND", row)
    duration = first(component, "DURATION", row)
    if end_prop is not None:
        end = end_prop.dt
    elif duration is not None and isinstance(duration.dt, timedelta):
        end = plus(start, duration.dt)
    else:
        end = None
    timed_start, timed_end = isinstance(start, datetime), isinstance(end, datetime)
    midnight = datetime.min.time()
    if (
        timed_start
        and timed_end
        and text_of(component, "X-MICROSOFT-CDO-ALLDAYEVENT").strip().upper() == "TRUE"
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
    zone = zone_name(start, start_prop.params.get("TZID"), row, day_zone)
    tz = ZoneInfo(zone)
    start = in_zone(start, tz)
    if end is None or in_zone(end, tz) == start:
        row.notes.append(
            "It has no end: it was read as one hour long."
            if end is None
            else "It ends when it starts: it was read as one hour long."
        )
        end = start + timedelta(hours=1)
    end = in_zone(end, tz)
    if end < start:
        row.problems.append("It ends before it starts.")
        return
    row.values.update(
        starts_on=start.date(),
        ends_on=end.date(),
        start_time=start.time().replace(microsecond=0, fold=0),
        end_time=end.time().replace(microsecond=0, fold=0),
        timezone=zone,
        # The second pass of a repeated hour (astimezone says so): kept, or it is an hour early.
        start_fold=bool(start.fold),
        end_fold=bool(end.fold),
    )


def plus(start: date | datetime, length: timedelta) -> date | datetime:
    """RFC 5545 3.3.6: a duration's days are nominal (the same clock time days later), its
    hours, minutes and seconds exact (counted across a change of clocks)."""
    if not isinstance(start, datetime) or start.tzinfo is None:
        return start + length
    days = timedelta(days=length.days)
    exact = length - days
    return (start + days).astimezone(UTC).__add__(exact).astimezone(start.tzinfo)
