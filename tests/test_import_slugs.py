"""Thousands of same-title events: unique slugs, numbered from one read of the taken ones, and
a statement count that does not grow with the events."""

from __future__ import annotations

from datetime import date

import pytest

from portal.core.saving import saving
from portal.events import ical
from portal.events.models import Event
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("frozen_now")


def same_title_file(count: int, first: int = 0) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//slugs//EN"]
    for number in range(first, first + count):
        lines += [
            "BEGIN:VEVENT",
            f"UID:same-{number}@example.org",
            "DTSTAMP:20250101T000000Z",
            "DTSTART;VALUE=DATE:20250301",
            "SUMMARY:Community meetup",
            "END:VEVENT",
        ]
    return ("\r\n".join([*lines, "END:VCALENDAR", ""])).encode()


def imported(data: bytes) -> list[ical.ImportRow]:
    rows = ical.plan(ical.read(data).rows)
    with saving():
        ical.apply(rows, None)
    return rows


def test_same_title_events_get_numbered_slugs_after_those_already_taken(make_event):
    make_event(slug="community-meetup-2025")
    make_event(slug="community-meetup-2025-3")
    make_event(slug="community-meetup-2025-extra")
    rows = imported(same_title_file(5))
    assert [row.slug for row in rows] == [
        "community-meetup-2025-2",
        "community-meetup-2025-4",
        "community-meetup-2025-5",
        "community-meetup-2025-6",
        "community-meetup-2025-7",
    ]
    more = imported(same_title_file(2, first=5))
    assert [row.slug for row in more] == ["community-meetup-2025-8", "community-meetup-2025-9"]


@pytest.mark.slow
def test_a_thousand_same_title_events_read_the_taken_slugs_once(app, count_queries):
    data = same_title_file(1000)
    rows = ical.plan(ical.read(data).rows)
    with count_queries() as counted, saving():
        ical.apply(rows, None)
    slug_reads = [s for s in counted.statements if "slug LIKE" in s and "SELECT" in s]
    assert len(slug_reads) == 1
    # a statement or two per event (its insert and its audit entry), written in batches
    assert counted.total < 2 * 1000 + 100
    slugs = db.session.scalars(db.select(Event.slug)).all()
    assert len(set(slugs)) == 1000
    assert db.session.scalar(db.select(Event).where(Event.slug == "community-meetup-2025-1000"))
    assert {row.outcome for row in rows} == {"created"}
    assert all(
        event.starts_on == date(2025, 3, 1) for event in db.session.scalars(db.select(Event))
    )
