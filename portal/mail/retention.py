"""How long sent mail stays in the outbox (PORTAL_OUTBOX_SENT_RETENTION_DAYS), and the purge
that the outbox worker runs once a day and `flask outbox purge` runs on demand.

A sent message is a copy of what was delivered, the visitor's words included: past the days
in which someone asks "did the acknowledgement go out?", it is personal data kept for
nothing, and the largest table of a busy portal. Failed messages stay until staff act on
them; mail still waiting is never touched.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import delete, select

from portal.core.audit import record
from portal.core.db import as_naive_utc, rowcount, utcnow
from portal.extensions import db
from portal.mail.models import OutboxMessage, OutboxState

SETTING = "OUTBOX_SENT_RETENTION_DAYS"  # PORTAL_OUTBOX_SENT_RETENTION_DAYS
DEFAULT_DAYS = 90
MAX_DAYS = 36500
KEEP_WORDS = ("", "keep")
BATCH = 500  # rows a statement: each batch its own short transaction


def sent_retention_days(value: Any) -> int | None:
    """The setting as a number of days, or None to keep sent mail: `keep` (or JSON `null`, or
    empty). Anything else than a whole number of days from 1 to MAX_DAYS is refused."""
    if value is None or (isinstance(value, str) and value.strip().lower() in KEEP_WORDS):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise ValueError(
            "PORTAL_OUTBOX_SENT_RETENTION_DAYS must be a number of days from 1 to "
            f"{MAX_DAYS}, or keep; not {value!r}"
        )
    return value


def purge_sent(older_than: timedelta, now: datetime, batch: int | None = None) -> int:
    """Delete the messages sent more than `older_than` before `now`, `batch` rows at a time,
    each batch committed on its own (short locks; an interrupted purge keeps what it did), in
    the order of their ids so the whole run reads the table once. One audit entry for the run
    when it deleted anything. Returns how many it deleted."""
    batch = batch or BATCH
    cutoff = as_naive_utc(now) - older_than
    db.session.commit()
    deleted = 0
    after = 0
    while True:
        ids = list(
            db.session.scalars(
                select(OutboxMessage.id)
                .where(
                    OutboxMessage.state == OutboxState.SENT,
                    OutboxMessage.sent_at < cutoff,
                    OutboxMessage.id > after,
                )
                .order_by(OutboxMessage.id)
                .limit(batch)
            )
        )
        if not ids:
            break
        deleted += rowcount(
            db.session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.id.in_(ids), OutboxMessage.state == OutboxState.SENT
                ),
                execution_options={"synchronize_session": False},
            )
        )
        db.session.commit()
        after = ids[-1]
    if deleted:
        days = older_than.days
        record(
            None,
            "outbox.purge",
            None,
            f"Sent mail older than {days} day{'s' if days != 1 else ''}",
            after={"older_than_days": days, "cutoff": cutoff.isoformat(), "messages": deleted},
        )
        db.session.commit()
    db.session.expire_all()  # the statements deleted rows the session may hold
    return deleted


def retention_job(app: Flask) -> str | None:
    """The outbox worker's daily purge (a receiver of core.signals.daily_job_due)."""
    days = app.config["OUTBOX_SENT_RETENTION_DAYS"]
    deleted = purge_sent(timedelta(days=days), utcnow())
    if not deleted:
        return None
    return f"Outbox retention ({days} days): deleted {deleted} sent message(s)."
