"""Every write of alerts: subscribe (double opt-in), confirm, change, leave, erase. Each
flushes; the view or command that called it commits (core.saving), and the mail it causes is
in the outbox in the same transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from portal.alerts import changes, notices
from portal.alerts.models import (
    MAIL_REFERENCE_PREFIX,
    AlertChange,
    AlertJob,
    AlertSubscription,
)
from portal.alerts.rules import Followed, describe
from portal.core import i18n
from portal.core.audit import record
from portal.core.db import as_naive_utc, rowcount
from portal.core.errors import Refused
from portal.events.models import Event, Project
from portal.extensions import db
from portal.mail.delivery import enqueue
from portal.mail.models import OutboxMessage, OutboxState

# An unconfirmed subscription is forgotten after this long; asking again for the same address
# and filters sends a confirmation at most this often.
UNCONFIRMED_KEPT = timedelta(days=7)
CONFIRMATION_EVERY = timedelta(hours=1)
BY = "subscriber"  # who the audit log names for what a subscriber did through a link


def followed_words(followed: Followed) -> str:
    """The filters as the portal states them (project and event by their names)."""
    project = event_title = None
    if followed.project:
        project = db.session.scalar(select(Project.name).where(Project.slug == followed.project))
    if followed.event_id is not None:
        event_title = db.session.scalar(select(Event.title).where(Event.id == followed.event_id))
    return describe(followed, project, event_title or "")


@dataclass(frozen=True)
class Asked:
    """What a subscription request did: the ids of the mail it queued (none when it was asked
    again within the hour). The visitor is told the same either way."""

    message_ids: list[int]


def subscribe(email: str, followed: Followed, now: datetime) -> Asked:
    """Ask for alerts: a new subscription waits for its confirmation; one asked for again gets
    its confirmation again (or, when confirmed, the way to manage it), at most once an hour."""
    moment = as_naive_utc(now)
    existing = db.session.scalar(
        select(AlertSubscription).where(
            AlertSubscription.email == email, AlertSubscription.filter_key == followed.key
        )
    )
    words = followed_words(followed)
    if existing is None:
        existing = AlertSubscription(
            email=email,
            filter_key=followed.key,
            q=followed.q,
            project=followed.project,
            format=followed.format,
            country=followed.country,
            region=followed.region,
            event_id=followed.event_id,
            link=followed.link,
            nonce=secrets.token_hex(16),
            created_at=moment,
            consented_at=moment,
            language=i18n.language().code,
        )
        db.session.add(existing)
        db.session.flush()
    elif (
        existing.confirmation_sent_at
        and existing.confirmation_sent_at > moment - CONFIRMATION_EVERY
    ):
        return Asked([])
    else:
        existing.consented_at = moment
    existing.confirmation_sent_at = moment
    envelope = (
        notices.reminder(existing, words)
        if existing.is_confirmed
        else notices.confirmation(existing, words)
    )
    message = enqueue(envelope, reference=existing.reference)
    db.session.flush()
    return Asked([message.id])


def confirm(subscription: AlertSubscription, now: datetime) -> None:
    """The confirmation link was followed: alerts begin with what changes from now on."""
    if subscription.is_confirmed:
        return
    # Alerts start from the changes found so far. The first subscription ever takes the
    # baseline itself; later ones do not wait for the job's lock (a long run may hold it).
    baseline = db.session.scalar(select(AlertJob.baseline_at).where(AlertJob.id == changes.JOB_ID))
    if baseline is None:
        changes.detect(now)
    latest = db.session.scalar(select(func.max(AlertChange.id))) or 0
    subscription.confirmed_at = as_naive_utc(now)
    subscription.seen_change_id = latest
    record(None, "alert.confirm", None, f"Alert subscription {subscription.id} confirmed", by=BY)
    db.session.flush()


def change(subscription: AlertSubscription, followed: Followed) -> None:
    """New filters for a subscription (not for one that follows an event)."""
    if subscription.follows_event:
        raise Refused({"": _("An alert about one event cannot change its filters.")})
    clash = db.session.scalar(
        select(AlertSubscription.id).where(
            AlertSubscription.email == subscription.email,
            AlertSubscription.filter_key == followed.key,
            AlertSubscription.id != subscription.id,
        )
    )
    if clash is not None:
        raise Refused({"": _("You already receive alerts for these filters.")})
    subscription.filter_key = followed.key
    subscription.q = followed.q
    subscription.project = followed.project
    subscription.format = followed.format
    subscription.country = followed.country
    subscription.region = followed.region
    db.session.flush()


def _forget(ids: list[int]) -> int:
    """Delete subscriptions and the mail they caused (whose bytes hold the address), but the
    mail a deliverer is sending right now (retention deletes it later)."""
    if not ids:
        return 0
    references = [f"{MAIL_REFERENCE_PREFIX}{number}" for number in ids]
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.reference.in_(references),
            OutboxMessage.state != OutboxState.SENDING,
        ),
        execution_options={"synchronize_session": False},
    )
    removed = rowcount(
        db.session.execute(
            delete(AlertSubscription).where(AlertSubscription.id.in_(ids)),
            execution_options={"synchronize_session": False},
        )
    )
    db.session.expire_all()
    return removed


def unsubscribe(subscription: AlertSubscription) -> None:
    """Leave: the subscription and its address are gone at once."""
    number = subscription.id
    _forget([number])
    record(None, "alert.unsubscribe", None, f"Alert subscription {number} ended", by=BY)
    db.session.flush()


def erase(emails: set[str]) -> int:
    """Every subscription of an address (any of the lower-cased forms `emails`), on request."""
    ids = list(
        db.session.scalars(
            select(AlertSubscription.id).where(func.lower(AlertSubscription.email).in_(emails))
        )
    )
    removed = _forget(ids)
    if removed:
        record(
            None, "alert.erase", None, "Alert subscriptions of one address, on request",
            after={"subscriptions": removed},
        )  # fmt: skip
    db.session.flush()
    return removed


def export(emails: set[str]) -> list[dict]:
    """Every subscription of an address, as the privacy export lists them."""
    found = db.session.scalars(
        select(AlertSubscription)
        .where(func.lower(AlertSubscription.email).in_(emails))
        .order_by(AlertSubscription.id)
    )
    return [
        {
            "email": subscription.email,
            "follows": followed_words(Followed.of(subscription)),
            "created_at": subscription.created_at,
            "consented_at": subscription.consented_at,
            "confirmed_at": subscription.confirmed_at,
            "last_sent_at": subscription.last_sent_at,
        }
        for subscription in found
    ]


def expire(now: datetime) -> int:
    """Forget unconfirmed subscriptions older than a week, and alerts about an event that is
    over; the number forgotten."""
    moment = as_naive_utc(now)
    stale = select(AlertSubscription.id).where(
        AlertSubscription.confirmed_at.is_(None),
        AlertSubscription.created_at < moment - UNCONFIRMED_KEPT,
    )
    over = (
        select(AlertSubscription.id)
        .join(Event, Event.id == AlertSubscription.event_id)
        .where(Event.ends_at <= moment)
    )
    ids = list(db.session.scalars(stale)) + list(db.session.scalars(over))
    return _forget(sorted(set(ids)))
