"""What /healthz and /metrics read of the outbox: how much waits, how long the oldest has
waited, how many failed for good, and how long the oldest claim of a deliverer has gone
without renewal (one that died leaves its claim until CLAIM_TIMEOUT)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from portal.core import signals
from portal.core.db import utcnow
from portal.extensions import db
from portal.mail.delivery import CLAIM_TIMEOUT
from portal.mail.models import OutboxMessage, OutboxState

# Mail waiting longer than this (seconds) means the worker is not keeping up, or is not running.
WAITING_TOO_LONG = 15 * 60


def oldest_claim_age(now: datetime | None = None) -> timedelta | None:
    """Time since the oldest claim of a message being sent was made or last renewed; None when
    no message is being sent. A live deliverer renews its claims every CLAIM_TIMEOUT / 3, so
    this stays under that while delivery works; past CLAIM_TIMEOUT a deliverer died and no
    running worker has taken its mail over yet (is the worker running?)."""
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.claimed_at)).where(OutboxMessage.state == OutboxState.SENDING)
    )
    if oldest is None:
        return None
    return max((now or utcnow()) - oldest, timedelta(0))


def outbox_figures(now: datetime | None = None) -> dict[str, Any]:
    """Pending and failed counts, and the ages (seconds) of the oldest pending message and of
    the oldest claim, in one statement."""
    now = now or utcnow()
    pending = OutboxMessage.state == OutboxState.PENDING
    row = db.session.execute(
        select(
            func.count().filter(pending),
            func.min(OutboxMessage.created_at).filter(pending),
            func.count().filter(OutboxMessage.state == OutboxState.FAILED),
            func.min(OutboxMessage.claimed_at).filter(OutboxMessage.state == OutboxState.SENDING),
        )
    ).one()
    count, oldest, failed, claimed = row

    def age(moment: datetime | None) -> int | None:
        return None if moment is None else max(0, int((now - moment).total_seconds()))

    return {
        "pending": count,
        "oldest_pending_seconds": age(oldest),
        "failed": failed,
        "oldest_claim_seconds": age(claimed),
    }


@signals.health_report.connect
def outbox_health(sender: object) -> tuple[str, str, dict[str, Any]]:
    """Degraded when mail waits too long, a claim outlived its timeout, or mail failed."""
    figures = outbox_figures()
    late = (figures["oldest_pending_seconds"] or 0) > WAITING_TOO_LONG
    stuck = (figures["oldest_claim_seconds"] or 0) > CLAIM_TIMEOUT.total_seconds()
    state = "degraded" if late or stuck or figures["failed"] else "ok"
    return "outbox", state, figures
