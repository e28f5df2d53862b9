"""What an attack on the import found (issue 17), each kept as its reproduction: rules that
never end or are too fine, a server that drips its answer, addresses `is_global` misjudges,
and the parse that the staff screen did twice."""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import threading
import time
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import icalendar
import pytest

from portal.events import ical
from portal.events.ical import remote
from portal.events.models import Event
from portal.extensions import db

CORPUS = Path(__file__).parent / "calendars" / "hostile"
NOW = datetime(2026, 6, 1, tzinfo=UTC)  # the window is 2025-06-01..2028-05-31


def read(app, name: str):
    with app.test_request_context():
        return ical.read((CORPUS / name).read_bytes(), now=NOW)


def test_an_interval_of_zero_is_refused_at_once_instead_of_looping(app):
    started = time.monotonic()
    reading = read(app, "interval_zero.ics")
    assert time.monotonic() - started < 2
    [row] = reading.rows
    assert "INTERVAL below 1" in row.reason


@pytest.mark.parametrize(
    "name", ["minutely.ics", "secondly_count_billion.ics", "secondly_since_1990.ics"]
)
def test_fine_rules_stop_at_the_cap_while_expanding(app, name):
    started = time.monotonic()
    reading = read(app, name)
    assert time.monotonic() - started < 10  # it was 1.5 M or 94 M occurrences, or for ever
    assert len(reading.rows) == ical.MAX_OCCURRENCES
    [capped] = reading.capped
    assert capped.more and capped.left_out >= 9_999


def test_what_the_cap_leaves_out_is_counted(app):
    reading = read(app, "daily_capped.ics")
    assert len(reading.rows) == ical.MAX_OCCURRENCES
    # Daily from 2026-01-01 until the window ends (2028-05-31, exclusive): 881.
    [capped] = reading.capped
    assert (capped.left_out, capped.more) == (881 - ical.MAX_OCCURRENCES, False)
    assert reading.left_out == 381


def test_the_cap_is_reported_by_the_command_in_json(app, runner):
    result = runner.invoke(args=["events", "import", str(CORPUS / "minutely.ics"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    [left] = report["left_out"]
    assert left["uid"] == "minutely@attack.example"
    assert left["occurrences"] >= 9_999 and left["more"] is True


def test_a_file_that_takes_too_long_to_read_is_refused_cleanly(app):
    app.config["IMPORT_READ_SECONDS"] = 0
    with app.test_request_context(), pytest.raises(ical.UnreadableCalendar, match="to read"):
        ical.read((CORPUS / "daily_capped.ics").read_bytes(), now=NOW)


@pytest.mark.parametrize(
    "address",
    [
        "fec0::1",  # site-local (deprecated), which Python 3.11 calls global
        "::ffff:0:7f00:1",  # ::ffff:0:0:0/96, IPv4-translated 127.0.0.1
        "5f00::1",  # SRv6 SIDs
        "3fff::1",  # documentation (RFC 9637)
        "2001:db8::1",
        "192.0.2.1",
        "198.18.0.1",
        "0.1.2.3",
        "240.0.0.1",
    ],
)
def test_the_address_filter_is_an_allow_list(address):
    assert not remote.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_global_unicast_addresses_are_allowed(address):
    assert remote.is_public(ipaddress.ip_address(address))


@pytest.fixture
def dripping_server():
    """A server that answers a byte every 0.2 s, for ever (until the test ends)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    stop = threading.Event()

    def serve():
        listener.settimeout(5)
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/calendar\r\n\r\n"
        try:
            conn.sendall(head)
            while not stop.is_set():
                conn.sendall(b"B")
                time.sleep(0.2)
        except OSError:
            pass
        finally:
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.ics"
    stop.set()
    listener.close()
    thread.join(5)


def test_the_fetch_has_an_overall_deadline_not_one_per_read(dripping_server):
    started = time.monotonic()
    with pytest.raises(ical.FetchFailed, match="longer than 1 s"):
        remote.fetch(dripping_server, max_bytes=10_000, timeout=1, allow_private=True)
    assert time.monotonic() - started < 3


def upload(client, csrf, data: bytes):
    form = {"csrf_token": csrf("/staff/import/"), "file": (BytesIO(data), "events.ics")}
    return client.post("/staff/import/", data=form, content_type="multipart/form-data")


def press_import(client, preview):
    text = preview.get_data(as_text=True)
    pattern = r'name="(csrf_token|token|publish)" type="hidden" value="([^"]*)"'
    return client.post("/staff/import/apply", data=dict(re.findall(pattern, text)))


def hourly(count: int) -> bytes:
    """A series of `count` hours from ten days ago, wherever today is."""
    start = (datetime.now(UTC) - timedelta(days=10)).strftime("%Y%m%dT%H0000Z")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", "BEGIN:VEVENT",
             "UID:hourly@test.example", f"DTSTART:{start}", "DURATION:PT30M", "SUMMARY:Hourly",
             f"RRULE:FREQ=HOURLY;COUNT={count}", "END:VEVENT", "END:VCALENDAR"]  # fmt: skip
    return "\r\n".join([*lines, ""]).encode()


def test_the_staff_preview_says_what_the_cap_leaves_out(client, editor, csrf):
    preview = upload(client, csrf, hourly(600))
    text = preview.get_data(as_text=True)
    assert "Left out by the cap of 500 occurrences a series: 100 occurrences." in text
    assert "Hourly: 100 left out" in text


def test_the_import_uses_the_previews_reading_and_parses_nothing_again(
    client, editor, csrf, monkeypatch
):
    preview = upload(client, csrf, hourly(600))
    assert preview.status_code == 200

    def parse_again(*args, **kwargs):
        raise AssertionError("the file was parsed again")

    monkeypatch.setattr(icalendar.Calendar, "from_ical", parse_again)
    monkeypatch.setattr(ical, "read", parse_again)
    done = press_import(client, preview)
    assert done.status_code == 303
    count = db.session.scalar(db.select(db.func.count()).select_from(Event))
    assert count == ical.MAX_OCCURRENCES


CUSTOM_ZONE = [
    "BEGIN:VTIMEZONE", "TZID:Custom Central", "BEGIN:STANDARD", "DTSTART:19701025T030000",
    "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
    "END:STANDARD", "BEGIN:DAYLIGHT", "DTSTART:19700329T020000", "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT",
    "END:VTIMEZONE",
]  # fmt: skip


def test_a_custom_zone_over_many_years_is_matched_within_a_second(app):
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", *CUSTOM_ZONE]
    for year in range(2001, 2026):
        lines += ["BEGIN:VEVENT", f"UID:year-{year}@test.example", "DTSTAMP:20250101T000000Z",
                  f"DTSTART;TZID=Custom Central:{year}0612T100000",
                  f"DTEND;TZID=Custom Central:{year}0612T110000", f"SUMMARY:Meeting {year}",
                  "END:VEVENT"]  # fmt: skip
    data = "\r\n".join([*lines, "END:VCALENDAR", ""]).encode()
    one_year = data[: data.index(b"BEGIN:VEVENT", data.index(b"BEGIN:VEVENT") + 1)]
    with app.test_request_context():
        ical.read(one_year + b"END:VCALENDAR\r\n")  # the zones loaded, as after a first file
        started = time.monotonic()
        reading = ical.read(data)
    # It took 13-14 s; a second is the goal, with room here for a machine shared by eight.
    assert time.monotonic() - started < 2
    zones = {row.values["timezone"] for row in reading.rows}
    assert len(zones) == 1 and zones <= {"Europe/Berlin"}
