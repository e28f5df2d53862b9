"""What staff do to the outbox: send failed messages again."""

from __future__ import annotations

from sqlalchemy import select, update

from portal.accounts.models import StaffUser
from portal.core.audit import plain, record
from portal.core.db import utcnow
from portal.extensions import db
from portal.mail.models import OutboxMessage, OutboxState

RETRY_ALL_LIMIT = 500  # one press sends at most this many; press again for the rest


def retry(ids: list[int], actor: StaffUser | None) -> list[int]:
    """Put the failed messages among `ids` back in the queue, due now; the caller commits and
    then tries to send them at once (delivery.deliver_now, best effort, as for new mail).
    Returns the ids that were failed.

    Only failed messages move: a sent message is never sent again, and one that is pending
    or being sent is already on its way. The UPDATE checks the state itself, so two people
    pressing Retry at once queue a message once, and the claim in delivery.py lets one
    deliverer send it."""
    failed = list(
        db.session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.id.in_(ids), OutboxMessage.state == OutboxState.FAILED
            )
        )
    )
    if not failed:
        return []
    now = utcnow()
    chosen = set(
        db.session.scalars(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_([message.id for message in failed]),
                OutboxMessage.state == OutboxState.FAILED,
            )
            .values(state=OutboxState.PENDING, next_attempt_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        )
    )
    for message in (message for message in failed if message.id in chosen):
        record(
            actor,
            "outbox.retry",
            message,
            f"{message.subject} → {message.recipient}",
            before={"state": "failed", "attempts": message.attempts, "error": message.last_error},
            after={"state": "pending", "due": plain(now)},
        )
    db.session.flush()
    return sorted(chosen)


def retry_all_failed(actor: StaffUser | None) -> list[int]:
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.state == OutboxState.FAILED)
        .order_by(OutboxMessage.id)
        .limit(RETRY_ALL_LIMIT)
    )
    return retry(list(ids), actor)
