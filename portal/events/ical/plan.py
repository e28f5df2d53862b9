"""Planning an import: which rows create an event, update one (by UID, or one of this
portal's own), or are skipped, checked by the rules an import applies."""

from __future__ import annotations

from sqlalchemy import select

from portal.events.ical.rows import ImportRow
from portal.events.models import (
    Event,
    EventKind,
    EventStatus,
)
from portal.events.rules import details_errors
from portal.extensions import db


def plan(rows: list[ImportRow]) -> list[ImportRow]:
    """Mark each row create, update (an event already has its UID, or it is one of this
    portal's own) or skip, checking each with the rules an import applies, so the preview
    says what the import will do."""
    uids = [row.uid for row in rows if row.uid]
    existing: dict[str | None, int] = {}  # import_uid may be NULL, though not where it matches
    for start in range(0, len(uids), 500):
        chunk = uids[start : start + 500]
        stmt = select(Event.import_uid, Event.id).where(Event.import_uid.in_(chunk))
        existing.update(db.session.execute(stmt).tuples().all())
    # This portal's own events, by the UID each keeps (whatever address its feed was read at).
    stored: dict[str | None, int] = {}
    for start in range(0, len(uids), 500):
        stmt = select(Event.uid, Event.id).where(Event.uid.in_(uids[start : start + 500]))
        stored.update(db.session.execute(stmt).tuples().all())
    for row in rows:
        if row.uid in stored and row.uid not in existing:
            row.own, row.occurrence = True, False
    own_ids = {
        int(row.uid[6:].split("@", 1)[0])
        for row in rows
        if row.own and row.uid not in stored and row.uid[6:].split("@", 1)[0].isdigit()
    }
    known_own: set[int] = set()
    for start in range(0, len(own_ids), 500):
        ids = sorted(own_ids)[start : start + 500]
        known_own.update(db.session.scalars(select(Event.id).where(Event.id.in_(ids))))
    seen: set[str] = set()
    for row in rows:
        if row.uid in seen:
            row.problems.append("Another event of this file has the same UID.")
        seen.add(row.uid)
        row.event_id = existing.get(row.uid) or stored.get(row.uid)
        if row.own and row.event_id is None and row.uid[6:].split("@", 1)[0].isdigit():
            own_id = int(row.uid[6:].split("@", 1)[0])
            row.event_id = own_id if own_id in known_own else None
        if not row.problems and not (row.own and row.event_id):
            # An own event is checked as it is updated, by what the feed changes of it (an
            # event stored in a skipped hour is not refused for being there).
            # The address is chosen among the free ones when the event is made.
            errors = details_errors({"kind": EventKind.COMMUNITY_EVENT, **row.values})
            row.problems += list(dict.fromkeys(errors.values()))
        if row.problems:
            row.action = "skip"
        else:
            row.action = "update" if row.event_id else "create"
    return rows


def new_status(row: ImportRow, publish: bool) -> EventStatus:
    """Drafts stay drafts: a cancelled event imported as a draft is a draft marked cancelled
    (in its summary and the preview); published, it is cancelled."""
    if row.cancelled:
        return EventStatus.CANCELLED if publish else EventStatus.DRAFT
    if row.postponed:
        return EventStatus.POSTPONED if publish else EventStatus.DRAFT
    return EventStatus.PUBLISHED if publish else EventStatus.DRAFT
