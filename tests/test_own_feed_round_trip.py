"""The portal's own feed is a true round trip (issue 17): UIDs given once and stored, whatever
address the feed is fetched at; an instant in the second pass of a repeated hour kept as that
instant; tabs in titles kept; and importing the feed onto itself changes nothing, on a default
install and with PORTAL_BASE_URL set."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import pytest

from portal.events.models import Event
from portal.events.uids import FIXED_DOMAIN
from portal.extensions import db

BERLIN = "Europe/Berlin"


def feed(client, host: str = "localhost") -> bytes:
    return client.get("/events.ics", headers={"Host": host}).data


def uids(data: bytes) -> list[str]:
    return sorted(str(e["UID"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT"))


def state(event: Event) -> tuple:
    return (
        event.title, event.starts_on, event.ends_on, event.start_time, event.end_time,
        event.timezone, event.start_fold, event.end_fold, event.sequence, event.starts_at,
        event.ends_at, event.uid, event.import_uid, event.updated_at,
    )  # fmt: skip


@pytest.fixture
def awkward(make_event):
    """Events in a repeated hour and in a skipped one, in UTC, all day, with tabs and odd
    whitespace in their titles."""
    return [
        # 2026-10-25 in Berlin: 02:00-03:00 happens twice; this one is the second pass.
        make_event(
            title="Night\tshift", starts_on=date(2026, 10, 25), ends_on=date(2026, 10, 25),
            start_time=time(2, 30), end_time=time(2, 45), start_fold=True, end_fold=True,
            timezone=BERLIN,
        ),
        # ... and the first pass, ending in the second.
        make_event(
            title="Two  spaces", starts_on=date(2026, 10, 25), ends_on=date(2026, 10, 25),
            start_time=time(2, 15), end_time=time(2, 10), end_fold=True, timezone=BERLIN,
        ),
        # 2026-03-29 in Berlin: 02:00-03:00 does not happen.
        make_event(
            title="In the gap", starts_on=date(2026, 3, 29), ends_on=date(2026, 3, 29),
            start_time=time(2, 30), end_time=time(4, 0), timezone=BERLIN,
        ),
        make_event(
            title="UTC\u00a0call", starts_on=date(2026, 5, 4), ends_on=date(2026, 5, 4),
            start_time=time(9), end_time=time(10), timezone="Etc/UTC",
        ),
        make_event(
            title="All day", starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 2),
            timezone="Asia/Tokyo",
        ),
        make_event(
            title="Chicago", starts_on=date(2026, 11, 1), ends_on=date(2026, 11, 1),
            start_time=time(1, 30), end_time=time(1, 45), start_fold=True, end_fold=True,
            timezone="America/Chicago",
        ),
    ]  # fmt: skip


def test_uids_are_given_once_and_do_not_depend_on_the_address_asked(client, awkward):
    assert all(event.uid for event in awkward)
    assert uids(feed(client, "127.0.0.1")) == uids(feed(client, "localhost"))
    assert uids(feed(client, "localhost")) == sorted(event.uid for event in awkward)
    assert all(event.uid.endswith(f"@{FIXED_DOMAIN}") for event in awkward)
    one = client.get(f"/events/{awkward[0].slug}.ics", headers={"Host": "127.0.0.1"}).data
    assert uids(one) == [awkward[0].uid]


def test_the_second_pass_of_a_repeated_hour_is_stored_as_that_instant(client, awkward):
    night, _, gap, *_ = awkward
    # 02:30 in the second pass is 01:30 UTC (CET); the first pass would be 00:30 UTC.
    assert night.starts_at == datetime(2026, 10, 25, 1, 30)
    assert night.local_start.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    [vevent] = [
        e
        for e in icalendar.Calendar.from_ical(feed(client)).walk("VEVENT")
        if str(e["UID"]) == night.uid
    ]
    assert vevent["DTSTART"].dt == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert gap.starts_at == datetime(2026, 3, 29, 1, 30)  # zoneinfo's reading of the gap


def test_an_import_stores_the_fold_an_instant_in_the_repeated_hour_means(app, runner, tmp_path):
    path = tmp_path / "fold.ics"
    # Starts at the first 01:00 and ends at 02:30 of the second pass, written in UTC
    # (DTEND:20261025T013000Z): read in Berlin, the end is in the repeated hour.
    path.write_bytes(
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nX-WR-TIMEZONE:Europe/Berlin\r\n"
        b"BEGIN:VEVENT\r\nUID:fold@test.example\r\nDTSTAMP:20260101T000000Z\r\n"
        b"DTSTART;TZID=Europe/Berlin:20261025T010000\r\nDTEND:20261025T013000Z\r\n"
        b"SUMMARY:Second pass\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    result = runner.invoke(args=["events", "import", str(path), "--apply", "--json"])
    assert result.exit_code == 0, result.output
    event = db.session.scalar(db.select(Event).where(Event.import_uid == "fold@test.example"))
    assert (event.start_time, event.start_fold) == (time(1), False)
    assert (event.end_time, event.end_fold) == (time(2, 30), True)
    assert event.ends_at == datetime(2026, 10, 25, 1, 30)  # not 00:30, an hour early


@pytest.mark.parametrize("base_url", [None, "https://events.example.org"])
def test_importing_the_own_feed_changes_nothing(
    app, client, runner, tmp_path, make_event, base_url
):
    app.config["BASE_URL"] = base_url
    made = [
        make_event(title="Night\tshift", starts_on=date(2026, 10, 25), ends_on=date(2026, 10, 25),
                   start_time=time(2, 30), end_time=time(2, 45), start_fold=True,
                   end_fold=True, timezone=BERLIN),
        make_event(title="In the gap", starts_on=date(2026, 3, 29), ends_on=date(2026, 3, 29),
                   start_time=time(2, 30), end_time=time(4, 0), timezone=BERLIN),
        make_event(title="Tab\tand  spaces ", starts_on=date(2026, 5, 4),
                   ends_on=date(2026, 5, 4), start_time=time(9), end_time=time(10),
                   timezone="Etc/UTC"),
        make_event(title="All day", starts_on=date(2026, 6, 1), ends_on=date(2026, 6, 2),
                   timezone="Asia/Tokyo"),
    ]  # fmt: skip
    if base_url:
        assert all(event.uid.endswith("@events.example.org") for event in made)
    before = {event.id: state(event) for event in made}
    for host in ("127.0.0.1", "localhost"):
        path = tmp_path / f"{host}.ics"
        path.write_bytes(feed(client, host))
        result = runner.invoke(args=["events", "import", str(path), "--apply", "--json"])
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert (report["created"], report["updated"], report["skipped"]) == ([], [], [])
        assert len(report["unchanged"]) == len(made)
        db.session.expire_all()
        assert {event.id: state(db.session.get(Event, event.id)) for event in made} == before


def test_the_same_instant_in_another_zone_is_the_same(app):
    from portal.events.ical.apply import same_instant

    second_pass = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ZoneInfo(BERLIN))
    in_utc = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert second_pass != in_utc  # PEP 495: across zones a fold is never equal
    assert same_instant(second_pass, in_utc)


@pytest.mark.parametrize(
    ("base_url", "domain"),
    [(None, FIXED_DOMAIN), ("https://events.example.org", "events.example.org")],
)
def test_migration_0014_gives_existing_events_the_uid_the_feed_gave_them(
    app, make_event, base_url, domain
):
    from flask_migrate import downgrade, upgrade

    app.config["BASE_URL"] = base_url
    event = make_event()
    downgrade(revision="0013")
    upgrade()
    db.session.expire_all()
    assert db.session.get(Event, event.id).uid == f"event-{event.id}@{domain}"
