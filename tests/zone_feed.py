"""A feed with events in every zone of the pinned tzdata, as `/events.ics` serves it: at the
first and last hours of its years and at the hours next to each change of each zone, in an
app of its own (one SQLite file), for the tests and for `zone_readers_table.py`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import time_machine
from flask_migrate import upgrade

from portal import create_app
from portal.calendar import zones
from portal.events.models import Event, EventFormat, EventKind, EventStatus
from portal.events.rules import timezones
from portal.extensions import db

YEARS = (2025, 2026)  # of the events: the feed's VTIMEZONEs run to the end of 2027
NOW = datetime(2024, 11, 20, 12, tzinfo=UTC)  # before them all, so the feed holds them all
HOUR = timedelta(hours=1)


def one_reading(local: datetime) -> bool:
    """Whether the clocks show this local time once: not in a gap, not in a repeated hour
    (the portal writes those in UTC, which would not test the VTIMEZONE)."""
    first, second = local.replace(fold=0), local.replace(fold=1)
    if first.utcoffset() != second.utcoffset():
        return False
    return first.astimezone(UTC).astimezone(local.tzinfo).replace(fold=0) == first


def starts(tzid: str) -> list[datetime]:
    """Local starts of one-hour events: the first and last hours of YEARS, and two hours before
    and one hour after each change, where the clocks show them once."""
    tz = ZoneInfo(tzid)
    first = datetime(YEARS[0], 1, 1, tzinfo=tz)
    last = datetime(YEARS[-1] + 1, 1, 1, tzinfo=tz)
    found = [first.replace(minute=30), last - 2 * HOUR]
    for change in zones.transitions(tzid, first.astimezone(UTC), last.astimezone(UTC)):
        found.append((change - 2 * HOUR).astimezone(tz))
        found.append((change + HOUR).astimezone(tz))
    return sorted(
        {moment.replace(tzinfo=tz, fold=0) for moment in found}, key=lambda m: m.astimezone(UTC)
    )


def make_events(tzids) -> list[Event]:
    made = []
    for tzid in sorted(tzids):
        for local in starts(tzid):
            end = (local.astimezone(UTC) + HOUR).astimezone(local.tzinfo)
            if not (one_reading(local) and one_reading(end)):
                continue
            made.append(
                Event(
                    slug=f"event-{len(made) + 1}",
                    title=f"{tzid} {local:%Y-%m-%d %H:%M}",
                    summary="",
                    kind=EventKind.OPENINFRA_DAYS,
                    format=EventFormat.IN_PERSON,
                    status=EventStatus.PUBLISHED,
                    starts_on=local.date(),
                    ends_on=end.date(),
                    start_time=local.time(),
                    end_time=end.time(),
                    timezone=tzid,
                    city="Springfield",
                    country="US",
                )
            )
    return made


def app_with_events(folder: Path, tzids=None):
    """An app on a new SQLite database in `folder` holding the events of `tzids` (every zone
    by default), and the events by UID."""
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'portal.db'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "SERVER_NAME": "portal.test",
            "CALENDAR_FEED_MAX_EVENTS": 100_000,
            "CALENDAR_CACHE_BYTES": 0,  # each fetch renders: the table swaps zones.vtimezone
        },
        instance_path=str(folder / "instance"),
    )
    with app.app_context():
        upgrade()
        made = make_events(timezones() if tzids is None else tzids)
        db.session.add_all(made)
        db.session.flush()  # the ids and UTC instants, read here before commit expires them
        expected = {
            e.uid: (
                e.timezone,
                e.starts_at.replace(tzinfo=UTC),
                e.ends_at.replace(tzinfo=UTC),
            )
            for e in made
        }
        db.session.commit()
    return app, expected


def feed(app) -> bytes:
    """`/events.ics` as a client gets it."""
    with time_machine.travel(NOW, tick=False), app.app_context():
        response = app.test_client().get("/events.ics")
    assert response.status_code == 200, response.status
    return response.data
