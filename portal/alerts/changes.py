"""What changed in the catalogue since the alert job last looked: each public event that is
not over is compared with the snapshot the job kept of it.

Comparing snapshots, rather than listening to the edits as they are made, counts every way an
event changes: the back office, an import (`flask events import --apply`), a command, a
script, another process, a deadline that passes. A change made and undone between two runs is
no change; a run that fails changes nothing, and the next one finds the same differences.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from portal.alerts.models import AlertChange, AlertJob, AlertSnapshot, ChangeKind
from portal.core.db import as_naive_utc
from portal.events.models import PUBLIC_STATUSES, Event, LinkState
from portal.extensions import db

JOB_ID = 1


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def facts_of(event: Event, now: datetime) -> dict[str, Any]:
    """What an alert may report a change of: the dates, the place, the status, the links."""
    return {
        "dates": [
            _iso(event.starts_on),
            _iso(event.ends_on),
            _iso(event.start_time),
            _iso(event.end_time),
            event.timezone,
            bool(event.dates_to_be_confirmed),
            bool(event.dates_to_be_announced),
        ],
        "place": [event.venue, event.city, event.region, event.country],
        "status": event.status.value,
        "links": {link.kind.value: link.state_at(now).value for link in event.links},
    }


def differences(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[ChangeKind, str | None]]:
    """The changes between two snapshots of one event, as (kind, link)."""
    found: list[tuple[ChangeKind, str | None]] = []
    if old.get("dates") != new["dates"]:
        found.append((ChangeKind.DATES, None))
    if old.get("place") != new["place"]:
        found.append((ChangeKind.PLACE, None))
    if old.get("status") != new["status"]:
        found.append((ChangeKind.STATUS, None))
    before = old.get("links") or {}
    for kind, state in new["links"].items():
        if state == LinkState.OPEN.value and before.get(kind) != LinkState.OPEN.value:
            found.append((ChangeKind.OPENED, kind))
    return found


def job_row() -> AlertJob:
    """The job's row, locked until the caller commits (PostgreSQL): a second run waits, then
    finds nothing left to do."""
    job = db.session.scalar(select(AlertJob).where(AlertJob.id == JOB_ID).with_for_update())
    if job is None:
        job = AlertJob(id=JOB_ID)
        db.session.add(job)
        db.session.flush()
    return job


def detect(now: datetime) -> int:
    """Record the changes since the last run as AlertChange rows and keep the new snapshots;
    the number of changes. The first run ever takes the catalogue as it is: nothing in it is
    new. Flushes; the caller commits."""
    job = job_row()
    moment = as_naive_utc(now)
    events = db.session.scalars(
        select(Event)
        .where(Event.status.in_(PUBLIC_STATUSES), Event.ends_at > moment)
        .options(selectinload(Event.links))
    ).all()
    kept = {row.event_id: row for row in db.session.scalars(select(AlertSnapshot))}
    baseline = job.baseline_at is None
    changes: list[AlertChange] = []
    for event in events:
        facts = facts_of(event, now)
        snapshot = kept.pop(event.id, None)
        if snapshot is None:
            db.session.add(AlertSnapshot(event_id=event.id, facts=facts, seen_at=moment))
            if not baseline:
                changes.append(AlertChange(event_id=event.id, kind=ChangeKind.NEW, found_at=moment))
            continue
        if snapshot.facts == facts:
            continue
        for kind, link in differences(snapshot.facts, facts):
            changes.append(AlertChange(event_id=event.id, kind=kind, link=link, found_at=moment))
        snapshot.facts = facts
        snapshot.seen_at = moment
    if kept:  # over, unpublished or deleted: no longer watched
        db.session.execute(
            delete(AlertSnapshot).where(AlertSnapshot.event_id.in_(list(kept))),
            execution_options={"synchronize_session": False},
        )
    if not baseline:
        db.session.add_all(changes)
    if baseline:
        job.baseline_at = moment
    job.last_run_at = moment
    db.session.flush()
    return len(changes)
