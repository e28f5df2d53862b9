"""Bounding a repeating event before it is expanded: a rule that cannot end (INTERVAL=0) is
refused, and a fine one (MINUTELY, SECONDLY, COUNT=10^9) is looked at lazily, one occurrence at
a time, only up to the cap: its expansion then asks for no more than the cap's worth of the
window, whatever the rule says. What the cap leaves out is counted (up to COUNT_LIMIT)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil import rrule  # type: ignore[import-untyped]

MAX_OCCURRENCES = 500
COUNT_LIMIT = 10_000  # occurrences counted past the cap, at most
WALK_LIMIT = 2_000_000  # steps a rule may need from its DTSTART to the window
STEP = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86_400,
    "WEEKLY": 604_800,
    "MONTHLY": 2_419_200,
    "YEARLY": 31_536_000,
}  # fmt: skip (shortest length of each)
FINE = ("SECONDLY", "MINUTELY", "HOURLY")


class TooMuchWork(Exception):
    """The file's reading ran past its time."""


@dataclass
class Bound:
    end: date | datetime  # expand the window up to here
    left_out: int = 0  # occurrences of the window the cap leaves out
    more: bool = False  # ... at least that many (counting stopped)


def check(deadline: float | None) -> None:
    if deadline is not None and time.monotonic() > deadline:
        raise TooMuchWork


def rules_of(master) -> list:
    found = master.get("RRULE")
    return found if isinstance(found, list) else [found] if found is not None else []


def problem(master) -> str | None:
    """Why the master's repetition cannot be expanded at all, or None."""
    for recur in rules_of(master):
        for interval in recur.get("INTERVAL", [1]):
            if not isinstance(interval, int) or interval < 1:
                return "Its RRULE has an INTERVAL below 1: it cannot repeat."
        for count in recur.get("COUNT", []):
            if not isinstance(count, int) or count < 0:
                return "Its RRULE has a COUNT below 0."
        if recur.get("FREQ", [""])[0] not in STEP:
            return "Its RRULE has no FREQ that RFC 5545 knows."
    return None


def _naive(moment: date | datetime) -> datetime:
    if isinstance(moment, datetime):
        return moment.replace(tzinfo=None)
    return datetime.combine(moment, datetime.min.time())


def rebase(master, window_start: date) -> str | None:
    """Move the DTSTART of a fine rule without COUNT (and so its DTEND) forward by whole
    steps to just before the window, where the occurrences are the same, so that nothing
    walks millions of steps from a DTSTART long ago. A rule that would still need more
    steps than WALK_LIMIT to reach the window is refused (the reason is returned)."""
    start_prop = master.get("DTSTART")
    if start_prop is None or isinstance(start_prop, list):
        return None
    start = start_prop.dt
    before = _naive(window_start) - _naive(start)
    if before <= timedelta(days=1):
        return None
    for recur in rules_of(master):
        freq = recur.get("FREQ", [""])[0]
        step = STEP[freq] * recur.get("INTERVAL", [1])[0]
        steps = before.total_seconds() / step
        if steps <= WALK_LIMIT:
            continue
        if freq not in FINE or recur.get("COUNT") or len(rules_of(master)) > 1:
            return "Its repetition is too fine to follow from its DTSTART to today."
        shift = timedelta(seconds=step * (int(steps) - 1))
        for name in ("DTSTART", "DTEND"):
            prop = master.get(name)
            if prop is not None and not isinstance(prop, list):
                master[name].dt = prop.dt + shift
    return None


def _rule(master):
    start = master["DTSTART"].dt
    if not isinstance(start, datetime):
        start = _naive(start)
    rules = rules_of(master)
    try:
        built = rrule.rruleset()
        for recur in rules:
            built.rrule(rrule.rrulestr(recur.to_ical().decode(), dtstart=start))
        return built, start
    except (ValueError, TypeError):
        # UNTIL and DTSTART of different kinds: wall times bound it well enough.
        built = rrule.rruleset()
        for recur in rules:
            text = recur.to_ical().decode().replace("Z;", ";").rstrip("Z")
            built.rrule(rrule.rrulestr(text, dtstart=_naive(start)))
        return built, _naive(start)


def bound(master, window: tuple[date, date], deadline: float | None) -> Bound:
    """How far the window must be expanded for at most MAX_OCCURRENCES of the master's
    RRULE, found lazily, and how many the cap leaves out."""
    first, last = window
    try:
        rules, start = _rule(master)
    except (ValueError, TypeError, KeyError):
        return Bound(end=last)  # the expansion says what is wrong
    zone = start.tzinfo
    low = datetime.combine(first, datetime.min.time(), zone)
    high = datetime.combine(last, datetime.min.time(), zone)
    for seen, moment in enumerate(rules.xafter(low, inc=True), start=1):
        check(deadline)
        if moment >= high:
            break
        if seen == MAX_OCCURRENCES + 1:
            cut = moment
            left = 1
            for later in rules.xafter(moment, inc=False):
                check(deadline)
                if later >= high:
                    return Bound(end=cut, left_out=left)
                left += 1
                if left >= COUNT_LIMIT:
                    return Bound(end=cut, left_out=left, more=True)
            return Bound(end=cut, left_out=left)
    return Bound(end=last)
