"""Putting messages in the outbox, and sending what is due: each message at most once, however
many deliverers run.

A deliverer claims a batch of rows in one short transaction (state `sending` with its own claim
token), sends them, and records each outcome in its own commit right after the server's answer.
PostgreSQL hands each row to one claimer through `FOR UPDATE SKIP LOCKED`; SQLite runs one write
transaction at a time, so its single `UPDATE ... WHERE state = 'pending'` is atomic as well.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import ColumnElement, and_, or_, select, update

from portal.core.db import rowcount, utcnow
from portal.extensions import db
from portal.mail.backends import Backend, PermanentFailure, TemporaryFailure, open_backend
from portal.mail.messages import Envelope
from portal.mail.models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)

BATCH = 50
RETRY_FIRST = timedelta(minutes=1)
RETRY_LONGEST = timedelta(hours=6)
# About three days of retries (1, 2, 4 ... 256 minutes, then every 6 hours).
MAX_ATTEMPTS = 20
# A claim not renewed for this long belongs to a deliverer that died: its rows are due again. A
# live deliverer renews its whole batch every CLAIM_TIMEOUT / 3 while it sends (ClaimKeeper), so
# however long one SMTP exchange takes it keeps its claim; a dead one's mail waits a minute.
CLAIM_TIMEOUT = timedelta(seconds=60)


def enqueue(envelope: Envelope, reference: str | None = None) -> OutboxMessage:
    """Add a message to the caller's transaction: it exists exactly when the change that caused
    it is committed, and is sent only after that."""
    message = OutboxMessage(
        message_id=envelope.message_id,
        sender=envelope.sender,
        recipient=envelope.recipient,
        subject=envelope.subject,
        raw=envelope.raw,
        reference=reference,
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failure, doubling each time, at most 6 hours."""
    return min(RETRY_FIRST * 2 ** max(attempts - 1, 0), RETRY_LONGEST)


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    postponed: int = 0  # claimed, not tried: the server could not be reached
    unreachable: str | None = None

    def __str__(self) -> str:
        text = (
            f"sent {self.sent}, to retry {self.retrying}, failed {self.failed}, "
            f"postponed {self.postponed}"
        )
        if self.unreachable:
            text += f" (mail server unreachable: {self.unreachable})"
        return text


def _claimable(now: datetime, run_started: datetime, include_waiting: bool) -> ColumnElement:
    pending = OutboxMessage.state == OutboxState.PENDING
    if not include_waiting:
        pending = and_(pending, OutboxMessage.next_attempt_at <= now)
    stale = and_(
        OutboxMessage.state == OutboxState.SENDING,
        OutboxMessage.claimed_at < now - CLAIM_TIMEOUT,
    )
    # Nothing this run already tried: with --all a retried message would come straight back.
    untried = or_(OutboxMessage.claimed_at.is_(None), OutboxMessage.claimed_at < run_started)
    return and_(or_(pending, stale), untried)


@dataclass(frozen=True)
class Claim:
    token: str
    messages: list[OutboxMessage]
    due: bool  # something was due, even if another deliverer claimed it first


def claim(
    limit: int,
    *,
    run_started: datetime,
    include_waiting: bool = False,
    ids: Iterable[int] | None = None,
) -> Claim:
    """Mark up to `limit` due messages as ours, in one short transaction of its own."""
    db.session.commit()
    now = utcnow()
    token = secrets.token_hex(16)
    condition = _claimable(now, run_started, include_waiting)
    candidates = select(OutboxMessage.id).where(condition)
    if ids is not None:
        candidates = candidates.where(OutboxMessage.id.in_(list(ids)))
    # Two statements, not UPDATE ... WHERE id IN (SELECT ... LIMIT n): PostgreSQL may run such
    # a subquery again for each row, and with SKIP LOCKED it then returns other rows each time.
    chosen = db.session.scalars(
        candidates.order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if chosen:
        # `condition` again: on SQLite another deliverer may have claimed a row since the SELECT.
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(chosen), condition)
            .values(state=OutboxState.SENDING, claim_token=token, claimed_at=now)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    mine = select(OutboxMessage).where(OutboxMessage.claim_token == token)
    messages = list(db.session.scalars(mine.order_by(OutboxMessage.id)))
    return Claim(token, messages, due=bool(chosen))


class ClaimKeeper:
    """Renews the claim of a batch (every row still holding `token`) every CLAIM_TIMEOUT / 3,
    from a thread of its own on a connection of its own, while the deliverer works through
    the batch: a slow server (each SMTP step may take MAIL_TIMEOUT) never makes a live
    deliverer's claim look abandoned. The deliverer's own session is committed between
    steps, so the two never wait for each other's locks."""

    def __init__(self, token: str) -> None:
        self.token = token
        self.engine = db.engine
        self.period = CLAIM_TIMEOUT.total_seconds() / 3
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="outbox-claim", daemon=True)

    def __enter__(self) -> ClaimKeeper:
        self.thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stopped.set()
        self.thread.join(timeout=self.period)

    def _run(self) -> None:
        while not self.stopped.wait(self.period):
            try:
                self.renew()
            except Exception:  # a lost renewal is one the next beat may make
                log.warning("could not renew an outbox claim", exc_info=True)

    def renew(self) -> int:
        with self.engine.begin() as connection:
            return connection.execute(
                update(OutboxMessage)
                .where(
                    OutboxMessage.claim_token == self.token,
                    OutboxMessage.state == OutboxState.SENDING,
                )
                .values(claimed_at=utcnow())
            ).rowcount


def _record(message: OutboxMessage, token: str, **values) -> None:
    """Store an outcome, only while the claim is still ours, in its own commit."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claim_token == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _still_ours(message: OutboxMessage, token: str) -> bool:
    """Renew the claim just before sending. A claim older than CLAIM_TIMEOUT may be taken over
    by another deliverer (this one might have died); after a slow server, this one checks
    that it has not been, so a message is never handed to two SMTP sessions."""
    renewed = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claim_token == token)
        .values(claimed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return rowcount(renewed) == 1


def _send_one(backend: Backend, message: OutboxMessage, token: str, report: DeliveryReport):
    if not _still_ours(message, token):
        return None
    attempts = message.attempts + 1
    try:
        backend.send(message.message_id, message.sender, message.recipient, message.raw)
    except PermanentFailure as error:
        _record(message, token, **_failed(attempts, str(error)))
        report.failed += 1
        return None
    except TemporaryFailure as error:
        if attempts >= MAX_ATTEMPTS:
            answer = f"gave up after {attempts} attempts: {error}"
            _record(message, token, **_failed(attempts, answer))
            report.failed += 1
        else:
            _record(message, token, **_retry(attempts, str(error)))
            report.retrying += 1
        return error
    _record(
        message,
        token,
        state=OutboxState.SENT,
        sent_at=utcnow(),
        attempts=attempts,  # the successful try counts too (OutboxMessage.tries)
        claim_token=None,
    )
    report.sent += 1
    return None


def _failed(attempts: int, answer: str) -> dict:
    return dict(state=OutboxState.FAILED, attempts=attempts, last_error=answer, claim_token=None)


def _retry(attempts: int, answer: str) -> dict:
    return dict(
        state=OutboxState.PENDING,
        attempts=attempts,
        last_error=answer,
        next_attempt_at=utcnow() + retry_delay(attempts),
        claim_token=None,
    )


def _postpone(messages: list[OutboxMessage], token: str) -> None:
    """Give back what was claimed but not tried, without counting an attempt."""
    if not messages:
        return
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_([m.id for m in messages]), OutboxMessage.claim_token == token)
        .values(state=OutboxState.PENDING, claim_token=None, next_attempt_at=utcnow() + RETRY_FIRST)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def deliver(
    app: Flask,
    *,
    include_waiting: bool = False,
    ids: Iterable[int] | None = None,
    timeout: float | None = None,
    batch: int = BATCH,
    deadline: float | None = None,
) -> DeliveryReport:
    """Send what is due (with `include_waiting`, also what waits for a retry), or only the
    messages `ids`. Stops early when the mail server cannot be reached at all, and, with a
    `deadline` (a time.monotonic() value), once it has passed: the rest waits for the worker."""
    report = DeliveryReport()
    run_started = utcnow()
    wanted = None if ids is None else list(ids)
    backend = open_backend(app, timeout)
    try:
        while True:
            claimed = claim(
                batch, run_started=run_started, include_waiting=include_waiting, ids=wanted
            )
            if not claimed.due:
                return report
            with ClaimKeeper(claimed.token):
                if not _send_batch(backend, claimed, report, deadline):
                    return report
    finally:
        backend.close()


def _send_batch(
    backend: Backend, claimed: Claim, report: DeliveryReport, deadline: float | None
) -> bool:
    """Send a claimed batch; False when the run should stop (the deadline passed or the server
    cannot be reached), after giving back what was not tried."""
    for position, message in enumerate(claimed.messages):
        if deadline is not None and time.monotonic() > deadline:
            rest = claimed.messages[position:]
            _postpone(rest, claimed.token)
            report.postponed += len(rest)
            return False
        error = _send_one(backend, message, claimed.token, report)
        if error is not None and error.server_unreachable:
            rest = claimed.messages[position + 1 :]
            _postpone(rest, claimed.token)
            report.postponed += len(rest)
            report.unreachable = str(error)
            return False
    return True


def deliver_now(app: Flask, ids: list[int]) -> None:
    """Best effort, right after the commit that enqueued the messages `ids`: never raises, and
    leaves whatever it could not send to `flask outbox deliver`."""
    if not app.config["MAIL_DELIVER_INLINE"] or not ids:
        return
    # The socket timeout bounds each SMTP step; the deadline bounds them all, so a slow server
    # holds the visitor's request for MAIL_INLINE_TIMEOUT (and one step) at most.
    limit = app.config["MAIL_INLINE_TIMEOUT"]
    try:
        deliver(app, ids=ids, timeout=limit, deadline=time.monotonic() + limit)
    except Exception:
        log.exception("immediate delivery failed; the outbox keeps the messages")
        db.session.rollback()
