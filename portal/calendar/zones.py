"""VTIMEZONEs written from zoneinfo, right by RFC 5545 for the years a calendar spans.

An observance's DTSTART is the onset in the local time *before* the change (RFC 5545 3.6.5:
it is read with TZOFFSETFROM), so Berlin's spring change at 01:00 UTC is
`DTSTART:20250330T020000` with `TZOFFSETFROM:+0100`. Each onset is an observance of its own,
with its DTSTART and no RDATE or RRULE: several readers honour only the first value of a
comma-joined RDATE list, and ical.js (Thunderbird) ignores an observance's DTSTART once it has
RDATEs. The observance in effect when the span begins is written too, so a reader never has to
guess the offset before the first change. A year of a zone with DST costs about 230 bytes.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar

STEP = timedelta(days=1)
# Before this, zoneinfo's offsets are local mean times to the second: nothing a feed needs.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


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


def _last_before(tzid: str, moment: datetime) -> datetime | None:
    """The last change in the ten years before `moment`, if any."""
    back = max(EARLIEST, moment - timedelta(days=3660))
    earlier = transitions(tzid, back, moment)
    return earlier[-1] if earlier else None


@functools.lru_cache(maxsize=512)
def vtimezone(tzid: str, first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE of `tzid` valid from January 1 of `first_year` to the end of
    `last_year`: the onset in effect then, and every change until the end."""
    tz = ZoneInfo(tzid)
    start = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    first = _last_before(tzid, start)
    onsets = [first or EARLIEST, *transitions(tzid, start, end)]
    zone = icalendar.Timezone()
    zone.add("tzid", tzid)
    for onset in onsets:
        after = onset.astimezone(tz)
        before = after.utcoffset()  # no change known before the span: the same offset
        if onset is not EARLIEST:
            before = (onset - timedelta(seconds=1)).astimezone(tz).utcoffset()
        observance = icalendar.TimezoneDaylight() if after.dst() else icalendar.TimezoneStandard()
        # The local time before the change: DTSTART is read with TZOFFSETFROM.
        observance.add("dtstart", (onset + before).replace(tzinfo=None))
        observance.add("tzoffsetfrom", before)
        observance.add("tzoffsetto", after.utcoffset())
        if after.tzname():
            observance.add("tzname", after.tzname())
        zone.add_component(observance)
    return zone.to_ical()
