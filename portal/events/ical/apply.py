"""Applying a planned import: each row creates an event, updates the one it names (by UID, or
one of this portal's own), or is skipped with its reason; the caller commits it all at once.
Events change through the catalogue's operations, with their audit entries."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.core.audit import record
from portal.core.errors import Refused
from portal.events import rules
from portal.events.ical.plan import new_status
from portal.events.ical.rows import CANCELLED_MARK, ImportRow
from portal.events.models import Event, EventKind, EventStatus
from portal.events.operations import Actor, apply_values, change_status, snapshot, update_event
from portal.events.slugs import SlugPool, slug_for
from portal.extensions import db

BATCH = 500  # new events written (and audited) per flush


def import_events(
    rows: list[ImportRow],
    actor: Actor,
    publish: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Counter:
    """Create or update (by UID) the events of planned rows, reporting each to `progress`; the
    caller commits the whole import at once. New events are drafts unless `publish`; the
    source's cancellations are followed for published events, and a draft stays a draft
    (marked cancelled in its summary). Each row gets its outcome, and a reason when skipped.

    New events are checked by the rules create_event applies and written BATCH at a time;
    the events to update are read at once with their projects and links; so thousands of
    events take seconds, not minutes."""
    counts: Counter = Counter()
    pool = SlugPool()
    pool.expect([slug_base(row) for row in rows if row.action == "create"])
    updating = _events_to_update(rows)
    created: list[Event] = []
    for row in rows:
        if row.action == "create":
            row.outcome = _create_row(row, publish, pool, created)
        else:
            row.outcome = _import_row(row, actor, updating)
        counts[row.outcome] += 1
        if len(created) >= BATCH:
            _write_created(created, actor)
        if progress is not None:
            progress(1)
    _write_created(created, actor)
    db.session.flush()
    return counts


def _events_to_update(rows: list[ImportRow]) -> dict[int, Event]:
    ids = sorted({row.event_id for row in rows if row.action == "update" and row.event_id})
    found: dict[int, Event] = {}
    for start in range(0, len(ids), BATCH):
        stmt = (
            select(Event)
            .where(Event.id.in_(ids[start : start + BATCH]))
            .options(selectinload(Event.projects), selectinload(Event.links))
        )
        found.update((event.id, event) for event in db.session.scalars(stmt))
    return found


def slug_base(row: ImportRow) -> str:
    return slug_for(row.title, row.values["starts_on"].year)


def _create_row(row: ImportRow, publish: bool, pool: SlugPool, created: list[Event]) -> str:
    """A new event from `row`, checked as create_event checks it (the slug by the pool, which
    knows every slug taken), added to the session for _write_created."""
    values = dict(row.values)
    values.setdefault("kind", EventKind.COMMUNITY_EVENT)
    status = new_status(row, publish)
    if row.cancelled and status is EventStatus.DRAFT:
        values["summary"] = _marked(values.get("summary"))
    slug = pool.take(slug_base(row))  # free: the pool knows every slug taken
    errors = rules.details_errors(values)
    if not rules.is_slug(slug):
        errors["slug"] = rules.SLUG_RULE
    if errors:
        row.problems += list(dict.fromkeys(errors.values()))
        return "skipped"
    values.update(slug=slug, import_uid=row.uid, status=status)
    event = Event(status=status)
    event.projects, event.links = [], []
    apply_values(event, values)
    db.session.add(event)
    created.append(event)
    row.slug = slug
    return "created"


def _write_created(created: list[Event], actor: Actor) -> None:
    """Write the new events, then their audit entries (which need their ids)."""
    if not created:
        return
    db.session.flush()
    for event in created:
        record(actor, "event.import", event, event.title, after=snapshot(event))
    db.session.flush()
    created.clear()


# What an event of this portal's own feed carries as the event has it: an import of the feed
# compares only these (its DESCRIPTION and LOCATION are made from several fields).
OWN_FEED_FIELDS = ("title", "starts_on", "ends_on", "start_time", "end_time", "timezone",
                   "start_fold", "end_fold")  # fmt: skip
WHEN = ("starts_on", "ends_on", "start_time", "end_time", "timezone", "start_fold", "end_fold")


def _instants(values: dict[str, Any]) -> tuple[datetime, datetime]:
    zone = ZoneInfo(values["timezone"])
    start = datetime.combine(values["starts_on"], values["start_time"], zone)
    end = datetime.combine(values["ends_on"], values["end_time"], zone)
    start = start.replace(fold=int(values.get("start_fold", False)))
    end = end.replace(fold=int(values.get("end_fold", False)))
    return start, end


def same_instant(one: datetime, other: datetime) -> bool:
    """Whether two aware datetimes are the same instant, whatever their zones: `==` across
    zones is False for a time in a fold or a gap (PEP 495), so compare them in UTC."""
    return one.astimezone(UTC) == other.astimezone(UTC)


def _own_values(row: ImportRow, event: Event) -> dict[str, Any]:
    values = {name: row.values[name] for name in OWN_FEED_FIELDS if name in row.values}
    if " ".join(event.title.split()) == values.get("title"):
        values.pop("title")  # the feed's reader folded its tabs and runs of spaces
    if values.get("start_time") is None:
        values.pop("timezone", None)  # all day: the feed has dates, the zone stays the event's
        values.pop("start_fold", None)
        values.pop("end_fold", None)
    elif not event.is_all_day:
        start, end = _instants(values)
        if same_instant(start, event.local_start) and same_instant(end, event.local_end):
            for name in WHEN:
                values.pop(name, None)  # the same instants, perhaps written in another zone
    return values


def _import_row(row: ImportRow, actor: Actor, events: dict[int, Event]) -> str:
    if row.action != "update" or row.event_id is None:
        return "skipped"  # skipped rows; new events go through _create_row
    event = events.get(row.event_id) or db.session.get(Event, row.event_id)
    if event is None:  # deleted since the file was planned
        row.problems.append("The event this row updates was deleted meanwhile.")
        return "skipped"
    row.slug = event.slug
    values = _own_values(row, event) if row.own else dict(row.values)
    if row.cancelled and event.is_draft:
        summary = values.get("summary", event.summary) or ""
        if not summary.startswith(CANCELLED_MARK):
            values["summary"] = _marked(summary)
    halting = row.cancelled and "cancel" in event.status.actions
    if not halting and holds(event, values):
        # Nothing to change, so nothing to check either (the rules read the database for the
        # slug): re-applying an unchanged file costs what its preview cost. An own event a
        # tzdata update left in a skipped hour is not refused for being there.
        return "unchanged"
    try:
        changed = update_event(event, values, actor)
        if row.cancelled and "cancel" in event.status.actions:
            # The source cancelled it: cancelled as staff cancel, by the allowed transition
            # and with its own audit entry (a draft stays a draft, marked above).
            change_status(event, "cancel", actor, reason=CANCELLED_MARK)
            changed = True
    except Refused as refused:
        row.problems.append(str(refused))
        return "skipped"
    return "updated" if changed else "unchanged"


def holds(event: Event, values: dict[str, Any]) -> bool:
    """Whether `event` already has every value of `values` (its projects, and the state of
    each link they name)."""
    for name, value in values.items():
        if name == "projects":
            if [p.id for p in event.projects] != [p.id for p in value]:
                return False
        elif name == "links":
            for wanted in value:
                link = event.link(wanted.kind)
                if wanted.state is None:
                    if link is not None:
                        return False
                elif (
                    link is None
                    or link.state != wanted.state
                    or (link.url or None) != (wanted.url or None)
                    or wanted.deadline is not None
                ):
                    return False
        elif getattr(event, name, holds) != value:  # (holds: a value no field has)
            return False
    return True


def _marked(summary: str | None) -> str:
    """A draft of a cancelled event says so where staff read it."""
    return f"{CANCELLED_MARK} {summary or ''}".strip()[:500]
