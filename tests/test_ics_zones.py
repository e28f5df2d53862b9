"""The feed's VTIMEZONEs read as zoneinfo reads the zones, in every zone of the pinned tzdata,
by readers that use the file's own VTIMEZONE (not their own zone database): the offsets the
observances imply, at every change and every day of the span, and ical.js (Thunderbird's
parser, under Node when it is installed), vobject (dateutil's tzical) and ics-py 0.8, each
event's instants compared with the database (calendar_readers.py, zone_feed.py)."""

from __future__ import annotations

import shutil
import subprocess
from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import TZPATH, ZoneInfo

import icalendar
import pytest
import vobject
import zone_feed
from calendar_readers import (
    READERS,
    ZONE_READERS,
    forget_vobject_zones,
    hours_shown_off,
    ical_js_available,
    ical_js_read,
)
from dateutil import rrule

from portal.calendar.ics import UTC_NAMES
from portal.events.rules import timezones

# Zones with daylight saving time in the feed's years, both hemispheres, half-hour changes
# (Lord Howe), negative DST (Dublin, Casablanca's Ramadan), 45-minute offsets (Chatham), and
# changes at 00:00 local (Santiago, Havana).
ZONES = (
    "America/Chicago", "America/Los_Angeles", "America/New_York", "America/St_Johns",
    "America/Santiago", "America/Havana", "America/Asuncion", "Europe/Berlin", "Europe/London",
    "Europe/Dublin", "Europe/Helsinki", "Asia/Jerusalem", "Australia/Sydney",
    "Australia/Lord_Howe", "Australia/Adelaide", "Pacific/Auckland", "Pacific/Chatham",
    "Asia/Tokyo", "Asia/Kolkata", "America/Sao_Paulo", "Africa/Casablanca",
)  # fmt: skip
# Zones whose offset in 2025 came in more than ten years before (Vietnam's +07 in 1975,
# Kiritimati's +14 in 1994), with the span whose VTIMEZONE was written with the offset of
# 1970-01-01 (Cancun's -05 of 2015 crossed the ten-year line in 2026).
LONG_UNCHANGED = (
    ("Asia/Ho_Chi_Minh", 2025), ("Asia/Singapore", 2025), ("Asia/Kuala_Lumpur", 2025),
    ("Asia/Qatar", 2025), ("Asia/Bahrain", 2025), ("Asia/Kathmandu", 2025),
    ("Europe/Kaliningrad", 2025), ("Pacific/Kiritimati", 2025), ("America/Cancun", 2026),
    ("America/Sao_Paulo", 2029),
)  # fmt: skip
NEGATIVE_DST = ("Europe/Dublin", "Africa/Casablanca")  # zoneinfo's dst() < 0 in winter, Ramadan
SPAN = (datetime(2025, 1, 1), datetime(2028, 1, 1))  # local: the every-zone feed's VTIMEZONEs
# The every-zone feed takes long to build: made once, on one xdist worker, for the module.
pytestmark = pytest.mark.xdist_group("every-zone")


@pytest.fixture(scope="module")
def every_zone(tmp_path_factory):
    """The feed with events in every zone at the hours next to each change (zone_feed.py),
    fetched once for the module; and the events by UID: (zone, start, end) in UTC."""
    app, expected = zone_feed.app_with_events(tmp_path_factory.mktemp("every-zone"))
    return zone_feed.feed(app), expected


@pytest.fixture(scope="module")
def every_zone_written(every_zone) -> dict[str, icalendar.Timezone]:
    """The VTIMEZONEs of the every-zone feed by TZID, as icalendar reads them."""
    body, _ = every_zone
    return {zone.tz_name: zone for zone in icalendar.Calendar.from_ical(body).timezones}


@pytest.fixture
def feed(client, make_event, frozen_now):
    """Events at 09:00-17:00 local on the 10th of every other month of 2025 and 2026 in every
    zone of ZONES; the response and the events."""
    made = []
    for zone in ZONES:
        days = [date(year, month, 10) for year in (2025, 2026) for month in range(1, 13, 2)]
        for day in days:
            made.append(
                make_event(
                    starts_on=day, ends_on=day, start_time=time(9), end_time=time(17), timezone=zone
                )
            )
    response = client.get("/events.ics")
    assert response.status_code == 200
    return response, made


def onsets(zone: icalendar.Timezone) -> list[tuple[datetime, timedelta]]:
    """(UTC instant, offset after) of each onset a VTIMEZONE states, read the RFC 5545 way:
    DTSTART and RDATE are local times before the change (TZOFFSETFROM)."""
    found = []
    for observance in zone.subcomponents:
        before = observance["TZOFFSETFROM"].td
        after = observance["TZOFFSETTO"].td
        start = observance["DTSTART"].dt
        assert start.tzinfo is None  # local times, never UTC or zoned
        starts = [start]
        rdates = observance.get("RDATE", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            assert len(rdate.dts) == 1  # one onset a line: some readers read only the first
            starts.append(rdate.dts[0].dt)
        if "RRULE" in observance:
            rule = rrule.rrulestr(observance["RRULE"].to_ical().decode(), dtstart=start)
            starts += list(rule.between(start, datetime(2040, 1, 1), inc=True))
        found += [((local - before).replace(tzinfo=UTC), after) for local in starts]
    return sorted(found)


def offset_at(known: list[tuple[datetime, timedelta]], moment: datetime) -> timedelta:
    """The offset the observances read by `onsets` put in force at `moment`."""
    index = bisect_right(known, (moment, timedelta.max)) - 1
    assert index >= 0, f"no observance in effect at {moment}"
    return known[index][1]


def zdump_changes(tzids, start: datetime, end: datetime) -> dict[str, list[datetime]] | None:
    """The instants at which zdump (tzcode's, from the C library's package) sees each zone change
    in [start, end), and the second before each, read from the files zoneinfo reads: a list of
    changes that does not come from the code under test. None without zdump."""
    if not shutil.which("zdump"):
        return None
    files = {}
    for tzid in tzids:
        found = [Path(folder) / tzid for folder in TZPATH if (Path(folder) / tzid).is_file()]
        files[str(found[0] if found else resources.files("tzdata") / "zoneinfo" / tzid)] = tzid
    bounds = f"{int(start.timestamp())},{int(end.timestamp())}"
    result = subprocess.run(
        ["zdump", "-V", "-t", bounds, *files], capture_output=True, text=True, check=True
    )
    changes: dict[str, list[datetime]] = {tzid: [] for tzid in tzids}
    for line in result.stdout.splitlines():
        name, _, rest = line.partition("  ")
        universal = rest.strip().split(" UT = ")[0]
        moment = datetime.strptime(universal, "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
        changes[files[name]].append(moment)
    return changes


@pytest.mark.slow
def test_every_zone_s_vtimezone_gives_zoneinfo_s_offset_at_every_change_and_every_day(
    every_zone_written,
):
    """Hour by hour where anything changes: for every zone of the pinned tzdata, zoneinfo's
    offset and the one the feed's VTIMEZONE implies (read the RFC 5545 way) are the same each
    day, at every hour from three before to three after each onset the VTIMEZONE writes, and
    at each change zdump finds and the second before it. Between those, neither changes: the
    VTIMEZONE has no onset there, and zoneinfo none that zdump or a day's step would see."""
    written = every_zone_written
    assert set(written) == timezones() - UTC_NAMES
    start, end = datetime(2024, 12, 31, tzinfo=UTC), datetime(2028, 1, 2, tzinfo=UTC)
    changes = zdump_changes(written, start, end) or {}
    checked = 0
    for tzid, zone in written.items():
        tz = ZoneInfo(tzid)
        first, last = (moment.replace(tzinfo=tz).astimezone(UTC) for moment in SPAN)
        known = onsets(zone)
        moments = {first + k * timedelta(days=1) for k in range((last - first).days + 1)}
        for onset, _ in known:
            moments.update(onset + k * timedelta(hours=1) for k in range(-3, 4))
        moments.update(changes.get(tzid, ()))
        for moment in sorted(m for m in moments if first <= m < last):
            assert offset_at(known, moment) == moment.astimezone(tz).utcoffset(), (tzid, moment)
            checked += 1
    assert checked > len(written) * 1095


@pytest.mark.parametrize("tzid, year", LONG_UNCHANGED)
def test_a_zone_unchanged_for_decades_is_written_with_the_offset_in_force_when_the_span_begins(
    client, make_event, frozen_now, tzid, year
):
    made = make_event(
        starts_on=date(year, 1, 1),
        ends_on=date(year, 1, 1),
        start_time=time(0, 30),  # Kiritimati's 00:30 is the day before in UTC
        end_time=time(1, 30),
        timezone=tzid,
    )
    response = client.get(f"/events/{made.slug}.ics")
    (zone,) = icalendar.Calendar.from_ical(response.data).timezones
    first = zone.subcomponents[0]
    in_force = made.local_start.utcoffset()
    assert first["TZOFFSETTO"].td == in_force
    assert onsets(zone)[0][0] <= made.starts_at.replace(tzinfo=UTC)
    forget_vobject_zones()
    again = vobject.readOne(response.get_data(as_text=True)).vevent
    assert again.dtstart.value.astimezone(UTC) == made.starts_at.replace(tzinfo=UTC)


@pytest.mark.slow
def test_daylight_is_the_greater_of_two_offsets_a_zone_alternates_between(every_zone_written):
    """RFC 5545 allows a DAYLIGHT observance that turns clocks back (Dublin's winter in
    zoneinfo), but readers that take DAYLIGHT as the later offset misread it: of two offsets
    a zone alternates between, the greater is DAYLIGHT; one offset alone is STANDARD."""
    alternating = set()
    for zone in every_zone_written.values():
        kinds = {}
        for observance in zone.subcomponents:
            before, after = observance["TZOFFSETFROM"].td, observance["TZOFFSETTO"].td
            if observance.name == "DAYLIGHT":
                assert after > before, (zone.tz_name, observance["DTSTART"].dt)
            kinds.setdefault(after, set()).add(observance.name)
        offsets = [observance["TZOFFSETTO"].td for observance in zone.subcomponents]
        if len(kinds) == 1:
            assert kinds == {offsets[0]: {"STANDARD"}}, zone.tz_name
        elif len(offsets) >= 3 and len(set(offsets[::2])) == len(set(offsets[1::2])) == 1:
            low, high = sorted(kinds)
            assert kinds == {low: {"STANDARD"}, high: {"DAYLIGHT"}}, zone.tz_name
            alternating.add(zone.tz_name)
    assert set(NEGATIVE_DST) | {"Europe/Berlin", "Australia/Sydney"} <= alternating


@pytest.mark.parametrize("reader", ZONE_READERS)
def test_a_reader_shows_the_hours_of_each_change_in_the_zone_s_own_time_as_zoneinfo_does(
    feed, reader
):
    """dateutil's conversion from UTC (vobject's, and ics-py's, which inherits it) takes a
    DAYLIGHT observance for the later offset: it showed Dublin's and Casablanca's hours next to
    their changes an hour off while they were DAYLIGHT observances turning clocks back."""
    response, _ = feed
    read = ZONE_READERS[reader](response.data)
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    assert hours_shown_off(read, ZONES, start, end) == []


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.slow
def test_every_reader_reads_every_event_instant_of_the_database_in_every_zone(every_zone, reader):
    if reader == "ical.js" and not ical_js_available():
        pytest.skip("ical.js is not installed (npm ci in tests/js)")
    body, expected = every_zone
    read = READERS[reader](body)
    assert set(read) == set(expected)
    off = [
        (zone, start) for uid, (zone, start, end) in expected.items() if read[uid] != (start, end)
    ]
    assert off == []
    assert {zone for zone, _, _ in expected.values()} == timezones()


def wrong_berlin(offset: str) -> bytes:
    """A file whose Europe/Berlin is at `offset` all year, with an event at 09:00 there."""
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Portal tests//Wrong zone//EN",
        "BEGIN:VTIMEZONE", "TZID:Europe/Berlin", "BEGIN:STANDARD", "DTSTART:20240101T000000",
        f"TZOFFSETFROM:{offset}", f"TZOFFSETTO:{offset}", "TZNAME:WRONG", "END:STANDARD",
        "END:VTIMEZONE", "BEGIN:VEVENT", "UID:wrong-zone@portal.test", "DTSTAMP:20250101T000000Z",
        "DTSTART;TZID=Europe/Berlin:20250610T090000", "DTEND;TZID=Europe/Berlin:20250610T100000",
        "SUMMARY:Wrong zone", "END:VEVENT", "END:VCALENDAR",
    ]  # fmt: skip
    return "".join(f"{line}\r\n" for line in lines).encode()


@pytest.mark.parametrize("offset, hour", [("+0500", 4), ("+0000", 9)])
@pytest.mark.parametrize("reader", READERS)
def test_every_reader_follows_the_file_s_vtimezone_not_a_zone_database_of_its_own(
    reader, offset, hour
):
    """A reader with a zone database of its own would read Berlin's 09:00 as 07:00 UTC: ics-py
    0.7 does (it asks dateutil's gettz first), and so does vobject for a zone it takes for UTC
    (pytz's Berlin) unless the file's zones are registered first (calendar_readers.py)."""
    if reader == "ical.js" and not ical_js_available():
        pytest.skip("ical.js is not installed (npm ci in tests/js)")
    read = READERS[reader](wrong_berlin(offset))
    start = datetime(2025, 6, 10, hour, tzinfo=UTC)
    assert read == {"wrong-zone@portal.test": (start, start + timedelta(hours=1))}


def test_a_single_event_file_with_its_zone_stays_under_4_kb(client, make_event, frozen_now):
    for zone in ZONES:
        made = make_event(
            starts_on=date(2025, 6, 1),
            ends_on=date(2025, 6, 1),
            start_time=time(9),
            end_time=time(10),
            timezone=zone,
        )
        response = client.get(f"/events/{made.slug}.ics")
        assert response.status_code == 200
        assert len(response.data) < 4096, zone


def test_the_empty_feed_holds_one_valid_component_and_no_event(client, frozen_now):
    response = client.get("/events.ics")
    calendar = icalendar.Calendar.from_ical(response.data)
    assert calendar.walk("VEVENT") == []
    (zone,) = calendar.timezones
    assert zone.tz_name == "UTC" and len(zone.subcomponents) == 1
    forget_vobject_zones()
    again = vobject.readOne(response.get_data(as_text=True))
    assert again.vtimezone.tzid.value == "UTC"


def test_names_and_texts_with_commas_semicolons_backslashes_and_lines_read_whole(
    client, make_event, frozen_now
):
    title = "Hybrid, matching “cloud”; a\\b\nsecond line"
    made = make_event(title=title, starts_on=date(2025, 6, 1), ends_on=date(2025, 6, 1))
    response = client.get(f"/events/{made.slug}.ics")
    assert response.status_code == 200
    again = vobject.readOne(response.get_data(as_text=True))
    assert again.contents["name"][0].value == f"{title} · OpenInfra Foundation"
    assert again.contents["x-wr-calname"][0].value == f"{title} · OpenInfra Foundation"
    assert again.vevent.summary.value == title
    if ical_js_available():
        read = ical_js_read(response.data)
        # ical.js gives NAME (RFC 7986, unknown to it) as written: escaped, as TEXT is.
        escaped = "Hybrid\\, matching “cloud”\\; a\\\\b\\nsecond line"
        assert read["name"] == f"{escaped} · OpenInfra Foundation"
        assert read["events"][0]["summary"] == title


def test_a_time_the_clocks_show_twice_is_written_as_the_instant_the_portal_means(
    client, make_event, frozen_now
):
    made = make_event(
        starts_on=date(2025, 11, 2),
        ends_on=date(2025, 11, 2),
        start_time=time(1, 30),  # New York shows 01:30 twice that night: EDT, then EST
        end_time=time(3),
        timezone="America/New_York",
    )
    response = client.get(f"/events/{made.slug}.ics")
    assert b"DTSTART:20251102T053000Z\r\n" in response.data  # 01:30 EDT, the first
    assert b"DTEND;TZID=America/New_York:20251102T030000\r\n" in response.data
    forget_vobject_zones()
    again = vobject.readOne(response.get_data(as_text=True)).vevent
    assert again.dtstart.value == made.starts_at.replace(tzinfo=UTC)
    assert again.dtend.value.astimezone(UTC) == datetime(2025, 11, 2, 8, tzinfo=UTC)


def test_zones_are_read_from_the_pinned_tzdata_not_the_machine():
    """zoneinfo reads the system's zone files first; the portal reads the pinned tzdata, so an
    event's instants do not depend on the host it runs on."""
    from importlib import resources
    from zoneinfo import TZPATH

    import portal  # noqa: F401 (sets the zone path)

    assert TZPATH == () or __import__("zoneinfo").TZPATH == ()
    for name in ("America/Vancouver", "America/Havana", "Africa/Casablanca", "Europe/Berlin"):
        with resources.files("tzdata").joinpath("zoneinfo", *name.split("/")).open("rb") as f:
            pinned = ZoneInfo.from_file(f)
        for month in range(1, 13):
            moment = datetime(2026, month, 15, 12, tzinfo=UTC)
            assert (
                moment.astimezone(ZoneInfo(name)).utcoffset()
                == moment.astimezone(pinned).utcoffset()
            ), (name, month)
