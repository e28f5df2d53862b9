"""The feed's VTIMEZONEs read as zoneinfo reads the zones, by readers that use the file's own
VTIMEZONE (not their own zone database): an implied-offset check hour by hour, vobject (through
dateutil's tzical) and ical.js (Thunderbird's parser, under Node when it is installed)."""

from __future__ import annotations

import json
import shutil
import subprocess
from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from dateutil import rrule

# Zones with daylight saving time in the feed's years, both hemispheres, half-hour changes
# (Lord Howe), negative DST (Dublin), 45-minute offsets (Chatham), and changes at 00:00 local
# (Santiago, Havana).
ZONES = (
    "America/Chicago", "America/Los_Angeles", "America/New_York", "America/St_Johns",
    "America/Santiago", "America/Havana", "America/Asuncion", "Europe/Berlin", "Europe/London",
    "Europe/Dublin", "Europe/Helsinki", "Asia/Jerusalem", "Australia/Sydney",
    "Australia/Lord_Howe", "Australia/Adelaide", "Pacific/Auckland", "Pacific/Chatham",
    "Asia/Tokyo", "Asia/Kolkata", "America/Sao_Paulo",
)  # fmt: skip
JS = Path(__file__).parent / "js"


@pytest.fixture
def feed(client, make_event, frozen_now):
    """Events at 09:00-17:00 local on the 10th of every other month of 2025 and 2026, and at
    the hours next to each change, in every zone of ZONES; the response and the events."""
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


def test_every_zone_of_the_feed_gives_zoneinfo_s_offset_at_every_hour(feed):
    response, _ = feed
    calendar = icalendar.Calendar.from_ical(response.data)
    written = {zone.tz_name: zone for zone in calendar.timezones}
    assert set(written) == set(ZONES)
    checked = 0
    for tzid, zone in written.items():
        known = onsets(zone)
        instants = [instant for instant, _ in known]
        tz = ZoneInfo(tzid)
        moment, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)
        while moment < end:
            index = bisect_right(instants, moment) - 1
            assert index >= 0, f"{tzid}: no observance in effect at {moment}"
            assert known[index][1] == moment.astimezone(tz).utcoffset(), (tzid, moment)
            moment += timedelta(hours=1)
            checked += 1
    assert checked == len(ZONES) * 26280


def _forget_vobject_zones() -> None:
    """vobject keeps the first VTIMEZONE it read for a TZID for good: forget them so it uses
    this file's (and, pytz being absent, nothing else)."""
    registry = vobject.icalendar.__dict__["__tzidMap"]
    for name in [name for name in registry if name != "UTC"]:
        del registry[name]


def test_vobject_reads_every_instant_of_the_database(feed):
    response, made = feed
    _forget_vobject_zones()
    parsed = vobject.readOne(response.get_data(as_text=True))
    by_uid = {f"event-{event.id}@portal.test": event for event in made}
    read = 0
    for vevent in parsed.vevent_list:
        event = by_uid[vevent.uid.value]
        start, end = vevent.dtstart.value, vevent.dtend.value
        assert start.tzinfo is not None and end.tzinfo is not None
        assert start.astimezone(UTC) == event.starts_at.replace(tzinfo=UTC), event.timezone
        assert end.astimezone(UTC) == event.local_end.astimezone(UTC), event.timezone
        read += 1
    assert read == len(made) == len(ZONES) * 12


@pytest.mark.skipif(
    not (shutil.which("node") and (JS / "node_modules" / "ical.js").exists()),
    reason="ical.js is not installed (npm ci in tests/js)",
)
def test_ical_js_reads_every_instant_of_the_database(feed):
    response, made = feed
    result = subprocess.run(
        ["node", str(JS / "read.mjs")],
        input=response.data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    read = json.loads(result.stdout)
    by_uid = {f"event-{event.id}@portal.test": event for event in made}
    assert len(read["events"]) == len(made)
    for item in read["events"]:
        event = by_uid[item["uid"]]
        assert item["zone"] == event.timezone
        start = datetime.fromisoformat(item["start"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(item["end"].replace("Z", "+00:00"))
        assert start == event.starts_at.replace(tzinfo=UTC), event.timezone
        assert end == event.local_end.astimezone(UTC), event.timezone


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
    _forget_vobject_zones()
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
    if shutil.which("node") and (JS / "node_modules" / "ical.js").exists():
        result = subprocess.run(
            ["node", str(JS / "read.mjs")], input=response.data, capture_output=True, check=True
        )
        read = json.loads(result.stdout)
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
    _forget_vobject_zones()
    again = vobject.readOne(response.get_data(as_text=True)).vevent
    assert again.dtstart.value == made.starts_at.replace(tzinfo=UTC)
    assert again.dtend.value.astimezone(UTC) == datetime(2025, 11, 2, 8, tzinfo=UTC)
