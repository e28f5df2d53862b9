"""An import changes an event's status only as staff do: through the allowed transitions,
with the event.cancel audit entry and the reason the public page shows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.core.saving import saving
from portal.events import ical
from portal.events.ical.rows import CANCELLED_MARK
from portal.events.models import Event, EventStatus
from portal.events.operations import update_event
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("frozen_now")


def calendar_file(status: str | None = None) -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//status//EN", "BEGIN:VEVENT",
        "UID:meetup-1@example.org", "DTSTAMP:20250101T000000Z", "DTSTART;VALUE=DATE:20250301",
        "SUMMARY:Community meetup",
    ]  # fmt: skip
    if status:
        lines.append(f"STATUS:{status}")
    return "\r\n".join([*lines, "END:VEVENT", "END:VCALENDAR", ""]).encode()


def imported(data: bytes, publish: bool = False) -> list[ical.ImportRow]:
    rows = ical.plan(ical.read(data).rows)
    with saving():
        ical.apply(rows, None, publish=publish)
    return rows


def the_event() -> Event:
    return db.session.scalar(select(Event).where(Event.import_uid == "meetup-1@example.org"))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_cancellation_in_the_source_cancels_the_event_as_staff_would(app):
    imported(calendar_file(), publish=True)
    assert the_event().status is EventStatus.PUBLISHED
    (row,) = imported(calendar_file("CANCELLED"))
    assert row.outcome == "updated"
    event = the_event()
    assert event.status is EventStatus.CANCELLED
    assert event.status_reason == CANCELLED_MARK  # what the public page says
    assert actions() == ["event.import", "event.cancel"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.cancel"))
    assert entry.before == {"status": "published", "status_reason": None}
    assert entry.after["status"] == "cancelled"


def test_an_event_already_cancelled_stays_as_it_is(app):
    imported(calendar_file("CANCELLED"), publish=True)
    assert the_event().status is EventStatus.CANCELLED
    (row,) = imported(calendar_file("CANCELLED"))
    assert row.outcome == "unchanged"
    assert actions() == ["event.import"]


def test_a_draft_cancelled_in_the_source_stays_a_draft_marked_cancelled(app):
    imported(calendar_file())
    (row,) = imported(calendar_file("CANCELLED"))
    assert row.outcome == "updated"
    event = the_event()
    assert event.status is EventStatus.DRAFT
    assert event.summary.startswith(CANCELLED_MARK)
    assert "event.cancel" not in actions()


def test_update_event_refuses_to_change_a_status(app, make_event):
    event = make_event(status=EventStatus.PUBLISHED)
    with pytest.raises(ValueError, match="change_status"):
        update_event(event, {"status": EventStatus.CANCELLED}, None)
