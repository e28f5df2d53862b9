"""Every change to the catalogue: events, their status, projects and imports.

Each operation validates, changes the models, writes the audit entry and flushes; the view or
the command that called it commits (core.saving). The model listeners (models.py) raise
SEQUENCE, LAST-MODIFIED and the catalogue version, so the public list, the event page and the
calendar feeds follow. Views and commands call these; nothing else writes to the catalogue.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.models import StaffUser
from portal.core.audit import plain, record
from portal.core.db import as_naive_utc
from portal.core.errors import Refused
from portal.core.rows import RowKind
from portal.events import ical_import, rules
from portal.events.ical_import import ImportRow
from portal.events.models import (
    TRANSITIONS,
    Event,
    EventKind,
    EventLink,
    EventStatus,
    LinkKind,
    LinkState,
    Project,
)
from portal.events.rules import LinkValues
from portal.extensions import db

Actor = StaffUser | None

# The fields staff edit, in the order the audit log shows them.
EVENT_FIELDS = (
    "slug", "title", "summary", "description", "kind", "format", "starts_on", "ends_on",
    "start_time", "end_time", "timezone", "venue", "street", "city", "region", "country",
    "latitude", "longitude", "colocated_name", "colocated_starts_on", "colocated_ends_on",
    "colocated_url", "contact_email", "dates_to_be_confirmed",
)  # fmt: skip
# What the lifecycle sets (never typed into the event form), also in the audit log.
LIFECYCLE_FIELDS = (
    "status_reason", "dates_to_be_announced", "previous_starts_on", "previous_ends_on",
    "previous_edition_id",
)  # fmt: skip


def snapshot(event: Event) -> dict[str, Any]:
    values = {name: plain(getattr(event, name)) for name in EVENT_FIELDS}
    values["status"] = event.status.value if event.status else None
    values.update({name: plain(getattr(event, name)) for name in LIFECYCLE_FIELDS})
    values["projects"] = sorted(project.slug for project in event.projects)
    values["links"] = [
        f"{link.kind.value}: {link.state.value}"
        + (f" {link.url}" if link.url else "")
        + (f" until {link.deadline.isoformat()} UTC" if link.deadline else "")
        for link in event.links
    ]
    return values


def _changed(before: dict, after: dict) -> tuple[dict, dict]:
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def create_event(values: dict[str, Any], actor: Actor) -> Event:
    """A new event, a draft unless `values` says otherwise (imports of cancelled events)."""
    errors = rules.event_errors(values)
    if errors:
        raise Refused(errors)
    event = Event(status=values.get("status", EventStatus.DRAFT))
    _apply(event, values)
    db.session.add(event)
    db.session.flush()
    action = "event.import" if values.get("import_uid") else "event.create"
    record(actor, action, event, event.title, after=snapshot(event))
    db.session.flush()
    return event


def update_event(event: Event, values: dict[str, Any], actor: Actor) -> bool:
    """Apply `values`; False when they change nothing (and nothing is written)."""
    errors = rules.event_errors(values, event)
    if errors:
        raise Refused(errors)
    before = snapshot(event)
    old_dates = (event.starts_on, event.ends_on)
    _apply(event, values)
    if event.status is not EventStatus.DRAFT and (event.starts_on, event.ends_on) != old_dates:
        # Rescheduled: the page and the JSON-LD say what the dates were; new dates are known.
        event.previous_starts_on, event.previous_ends_on = old_dates
        event.dates_to_be_announced = False
    changed_before, changed_after = _changed(before, snapshot(event))
    if not changed_after:
        return False  # setting equal values left nothing for the session to write
    record(actor, "event.update", event, event.title, changed_before, changed_after)
    db.session.flush()
    return True


def _apply(event: Event, values: dict[str, Any]) -> None:
    for name in (*EVENT_FIELDS, "status", "import_uid"):
        if name in values:
            setattr(event, name, values[name])
    if "projects" in values:
        event.projects = list(values["projects"])
    if "links" in values:
        _apply_links(event, values["links"], values.get("timezone") or event.timezone)


def _apply_links(event: Event, links: list[LinkValues], zone: str) -> None:
    """Links of the kinds in `links` take the given state; a kind without a state is removed;
    kinds not mentioned are left alone (an import knows only the register link)."""
    current = {link.kind: link for link in event.links}
    for position, wanted in enumerate(links):
        existing = current.get(wanted.kind)
        if wanted.state is None:
            if existing is not None:
                event.links.remove(existing)
            continue
        if existing is None:
            existing = EventLink(kind=wanted.kind, position=position)
            event.links.append(existing)
        deadline = wanted.deadline
        existing.state = wanted.state
        existing.url = wanted.url or None
        existing.position = position
        existing.deadline = (
            as_naive_utc(deadline.replace(tzinfo=ZoneInfo(zone))) if deadline else None
        )


def change_status(
    event: Event,
    action: str,
    actor: Actor,
    reason: str | None = None,
    dates_to_be_announced: bool = False,
) -> None:
    """Publish, postpone or cancel. Postponing and cancelling take the reason the public page
    shows; a postponed event may have its new dates still to be announced."""
    sources, target = TRANSITIONS[action]
    if event.status not in sources:
        raise Refused(f"A {event.status.label.lower()} event cannot be {_past(action)}.")
    reason = " ".join((reason or "").split())[:500] or None
    before = {"status": event.status.value, "status_reason": event.status_reason}
    event.status = target
    if action == "publish":
        event.status_reason = None
        event.dates_to_be_announced = False
    else:
        event.status_reason = reason
        event.dates_to_be_announced = action == "postpone" and dates_to_be_announced
    after = {"status": target.value, "status_reason": event.status_reason}
    if event.dates_to_be_announced:
        after["dates_to_be_announced"] = True
    record(actor, f"event.{action}", event, event.title, before, after)
    db.session.flush()


def _past(action: str) -> str:
    return {"publish": "published", "postpone": "postponed", "cancel": "cancelled"}[action]


def publish(event: Event, actor: Actor) -> None:
    change_status(event, "publish", actor)


def postpone(
    event: Event, actor: Actor, reason: str | None = None, dates_to_be_announced: bool = False
) -> None:
    change_status(event, "postpone", actor, reason, dates_to_be_announced)


def cancel(event: Event, actor: Actor, reason: str | None = None) -> None:
    change_status(event, "cancel", actor, reason)


def delete_draft(event: Event, actor: Actor) -> None:
    """Only drafts go: a published event may be in people's calendars, so it is cancelled."""
    if event.status is not EventStatus.DRAFT:
        raise Refused("Only drafts can be deleted; cancel a published event instead.")
    record(actor, "event.delete", event, event.title, before=snapshot(event))
    for follower in db.session.scalars(select(Event).where(Event.previous_edition_id == event.id)):
        follower.previous_edition_id = event.previous_edition_id
    db.session.delete(event)
    db.session.flush()


def set_sponsor_link(event: Event, url: str, state: LinkState, actor: Actor) -> bool:
    """Point the event's Sponsor link at `url` in `state` (adding the link if it has none):
    what selling sponsorship through the portal's own page does. False when it already was."""
    link = event.link(LinkKind.SPONSOR)
    before = snapshot(event)["links"]
    if link is None:
        position = max((other.position for other in event.links), default=-1) + 1
        link = EventLink(kind=LinkKind.SPONSOR, position=position)
        event.links.append(link)
    link.url, link.state = url, state
    after = snapshot(event)["links"]
    if after == before:
        return False
    record(actor, "event.sponsor_link", event, event.title, {"links": before}, {"links": after})
    db.session.flush()
    return True


YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


def next_edition_dates(event: Event) -> tuple[date, date]:
    """A year later on the same weekdays: 52 weeks (a day or two before the date a year on)."""
    shift = timedelta(weeks=52)
    return event.starts_on + shift, event.ends_on + shift


def next_edition(
    event: Event,
    actor: Actor,
    starts_on: date | None = None,
    ends_on: date | None = None,
    today: date | None = None,
    status: EventStatus = EventStatus.DRAFT,
    dates_to_be_confirmed: bool = False,
) -> Event:
    """The next edition of `event` on the given dates (by default a year later on the same
    weekdays): the year in the title and address moved on, projects and links copied (links
    'coming soon'), sponsorship packages copied by the sales module (quantities reset, not on
    sale). Dates already over are refused: an edition is made to come."""
    default_start, _ = next_edition_dates(event)
    starts_on = starts_on or default_start
    ends_on = ends_on or (starts_on + (event.ends_on - event.starts_on))
    today = today or datetime.now(UTC).date()
    if ends_on < today:
        raise Refused({"starts_on": "These dates are already over: an edition is made to come."})
    if starts_on <= event.starts_on:
        raise Refused({"starts_on": "The next edition starts after this one."})
    new_year = str(starts_on.year)
    values = {name: getattr(event, name) for name in EVENT_FIELDS}
    values.update(
        title=YEAR.sub(new_year, event.title, count=1),
        starts_on=starts_on,
        ends_on=ends_on,
        colocated_name=None,
        colocated_starts_on=None,
        colocated_ends_on=None,
        colocated_url=None,
        dates_to_be_confirmed=dates_to_be_confirmed,
        projects=list(event.projects),
        links=[LinkValues(link.kind, LinkState.COMING_SOON) for link in event.links],
        status=status,
    )
    base = YEAR.sub(new_year, event.slug) if YEAR.search(event.slug) else f"{event.slug}-{new_year}"
    values["slug"] = unique_slug(base)
    edition = create_event(values, actor)
    edition.previous_edition_id = event.id
    db.session.flush()
    for copy in EDITION_HOOKS:  # the sales module copies the sponsorship packages
        copy(event, edition, actor)
    return edition


# Called as hook(previous, edition, actor) after next_edition made an edition; the modules that
# hang things on events (sponsorship packages) register here, so events imports none of them.
EDITION_HOOKS: list[Callable[[Event, Event, Actor], None]] = []


def duplicate(event: Event, actor: Actor) -> Event:
    """Next year's edition as a draft (kept for the back office's Duplicate button)."""
    return next_edition(event, actor)


def unique_slug(base: str, taken: SlugPool | None = None) -> str:
    """`base`, or `base-2`, `base-3`... whichever no event has yet. With a pool (one import),
    the slugs taken under each base are read once, not again for every event."""
    return (taken or SlugPool()).take(base)


class SlugPool:
    """The slugs taken under each base, read once from the database and kept up to date
    with the slugs handed out since, so thousands of same-title events are numbered
    without re-reading every taken slug each time. `expect(bases)` first asks in a few
    statements which bases are free as they are; only the others read their numbered slugs."""

    def __init__(self) -> None:
        self.stored: dict[str, set[str]] = {}
        self.next_number: dict[str, int] = {}
        self.given: set[str] = set()
        self.free_as_is: set[str] = set()

    @staticmethod
    def normal(base: str) -> str:
        return base[:110].strip("-") or "event"

    def expect(self, bases: list[str]) -> None:
        wanted = sorted({self.normal(base) for base in bases} - set(self.stored))
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            with db.session.no_autoflush:
                taken = set(db.session.scalars(select(Event.slug).where(Event.slug.in_(chunk))))
            self.free_as_is.update(set(chunk) - taken)

    def take(self, base: str) -> str:
        base = self.normal(base)
        if base in self.free_as_is and base not in self.given:
            self.given.add(base)
            return base
        stored = self.stored.get(base)
        if stored is None:
            stmt = select(Event.slug).where(Event.slug.startswith(base, autoescape=True))
            with db.session.no_autoflush:  # what is not flushed yet is in self.given
                stored = self.stored[base] = set(db.session.scalars(stmt))

        def free(slug: str) -> bool:
            return slug not in stored and slug not in self.given

        if free(base):
            slug = base
        else:
            number = self.next_number.get(base, 2)
            while not free(f"{base}-{number}"):
                number += 1
            self.next_number[base] = number + 1
            slug = f"{base}-{number}"
        self.given.add(slug)
        return slug


# Projects: rows with nothing more to them than their fields (core.rows)

PROJECT = RowKind(
    "project",
    Project,
    ("slug", "name", "url", "position"),
    rules.project_errors,
    lambda project: project.name,
)


# Imports


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
    slugs = SlugPool()
    slugs.expect([ical_import.slug_base(row) for row in rows if row.action == "create"])
    updating = _events_to_update(rows)
    created: list[Event] = []
    for row in rows:
        if row.action == "create":
            row.outcome = _create_row(row, publish, slugs, created)
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


def _create_row(row: ImportRow, publish: bool, slugs: SlugPool, created: list[Event]) -> str:
    """A new event from `row`, checked as create_event checks it (the slug by the pool, which
    knows every slug taken), added to the session for _write_created."""
    values = dict(row.values)
    values.setdefault("kind", EventKind.COMMUNITY_EVENT)
    status = ical_import.new_status(row, publish)
    if row.cancelled and status is EventStatus.DRAFT:
        values["summary"] = _marked(values.get("summary"))
    slug = slugs.take(ical_import.slug_base(row))
    errors = rules.event_errors({**values, "slug": ""})
    errors.pop("slug", None)
    if not rules.is_slug(slug):
        errors["slug"] = "Lower-case letters, digits and single hyphens, at most 120 characters."
    if errors:
        row.problems += list(dict.fromkeys(errors.values()))
        return "skipped"
    values.update(slug=slug, import_uid=row.uid, status=status)
    event = Event(status=status)
    event.projects, event.links = [], []
    _apply(event, values)
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
OWN_FEED_FIELDS = ("title", "starts_on", "ends_on", "start_time", "end_time", "timezone")


def _own_values(row: ImportRow, event: Event) -> dict[str, Any]:
    values = {name: row.values[name] for name in OWN_FEED_FIELDS if name in row.values}
    if values.get("start_time") is None:
        values.pop("timezone", None)  # all day: the feed has dates, the zone stays the event's
    else:
        zone = ZoneInfo(values["timezone"])
        start = datetime.combine(values["starts_on"], values["start_time"], zone)
        end = datetime.combine(values["ends_on"], values["end_time"], zone)
        if (start, end) == (event.local_start, event.local_end):
            for name in ("starts_on", "ends_on", "start_time", "end_time", "timezone"):
                values.pop(name)  # the same instants, perhaps written in another zone
    return values


def _import_row(row: ImportRow, actor: Actor, events: dict[int, Event]) -> str:
    if row.action == "skip":
        return "skipped"
    values = dict(row.values)
    try:
        if row.action == "update":
            event = events.get(row.event_id) or db.session.get(Event, row.event_id)
            row.slug = event.slug
            if row.own:
                values = _own_values(row, event)
            if row.cancelled and event.status is not EventStatus.DRAFT:
                values["status"] = EventStatus.CANCELLED
            elif row.cancelled:
                summary = values.get("summary", event.summary) or ""
                if not summary.startswith(ical_import.CANCELLED_MARK):
                    values["summary"] = _marked(summary)
            changed = update_event(event, values, actor)
            return "updated" if changed else "unchanged"
        return "skipped"  # new events go through _create_row
    except Refused as refused:
        row.problems.append(str(refused))
        return "skipped"


def _marked(summary: str | None) -> str:
    """A draft of a cancelled event says so where staff read it."""
    return f"{ical_import.CANCELLED_MARK} {summary or ''}".strip()[:500]
