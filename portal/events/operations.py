"""Every change to the catalogue: events, their status, projects and imports.

Each operation validates, changes the models, writes the audit entry and flushes; the view or
the command that called it commits (core.saving). The model listeners (models.py) raise
SEQUENCE, LAST-MODIFIED and the catalogue version, so the public list, the event page and the
calendar feeds follow. Views and commands call these; nothing else writes to the catalogue.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.core import audit, signals
from portal.core.audit import plain, record
from portal.core.db import as_naive_utc
from portal.core.errors import Refused
from portal.core.rows import RowKind
from portal.events import localized, rules, slugs
from portal.events.models import (
    TRANSITIONS,
    Event,
    EventLink,
    EventStatus,
    LinkKind,
    LinkState,
    Project,
)
from portal.events.rules import LinkValues
from portal.extensions import db

Actor = audit.Actor | None  # a staff account (accounts.models.StaffUser); None: a command

# The fields staff edit, in the order the audit log shows them.
EVENT_FIELDS = (
    "slug", "title", "summary", "description", "kind", "format", "starts_on", "ends_on",
    "start_time", "end_time", "timezone", "start_fold", "end_fold", "venue", "street", "city",
    "region", "country", "latitude", "longitude", "colocated_name", "colocated_starts_on",
    "colocated_ends_on", "colocated_url", "contact_email", "dates_to_be_confirmed",
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
    apply_values(event, values)
    db.session.add(event)
    db.session.flush()
    action = "event.import" if values.get("import_uid") else "event.create"
    record(actor, action, event, event.title, after=snapshot(event))
    db.session.flush()
    return event


def update_event(event: Event, values: dict[str, Any], actor: Actor) -> bool:
    """Apply `values`; False when they change nothing (and nothing is written). The status is
    not among them: it changes through change_status, by the allowed transitions."""
    if "status" in values:
        raise ValueError("A status changes through change_status, not update_event.")
    errors = rules.event_errors(values, event)
    if errors:
        raise Refused(errors)
    before = snapshot(event)
    old_dates = (event.starts_on, event.ends_on)
    apply_values(event, values)
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


def apply_values(event: Event, values: dict[str, Any]) -> None:
    """Set the fields of `values` on `event` (its projects and links too), unchecked: the
    operations check them first."""
    for name in (*EVENT_FIELDS, "import_uid"):
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
    if action == "publish" and event.is_postponed and event.dates_to_be_announced:
        # Its stored dates are the ones it was postponed from: publishing them again would
        # reopen its links and put the old date back in every subscriber's calendar.
        raise Refused(
            "Give the new dates first: this event was postponed to dates to be announced."
        )
    reason = " ".join((reason or "").split())[:500] or None
    before = {"status": event.status.value, "status_reason": event.status_reason}
    event.status = target
    if action == "publish":
        event.status_reason = None
        event.dates_to_be_announced = False
    else:
        event.status_reason = reason
        event.dates_to_be_announced = action == "postpone" and dates_to_be_announced
    after: dict[str, Any] = {"status": target.value, "status_reason": event.status_reason}
    if event.dates_to_be_announced:
        after["dates_to_be_announced"] = True
    record(actor, f"event.{action}", event, event.title, before, after)
    db.session.flush()


def _past(action: str) -> str:
    return {"publish": "published", "postpone": "postponed", "cancel": "cancelled"}[action]


def publish(event: Event, actor: Actor) -> None:
    change_status(event, "publish", actor)


def publish_with_dates(
    event: Event, actor: Actor, starts_on: date | None, ends_on: date | None
) -> None:
    """Publish a postponed event again on its new dates; the dates it was postponed from are
    refused while its new ones are to be announced (they are what "Previously planned for"
    says)."""
    if event.is_postponed and event.dates_to_be_announced:
        if (starts_on, ends_on) == (event.starts_on, event.ends_on):
            raise Refused(
                {"starts_on": "These are the dates it was postponed from: give the new ones."}
            )
        update_event(event, {"starts_on": starts_on, "ends_on": ends_on}, actor)
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
    values = {name: getattr(event, name) for name in EVENT_FIELDS}
    values.update(
        title=slugs.next_year_title(event.title, starts_on.year),
        starts_on=starts_on,
        ends_on=ends_on,
        start_fold=False,  # a year on, the clocks repeat no hour that day
        end_fold=False,
        colocated_name=None,
        colocated_starts_on=None,
        colocated_ends_on=None,
        colocated_url=None,
        dates_to_be_confirmed=dates_to_be_confirmed,
        projects=list(event.projects),
        links=[LinkValues(link.kind, LinkState.COMING_SOON) for link in event.links],
        status=status,
    )
    values["slug"] = slugs.unique_slug(slugs.next_year_slug(event.slug, starts_on.year))
    edition = create_event(values, actor)
    edition.previous_edition_id = event.id
    if event.localized:  # the titles staff wrote in other languages, their year moved on too
        moved = {
            code: {**texts, "title": slugs.next_year_title(texts["title"], starts_on.year)}
            if "title" in texts
            else texts
            for code, texts in event.localized.items()
        }
        localized.set_localized(edition, moved, actor)
    db.session.flush()
    # What other features hang on an event follows it (the offer's sponsorship packages).
    signals.edition_made.send(event, edition=edition, actor=actor)
    return edition


def duplicate(event: Event, actor: Actor) -> Event:
    """Next year's edition as a draft (kept for the back office's Duplicate button)."""
    return next_edition(event, actor)


# Projects: rows with nothing more to them than their fields (core.rows)

PROJECT = RowKind(
    "project",
    Project,
    ("slug", "name", "url", "position"),
    rules.project_errors,
    lambda project: project.name,
)
