"""VTIMEZONEs written from zoneinfo, right by RFC 5545 for the years a calendar spans.

An observance's DTSTART is the onset in the local time *before* the change (RFC 5545 3.6.5:
it is read with TZOFFSETFROM), so Berlin's spring change at 01:00 UTC is
`DTSTART:20250330T020000` with `TZOFFSETFROM:+0100`. Each onset is an observance of its own,
with its DTSTART and no RDATE or RRULE: several readers honour only the first value of a
comma-joined RDATE list, and ical.js (Thunderbird) ignores an observance's DTSTART once it has
RDATEs. The observance in effect when the span begins is written too, so a reader never has to
guess the offset before the first change: with the offset zoneinfo gives then, however long ago
the zone last changed (Vietnam's +07 of 1975, not the +08 of 1970).

Of two offsets a zone alternates between, the greater is DAYLIGHT and the smaller STANDARD,
whatever the sign of zoneinfo's `dst()`: tzdata has Dublin's winter and Morocco's Ramadan as
negative DST, which RFC 5545 allows, but readers that take DAYLIGHT for the later offset (as
dateutil's conversion from UTC does) misread them. A zone with one offset, or a permanent
change, is STANDARD. A year of a zone with DST costs about 230 bytes.
"""

from __future__ import annotations

import functools
import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

STEP = timedelta(days=1)


def transitions(tzid: str, start: datetime, end: datetime) -> list[datetime]:
    """The UTC instants in [start, end) at which the zone's offset, DST or name changes."""
    tz = ZoneInfo(tzid)
    found = []

    def state(moment: datetime):
        local = moment.astimezone(tz)
        return local.utcoffset(), local.dst(), local.tzname()

    moment, current = start, state(start)
    while moment < end:
        step_end = min(moment + STEP, end)
        after = state(step_end)
        if after != current:
            low, high = moment, step_end  # state(low) == current, state(high) != current
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    break
                if state(middle) == current:
                    low = middle
                else:
                    high = middle
            found.append(high)
            current = state(high)
        moment = step_end
    return found


def daylight(offsets: list[timedelta]) -> list[bool]:
    """For each offset of a zone in the order it is in force, whether it is DAYLIGHT: the
    greater of two offsets the zone alternates between (A, B, A: B if it is the greater).
    An offset with no neighbour to alternate with, or one between two others (a permanent
    change), is STANDARD."""
    runs = [offset for offset, _ in itertools.groupby(offsets)]
    run_of = [index for index, (_, same) in enumerate(itertools.groupby(offsets)) for _ in same]
    found = []
    for index in run_of:
        offset = runs[index]
        before = runs[index - 1] if index > 0 else None
        after = runs[index + 1] if index + 1 < len(runs) else None
        if before is not None and after is not None:
            alternates, other = before == after, before
        elif before is not None:  # the last: did the zone come back to it before?
            alternates, other = index > 1 and runs[index - 2] == offset, before
        elif after is not None:  # the first: does the zone come back to it after?
            alternates, other = index + 2 < len(runs) and runs[index + 2] == offset, after
        else:
            alternates, other = False, offset
        found.append(alternates and offset > other)
    return found


def offset(moment: datetime, tz: ZoneInfo) -> timedelta:
    """The UTC offset in force in `tz` at `moment` (a zone always has one)."""
    found = moment.astimezone(tz).utcoffset()
    assert found is not None  # nosec B101 (ZoneInfo gives every instant one)
    return found


@functools.lru_cache(maxsize=1024)
def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE of `tzid` valid from January 1 of `first_year` to the end of
    `last_year` (local time): the onset in effect then, and every change until the end."""
    tz = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=tz).astimezone(UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=tz).astimezone(UTC)
    # The offset in force when the span begins, however long ago it came in: its onset is the
    # last change in the year before (a zone with DST changes in every year), or, for a zone
    # that did not change in that year, the start of that year: an onset that changes nothing
    # (TZOFFSETFROM is TZOFFSETTO).
    back = datetime(first_year - 1, 1, 1, tzinfo=tz).astimezone(UTC)
    earlier = transitions(tzid, back, start)
    onsets = [earlier[-1] if earlier else back, *transitions(tzid, start, end)]
    befores = [offset(onset - timedelta(seconds=1), tz) for onset in onsets]
    afters = [onset.astimezone(tz) for onset in onsets]
    kinds = daylight([befores[0], *(offset(after, tz) for after in afters)])[1:]
    # An onset past the first that moves no clock (only the name or the DST flag changes, as
    # when a zone stays on its summer offset for good) is STANDARD: a DAYLIGHT observance
    # that does not turn clocks forward is what readers misread.
    kinds = [kinds[0]] + [
        kind and before != after.utcoffset()
        for kind, before, after in zip(kinds[1:], befores[1:], afters[1:], strict=True)
    ]
    zone = icalendar.Timezone()
    zone.add("tzid", tzid)
    for onset, before, after, is_daylight in zip(onsets, befores, afters, kinds, strict=True):
        observance = icalendar.TimezoneDaylight() if is_daylight else icalendar.TimezoneStandard()
        # The local time before the change: DTSTART is read with TZOFFSETFROM.
        observance.add("dtstart", (onset + before).replace(tzinfo=None))
        observance.add("tzoffsetfrom", before)
        observance.add("tzoffsetto", after.utcoffset())
        if after.tzname():
            observance.add("tzname", after.tzname())
        zone.add_component(observance)
    return zone.to_ical()
