"""The IANA zone of a time as files write it: an IANA name, a Windows or Outlook name, a
prefixed name (/mozilla.org/...), or a custom VTIMEZONE matched by its offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from portal.events.ical.owa_zones import owa_zone
from portal.events.ical.rows import ImportRow
from portal.events.rules import is_timezone, timezones


def iana_name(name: str) -> str | None:
    """An IANA zone name for a TZID: itself, or a Windows name's or an Outlook Web Access
    display name's IANA zone."""
    name = name.strip().strip('"')
    if is_timezone(name):
        return name
    mapped = WINDOWS_TO_OLSON.get(name) or owa_zone(name)
    if mapped and is_timezone(mapped):
        return mapped
    # Some producers write "/mozilla.org/20050126_1/Europe/Berlin" or a prefix before the name.
    for start in range(1, name.count("/") + 1):
        tail = name.split("/", start)[-1]
        if is_timezone(tail):
            return tail
    return None


def zone_name(start: datetime, tzid: str | None, row: ImportRow, day_zone: str) -> str:
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


def offsets(tzinfo, year: int) -> tuple:
    moments = [
        datetime(year, month, day, 12, tzinfo=UTC) for month in range(1, 13) for day in (1, 15)
    ]
    return tuple(moment.astimezone(tzinfo).utcoffset() for moment in moments)


@lru_cache(maxsize=1)
def _candidates() -> tuple[tuple[str, ZoneInfo], ...]:
    """Every zone a custom VTIMEZONE may be, in order of preference, each kept loaded:
    ZoneInfo's own cache keeps only a few strongly, and reading 500 zone files again for
    every year asked for was what made a small file take seconds."""
    rest = sorted(n for n in timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/")))
    return tuple((name, ZoneInfo(name)) for name in dict.fromkeys((*PREFERRED, *rest)))


def _probe(tzinfo, year: int) -> tuple:
    """Two offsets of the year (winter and summer): a cheap first sieve."""
    moments = (datetime(year, 1, 15, 12, tzinfo=UTC), datetime(year, 7, 15, 12, tzinfo=UTC))
    return tuple(moment.astimezone(tzinfo).utcoffset() for moment in moments)


@lru_cache(maxsize=256)
def _zones_by_probe(year: int) -> dict[tuple, list[str]]:
    """The zones by their two offsets of `year`, in order of preference: 2 conversions a
    zone (a few hundredths of a second a year) instead of 24."""
    found: dict[tuple, list[str]] = {}
    for name, zone in _candidates():
        found.setdefault(_probe(zone, year), []).append(name)
    return found


@lru_cache(maxsize=1)
def _loaded() -> dict[str, ZoneInfo]:
    return dict(_candidates())


@lru_cache(maxsize=4096)
def _offsets_of(name: str, year: int) -> tuple:
    return offsets(_loaded()[name], year)


# The zone found for a custom tzinfo (kept beside it, so a reused id() cannot mislead):
# its other years are then checked by the two probe offsets alone. A VTIMEZONE's tzinfo
# (dateutil's) takes milliseconds a conversion; 26 of them for each year of a file's events
# were most of a small file's reading.
_MATCHED: dict[int, tuple[object, str]] = {}


def matching_zone(tzinfo, year: int) -> str | None:
    """The IANA zone with the offsets of `tzinfo` through `year` (twice a month): the zones
    with its winter and summer offsets first, then only those compared in full."""
    try:
        probe = _probe(tzinfo, year)
        known = _MATCHED.get(id(tzinfo))
        if known is not None and known[0] is tzinfo and _probe(_loaded()[known[1]], year) == probe:
            return known[1]
        wanted = offsets(tzinfo, year)
    except (ValueError, TypeError, OverflowError):
        return None
    for name in _zones_by_probe(year).get(probe, []):
        if _offsets_of(name, year) == wanted:
            if len(_MATCHED) > 256:
                _MATCHED.clear()
            _MATCHED[id(tzinfo)] = (tzinfo, name)
            return name
    return None


def in_zone(moment: datetime, tz: ZoneInfo) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment.astimezone(tz)
