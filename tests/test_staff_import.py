"""Importing events from iCalendar: preview, then create or update by UID; the CLI; and a
round trip of the portal's own feed."""

import http.server
import json
import re
import threading
from datetime import date, time
from io import BytesIO

import icalendar
import pytest
import sample
from sqlalchemy import delete

from portal.events.models import (
    Event,
    EventFormat,
    EventKind,
    EventLink,
    EventStatus,
    LinkKind,
    LinkState,
)
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("frozen_now")

# As calendar programs write them: a VTIMEZONE, an all-day event, a cancelled one, UTC, a
# weekly one (99 occurrences in the window) and one without UID, folded lines and escaped
# commas.
REAL_WORLD = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Example Corp//Calendar 1.0//EN\r
X-WR-TIMEZONE:Europe/Berlin\r
BEGIN:VTIMEZONE\r
TZID:America/Los_Angeles\r
BEGIN:STANDARD\r
DTSTART:20241103T020000\r
TZOFFSETFROM:-0700\r
TZOFFSETTO:-0800\r
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r
TZNAME:PST\r
END:STANDARD\r
BEGIN:DAYLIGHT\r
DTSTART:20250309T020000\r
TZOFFSETFROM:-0800\r
TZOFFSETTO:-0700\r
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r
TZNAME:PDT\r
END:DAYLIGHT\r
END:VTIMEZONE\r
BEGIN:VEVENT\r
UID:pasadena-2025@example.org\r
DTSTAMP:20241101T000000Z\r
DTSTART;TZID=America/Los_Angeles:20250306T090000\r
DTEND;TZID=America/Los_Angeles:20250307T170000\r
SUMMARY:OpenInfra Days North America 2025\r
DESCRIPTION:Two days of open infrastructure.\\n\\nCo-located with SCaLE 22x\r
 \\, in Pasadena.\r
LOCATION:Pasadena Convention Center\\, Pasadena\\, CA\\, United States\r
GEO:34.1443;-118.1446\r
URL:https://openinfra.dev/days/na\r
CATEGORIES:OpenInfra Days,OpenStack\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:ptg-2025@example.org\r
DTSTAMP:20241101T000000Z\r
DTSTART;VALUE=DATE:20250407\r
DTEND;VALUE=DATE:20250412\r
SUMMARY:Virtual PTG\r
LOCATION:Online\r
URL:javascript:alert(1)\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:berlin-2025@example.org\r
DTSTAMP:20241101T000000Z\r
DTSTART:20250605T070000Z\r
DTEND:20250605T150000Z\r
STATUS:CANCELLED\r
SUMMARY:Cancelled: OpenInfra Day Berlin\r
LOCATION:Berlin\\, Germany\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:weekly@example.org\r
DTSTAMP:20241101T000000Z\r
DTSTART:20250101T170000Z\r
DTEND:20250101T180000Z\r
RRULE:FREQ=WEEKLY\r
SUMMARY:Weekly meeting\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTAMP:20241101T000000Z\r
DTSTART;VALUE=DATE:20250801\r
SUMMARY:No UID\r
END:VEVENT\r
END:VCALENDAR\r
"""


def by_uid(uid: str) -> Event:
    return db.session.scalar(db.select(Event).where(Event.import_uid == uid))


def upload(client, csrf, data: bytes, publish: bool = False, name: str = "events.ics"):
    form = {"csrf_token": csrf("/staff/import/"), "file": (BytesIO(data), name)}
    if publish:
        form["publish"] = "y"
    return client.post("/staff/import/", data=form, content_type="multipart/form-data")


def apply(client, preview, **overrides):
    """Press the preview's Import button."""
    text = preview.get_data(as_text=True)
    pattern = r'name="(csrf_token|token|publish)" type="hidden" value="([^"]*)"'
    fields = dict(re.findall(pattern, text))
    return client.post("/staff/import/apply", data={**fields, **overrides})


def test_a_real_world_file_is_previewed_then_imported(client, editor, csrf, make_project):
    make_project("openstack", "OpenStack")
    preview = upload(client, csrf, REAL_WORLD)
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "103 events read: 103 to create" in " ".join(text.split())
    assert "1 repeating event: their occurrences from 2023-11-21 to 2026-11-20" in " ".join(
        text.split()
    )
    assert "It has no UID" in text and "a draft marked cancelled" in text
    assert "not an http(s) address" in text
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0  # not yet

    done = apply(client, preview)
    assert done.status_code == 303 and done.headers["Location"] == "/staff/events/"
    assert "103 created, 0 updated, 0 unchanged, 0 skipped" in client.get(
        "/staff/events/"
    ).get_data(as_text=True)

    pasadena = by_uid("pasadena-2025@example.org")
    assert pasadena.status is EventStatus.DRAFT
    assert (pasadena.starts_on, pasadena.ends_on) == (date(2025, 3, 6), date(2025, 3, 7))
    assert (pasadena.start_time, pasadena.end_time) == (time(9), time(17))
    assert pasadena.timezone == "America/Los_Angeles"
    assert (pasadena.venue, pasadena.city, pasadena.region, pasadena.country) == (
        "Pasadena Convention Center",
        "Pasadena",
        "CA",
        "US",
    )
    assert (pasadena.latitude, pasadena.longitude) == (34.1443, -118.1446)
    assert pasadena.summary == "Two days of open infrastructure."
    assert "SCaLE 22x, in Pasadena" in pasadena.description
    assert pasadena.kind.value == "openinfra_days"
    assert [p.slug for p in pasadena.projects] == ["openstack"]
    assert pasadena.link(LinkKind.REGISTER).url == "https://openinfra.dev/days/na"
    assert pasadena.slug == "openinfra-days-north-america-2025"

    ptg = by_uid("ptg-2025@example.org")
    assert (ptg.starts_on, ptg.ends_on, ptg.start_time) == (
        date(2025, 4, 7),
        date(2025, 4, 11),
        None,
    )
    assert ptg.format is EventFormat.VIRTUAL and ptg.links == []
    assert ptg.timezone == "Europe/Berlin"  # the calendar's own zone, for all-day events

    berlin = by_uid("berlin-2025@example.org")
    # Imported as drafts: a cancelled event stays a draft, marked cancelled where staff read.
    assert berlin.status is EventStatus.DRAFT and berlin.title == "OpenInfra Day Berlin"
    assert berlin.summary.startswith("Cancelled in the source calendar.")
    # UTC times in a calendar that names its zone are shown in that zone (the same instant).
    assert (berlin.timezone, berlin.start_time, berlin.country) == ("Europe/Berlin", time(9), "DE")

    weekly = by_uid("weekly@example.org#20250108T170000Z")
    assert (weekly.starts_on, weekly.start_time, weekly.timezone) == (
        date(2025, 1, 8),
        time(18),
        "Europe/Berlin",
    )


def test_a_second_import_updates_by_uid(client, editor, csrf):
    apply(client, upload(client, csrf, REAL_WORLD, publish=True))
    pasadena = by_uid("pasadena-2025@example.org")
    assert pasadena.status is EventStatus.PUBLISHED
    sequence, slug = pasadena.sequence, pasadena.slug
    changed = REAL_WORLD.replace(b"20250307T170000", b"20250307T180000").replace(
        b"UID:ptg-2025@example.org\r\nDTSTAMP:20241101T000000Z\r\n",
        b"UID:ptg-2025@example.org\r\nDTSTAMP:20241101T000000Z\r\nSTATUS:CANCELLED\r\n",
    )
    preview = upload(client, csrf, changed)
    assert "0 to create, 103 to update" in " ".join(preview.get_data(as_text=True).split())
    apply(client, preview)
    pasadena = by_uid("pasadena-2025@example.org")
    assert pasadena.end_time == time(18) and pasadena.sequence == sequence + 1
    assert pasadena.slug == slug
    assert by_uid("ptg-2025@example.org").status is EventStatus.CANCELLED
    assert by_uid("berlin-2025@example.org").status is EventStatus.CANCELLED
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 103
    assert "0 created, 2 updated, 101 unchanged" in client.get("/staff/events/").get_data(
        as_text=True
    )


def test_a_preview_belongs_to_the_one_who_made_it(client, app, editor, csrf, make_staff, login):
    preview = upload(client, csrf, REAL_WORLD)
    client.post("/staff/logout", data={"csrf_token": csrf("/staff/")})
    login(make_staff("editor"))
    assert apply(client, preview, csrf_token=csrf("/staff/import/")).status_code == 410


def test_files_that_are_not_icalendar_or_too_big_are_refused(client, app, editor, csrf):
    response = upload(client, csrf, b"<html>not a calendar</html>")
    assert response.status_code == 422 and "not an iCalendar file" in response.get_data(
        as_text=True
    )
    app.config["IMPORT_MAX_BYTES"] = 1000
    response = upload(client, csrf, REAL_WORLD)
    assert response.status_code == 422 and "larger than" in response.get_data(as_text=True)
    form = {"csrf_token": csrf("/staff/import/"), "token": "../../etc/passwd", "publish": ""}
    assert client.post("/staff/import/apply", data=form).status_code == 400


@pytest.fixture
def served():
    """A local web server answering every GET with the real-world file."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.end_headers()
            self.wfile.write(REAL_WORLD)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/events.ics"
    server.shutdown()


def test_an_address_is_fetched_and_private_ones_only_when_allowed(
    app, client, editor, csrf, served
):
    form = {"csrf_token": csrf("/staff/import/"), "url": served}
    refused = client.post("/staff/import/", data=form)
    assert refused.status_code == 422
    assert "private address" in refused.get_data(as_text=True)
    app.config["IMPORT_ALLOW_PRIVATE_URLS"] = True
    preview = client.post("/staff/import/", data=form)
    assert preview.status_code == 200
    assert "103 to create" in " ".join(preview.get_data(as_text=True).split())
    for url in ("javascript:alert(1)", "file:///etc/passwd", "ftp://example.org/x.ics"):
        response = client.post("/staff/import/", data={**form, "url": url})
        assert response.status_code == 422


def test_the_command_previews_then_imports_with_a_progress_bar(runner, tmp_path):
    path = tmp_path / "events.ics"
    path.write_bytes(REAL_WORLD)
    dry = runner.invoke(args=["events", "import", str(path)])
    assert dry.exit_code == 0, dry.output
    assert "103 events read: 103 to create, 0 to update." in dry.output
    assert "Nothing changed" in dry.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0
    done = runner.invoke(args=["events", "import", str(path), "--apply", "--publish"])
    assert done.exit_code == 0, done.output
    assert "Importing" in done.output and "103 created" in done.output
    assert by_uid("pasadena-2025@example.org").status is EventStatus.PUBLISHED
    missing = runner.invoke(args=["events", "import", str(tmp_path / "nope.ics")])
    assert missing.exit_code == 1


def parsed_feed(client) -> set[tuple]:
    calendar = icalendar.Calendar.from_ical(client.get("/events.ics").data)
    return {
        (
            str(e["SUMMARY"]),
            str(e["STATUS"]),
            e["DTSTART"].dt,
            e["DTEND"].dt,
            str(e.get("LOCATION", "")),
        )
        for e in calendar.walk("VEVENT")
    }


def test_the_portals_own_feed_round_trips_through_an_import(
    client, runner, tmp_path, make_project, make_event
):
    # A feed of every sort of event: over and to come, all day and timed, one day and several,
    # in local zones and in UTC, in person, online and both, with places, links and projects.
    make_project("openinfra", "OpenInfra")
    make_project("openstack", "OpenStack")
    made = [
        make_event(
            **sample.north_america(
                "summary",
                "description",
                "colocated_starts_on",
                "colocated_ends_on",
                "colocated_url",
                "contact_email",
                projects=("openinfra", "openstack"),
                links=(sample.REGISTER, sample.SCHEDULE_SOON),
            )
        ),
        make_event(
            title="OpenInfra Day Türkiye",
            starts_on=date(2024, 5, 20),
            ends_on=date(2024, 5, 20),
            timezone="Europe/Istanbul",
            venue="Boğaziçi University",
            city="Istanbul",
            country="TR",
        ),
        make_event(
            title="PTG October 2024",
            kind=EventKind.PTG,
            format=EventFormat.VIRTUAL,
            starts_on=date(2024, 10, 21),
            ends_on=date(2024, 10, 25),
            city=None,
            country=None,
            projects=("openstack",),
            links=((LinkKind.REGISTER, LinkState.CLOSED, "https://openinfra.dev/ptg/"),),
        ),
        make_event(
            title="Cloud Operator Days Tokyo 2025",
            kind=EventKind.COMMUNITY_EVENT,
            format=EventFormat.HYBRID,
            starts_on=date(2025, 9, 5),
            ends_on=date(2025, 9, 5),
            timezone="Asia/Tokyo",
            city="Tokyo",
            country="JP",
        ),
        make_event(
            title="OpenInfra Summit Europe 2025",
            kind=EventKind.SUMMIT,
            starts_on=date(2025, 10, 17),
            ends_on=date(2025, 10, 19),
            timezone="Europe/Paris",
            venue="École Polytechnique",
            city="Palaiseau",
            country="FR",
            links=((LinkKind.CFP, LinkState.OPEN, None),),
        ),
        make_event(
            title="Across the spring change",  # US daylight saving time starts on 2025-03-09
            starts_on=date(2025, 3, 8),
            ends_on=date(2025, 3, 10),
            start_time=time(9),
            end_time=time(17),
            timezone="America/Chicago",
            city="Austin",
            region="TX",
        ),
        make_event(
            slug="gone-2025",
            title="Gone Day",
            status=EventStatus.CANCELLED,
            start_time=time(9),
            end_time=time(17),
            timezone="Asia/Tokyo",
            city="Tokyo",
            country="JP",
        ),
    ]
    exported = client.get("/events.ics").data
    before = parsed_feed(client)
    assert len(before) == len(made)
    assert any(status == "CANCELLED" for _, status, *_ in before)
    db.session.execute(delete(EventLink))
    db.session.execute(delete(Event))
    db.session.commit()
    path = tmp_path / "feed.ics"
    path.write_bytes(exported)
    result = runner.invoke(args=["events", "import", str(path), "--apply", "--publish"])
    assert result.exit_code == 0, result.output
    assert f"{len(before)} created" in result.output
    assert parsed_feed(client) == before


BROKEN = "\r\n".join(
    [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//test//broken//EN",
        "BEGIN:VEVENT",
        "UID:bad-date@example.org",
        "SUMMARY:A day that does not exist",
        "DTSTART;VALUE=DATE:20250230",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:bad-geo@example.org",
        "SUMMARY:Nowhere",
        "DTSTART;VALUE=DATE:20250301",
        "GEO:abc",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:period@example.org",
        "SUMMARY:A period",
        "DTSTART;VALUE=PERIOD:20250301T090000Z/PT1H",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:far-future@example.org",
        "SUMMARY:Far away",
        "DTSTART;VALUE=DATE:99991231",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:good@example.org",
        "SUMMARY:Good one\\, with a NUL\x00 inside",
        "DTSTART;VALUE=DATE:20250301",
        "DTEND;VALUE=DATE:20250302",
        "LOCATION:Berlin\x00, DE",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
    ]
).encode()


def test_broken_events_are_reported_and_the_rest_imported(client, editor, csrf):
    preview = upload(client, csrf, BROKEN)
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert text.count("could not be read") + text.count("between 1900") >= 3
    done = apply(client, preview)
    assert done.status_code == 303
    good = by_uid("good@example.org")
    assert good.title == "Good one, with a NUL inside"
    assert good.city == "Berlin" and good.country == "DE"
    assert by_uid("bad-date@example.org") is None
    assert by_uid("far-future@example.org") is None


def test_a_name_that_rebinds_to_a_private_address_is_not_fetched(served, monkeypatch):
    """The check and the connection use one resolution: a name that says 'public' to the
    check and '127.0.0.1' to the connection is refused, not fetched."""
    import socket

    from portal.events.ical import remote as ical_fetch

    real = socket.getaddrinfo
    calls = []

    def rebinding(host, port, *args, **kwargs):
        calls.append(host)
        if host == "rebind.example" and len(calls) == 1:
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port or 80))]
        if host == "rebind.example":
            return real("127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    port = served.rsplit(":", 1)[1].split("/", 1)[0]
    url = f"http://rebind.example:{port}/events.ics"
    with pytest.raises(ical_fetch.FetchFailed, match="private address"):
        ical_fetch.fetch(url, max_bytes=1_000_000, timeout=5)
    assert len(calls) >= 2


def test_importing_the_portals_own_feed_maps_its_uids_back_and_changes_nothing(
    client, runner, tmp_path, make_event
):
    made = [
        make_event(starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 7), timezone="Asia/Tokyo"),
        make_event(
            starts_on=date(2025, 3, 8),
            ends_on=date(2025, 3, 10),
            start_time=time(9),
            end_time=time(17),
            timezone="America/Chicago",
        ),
        make_event(start_time=time(9), end_time=time(10), timezone="Etc/UTC"),
        make_event(status=EventStatus.CANCELLED, start_time=time(9), end_time=time(17)),
        make_event(summary="Text; with, commas", venue="Hall 3, Level 2", city="Zürich"),
    ]
    before = {e.id: _state(e) for e in made}
    path = tmp_path / "feed.ics"
    path.write_bytes(client.get("/events.ics").data)
    result = runner.invoke(args=["events", "import", str(path), "--apply", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["created"] == [] and report["skipped"] == [] and report["updated"] == []
    assert sorted(item["slug"] for item in report["unchanged"]) == sorted(e.slug for e in made)
    db.session.expire_all()
    assert {e.id: _state(db.session.get(Event, e.id)) for e in made} == before
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == len(made)


def _state(event: Event) -> tuple:
    return (
        event.title, event.summary, event.status, event.starts_on, event.ends_on,
        event.start_time, event.end_time, event.timezone, event.venue, event.city,
        event.sequence, event.import_uid,
    )  # fmt: skip


def test_the_command_prints_json_with_each_event_and_the_reason_of_each_skip(runner, tmp_path):
    path = tmp_path / "events.ics"
    path.write_bytes(REAL_WORLD.replace(b"DTSTART;VALUE=DATE:20250801", b"DTSTART:garbage"))
    dry = runner.invoke(args=["events", "import", str(path), "--json"])
    assert dry.exit_code == 0, dry.output
    planned = json.loads(dry.stdout)
    assert len(planned["created"]) == 102 and planned["created"][0]["slug"] is None
    (skipped,) = planned["skipped"]
    assert skipped["summary"] == "No UID" and "could not be read" in skipped["reason"]
    done = runner.invoke(args=["events", "import", str(path), "--json", "--apply"])
    report = json.loads(done.stdout)
    assert {"uid": "pasadena-2025@example.org", "slug": "openinfra-days-north-america-2025"} in (
        report["created"]
    )
    assert report["skipped"] == planned["skipped"]
    again = json.loads(
        runner.invoke(args=["events", "import", str(path), "--json", "--apply"]).output
    )
    assert len(again["unchanged"]) == 102 and again["created"] == []
