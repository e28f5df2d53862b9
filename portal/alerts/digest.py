"""`flask alerts send`: find what changed, then give each subscriber whose alert is due one
mail with what is new or changed among the events they follow, at most one a day.

Exactly once: a subscription's mail is put in the outbox in the same transaction that moves
its `seen_change_id` past the changes it tells of, so a run that fails sends nothing and
tells nothing twice; the outbox then delivers it through any mail outage.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from sqlalchemy import Select, delete, func, or_, select, update
from sqlalchemy.orm import selectinload

from portal.alerts import changes, notices, operations
from portal.alerts.models import AlertChange, AlertSubscription, ChangeKind
from portal.alerts.rules import Followed
from portal.core import i18n
from portal.core.db import as_naive_utc
from portal.events.models import Event
from portal.events.queries import filter_conditions
from portal.extensions import db
from portal.mail.delivery import enqueue

# What a subscription to filters hears of; one that follows an event hears of its links
# opening, its dates and its status (not of its venue).
FILTER_KINDS = (ChangeKind.NEW, ChangeKind.DATES, ChangeKind.PLACE, ChangeKind.STATUS)
FOLLOW_KINDS = (ChangeKind.OPENED, ChangeKind.DATES, ChangeKind.STATUS)
CHANGES_KEPT = timedelta(days=30)
MAX_ITEMS = 50  # events in one alert; more are summed up by a link to the list


@dataclass
class SendReport:
    changes: int = 0
    alerts: int = 0
    forgotten: int = 0

    def __str__(self) -> str:
        return (
            f"{self.changes} change(s) found, {self.alerts} alert(s) queued, "
            f"{self.forgotten} subscription(s) forgotten"
        )


def day_start(now: datetime) -> datetime:
    moment = as_naive_utc(now)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def _due(now: datetime, latest: int) -> Select:
    """Confirmed subscriptions with changes they were not told of and no alert yet today
    (UTC): filters from the digest hour on, followed events at any hour."""
    start = day_start(now)
    hour = int(current_app.config["ALERTS_DIGEST_HOUR"])
    kinds = [AlertSubscription.event_id.is_not(None)]
    if as_naive_utc(now).hour >= hour:
        kinds.append(AlertSubscription.event_id.is_(None))
    return select(AlertSubscription).where(
        AlertSubscription.confirmed_at.is_not(None),
        AlertSubscription.seen_change_id < latest,
        or_(AlertSubscription.last_sent_at.is_(None), AlertSubscription.last_sent_at < start),
        or_(*kinds),
    )


def _matching(followed: Followed, since: int, latest: int, now: datetime) -> list[AlertChange]:
    """The changes after `since` (up to `latest`) that a subscription to `followed` hears of,
    among events not over."""
    stmt = (
        select(AlertChange)
        .join(Event, Event.id == AlertChange.event_id)
        .where(
            AlertChange.id > since,
            AlertChange.id <= latest,
            Event.ends_at > as_naive_utc(now),
        )
        .order_by(AlertChange.id)
    )
    if followed.event_id is not None:
        stmt = stmt.where(
            AlertChange.event_id == followed.event_id, AlertChange.kind.in_(FOLLOW_KINDS)
        )
        if followed.link:
            stmt = stmt.where(
                or_(AlertChange.kind != ChangeKind.OPENED, AlertChange.link == followed.link)
            )
    else:
        stmt = stmt.where(AlertChange.kind.in_(FILTER_KINDS), *filter_conditions(followed.query()))
    return list(db.session.scalars(stmt))


def _items(found: list[AlertChange], events: dict[int, Event]) -> list[notices.Item]:
    by_event: dict[int, notices.Item] = {}
    for change in found:
        event = events[change.event_id]
        item = by_event.setdefault(event.id, notices.Item(event, set(), set()))
        item.kinds.add(change.kind)
        if change.kind is ChangeKind.OPENED and change.link:
            item.opened.add(change.link)
    items = sorted(by_event.values(), key=lambda item: (item.event.starts_at, item.event.id))
    return items[:MAX_ITEMS]


def send(now: datetime) -> SendReport:
    """Find the changes, queue the alerts that are due, forget what has expired. Flushes; the
    caller commits (one transaction: see the module's docstring)."""
    report = SendReport(changes=changes.detect(now))
    latest = db.session.scalar(select(func.max(AlertChange.id))) or 0
    due = list(db.session.scalars(_due(now, latest).order_by(AlertSubscription.id)))
    # Subscribers to the same filters share one query: thousands of them cost one statement.
    groups: dict[str, list[AlertSubscription]] = defaultdict(list)
    for subscription in due:
        groups[subscription.filter_key].append(subscription)
    moment = as_naive_utc(now)
    for members in groups.values():
        followed = Followed.of(members[0])
        since = min(member.seen_change_id for member in members)
        found = _matching(followed, since, latest, now)
        events = _events({change.event_id for change in found})
        said: dict[str, str] = {}  # the filters in words, once per language of the group
        told = []
        for member in members:
            mine = [change for change in found if change.id > member.seen_change_id]
            if mine:
                # In the language the alert was asked for in (its words too).
                with force_locale(i18n.language_of(member.language).locale):
                    if member.language not in said:
                        said[member.language] = operations.followed_words(followed)
                    words = said[member.language]
                    message = notices.alert(member, words, _items(mine, events))
                enqueue(message, reference=member.reference)
                told.append(member.id)
        db.session.execute(
            update(AlertSubscription)
            .where(AlertSubscription.id.in_([member.id for member in members]))
            .values(seen_change_id=latest),
            execution_options={"synchronize_session": False},
        )
        if told:
            db.session.execute(
                update(AlertSubscription)
                .where(AlertSubscription.id.in_(told))
                .values(last_sent_at=moment),
                execution_options={"synchronize_session": False},
            )
        report.alerts += len(told)
    db.session.flush()
    db.session.expire_all()
    report.forgotten = operations.expire(now)
    db.session.execute(
        delete(AlertChange).where(AlertChange.found_at < moment - CHANGES_KEPT),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()
    return report


def _events(ids: set[int]) -> dict[int, Event]:
    if not ids:
        return {}
    stmt = select(Event).where(Event.id.in_(list(ids))).options(selectinload(Event.links))
    return {event.id: event for event in db.session.scalars(stmt)}
