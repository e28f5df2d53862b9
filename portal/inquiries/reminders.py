"""Nothing sits: an inquiry still new after PORTAL_INQUIRY_REMINDER_HOURS (default 48) sends
one reminder to its routed contacts; after twice that, one escalation to the default contact.
The outbox worker runs `send_nudges` every hour (core.signals.hourly_job_due), and `flask
inquiries remind` runs it on demand.

Once each: the reminder (or escalation) is an InquiryNudge row whose primary key is the
inquiry and the kind, inserted in the same transaction as its mail and audit entry. Two
workers racing insert the same row; one commit fails, and its mail goes with it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from portal.core.audit import record
from portal.core.db import as_naive_utc, utcnow
from portal.extensions import db
from portal.inquiries import notifications
from portal.inquiries.models import (
    Inquiry,
    InquiryNudge,
    InquiryStatus,
    NudgeKind,
    StaffContact,
)
from portal.mail.delivery import enqueue

SETTING = "INQUIRY_REMINDER_HOURS"  # PORTAL_INQUIRY_REMINDER_HOURS
DEFAULT_HOURS = 48
MAX_HOURS = 24 * 365
BATCH = 100  # inquiries a transaction


def reminder_hours(value: Any) -> int:
    """The setting as whole hours from 1 to MAX_HOURS; anything else is refused at start."""
    if value is None:
        return DEFAULT_HOURS
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_HOURS:
        raise ValueError(
            f"PORTAL_INQUIRY_REMINDER_HOURS must be a number of hours from 1 to {MAX_HOURS}, "
            f"not {value!r}"
        )
    return value


def _due(kind: NudgeKind, cutoff: datetime, after: int):
    sent = exists().where(InquiryNudge.inquiry_id == Inquiry.id, InquiryNudge.kind == kind)
    return (
        select(Inquiry)
        .where(
            Inquiry.status == InquiryStatus.NEW,
            Inquiry.created_at <= cutoff,
            Inquiry.id > after,
            ~sent,
        )
        .options(selectinload(Inquiry.contacts))
        .order_by(Inquiry.id)
        .limit(BATCH)
    )


def _recipients(inquiry: Inquiry, kind: NudgeKind) -> list[StaffContact]:
    if kind is NudgeKind.REMINDER:
        return list(inquiry.contacts)
    default = db.session.scalar(
        select(StaffContact).where(
            StaffContact.is_default.is_(True), StaffContact.retired_at.is_(None)
        )
    )
    return [default] if default is not None else list(inquiry.contacts)


def _nudge(inquiry: Inquiry, kind: NudgeKind, hours: int) -> None:
    contacts = _recipients(inquiry, kind)
    db.session.add(InquiryNudge(inquiry_id=inquiry.id, kind=kind, sent_at=utcnow()))
    for contact in contacts:
        enqueue(notifications.nudge(inquiry, contact, kind, hours), inquiry.reference)
    record(
        None,
        "inquiry.remind" if kind is NudgeKind.REMINDER else "inquiry.escalate",
        inquiry,
        f"Inquiry {inquiry.id}: {inquiry.topic}",
        after={"to": [contact.email for contact in contacts], "after_hours": hours},
        by="outbox worker",
    )


def send_nudges(hours: int, now: datetime) -> dict[NudgeKind, int]:
    """Enqueue the reminders and escalations due at `now`, a batch of inquiries a commit.
    Returns how many of each were sent (an inquiry another worker took is not counted)."""
    now = as_naive_utc(now)
    sent = {NudgeKind.REMINDER: 0, NudgeKind.ESCALATION: 0}
    for kind, waited in ((NudgeKind.REMINDER, hours), (NudgeKind.ESCALATION, 2 * hours)):
        cutoff = now - timedelta(hours=waited)
        after = 0
        while True:
            db.session.commit()
            batch = list(db.session.scalars(_due(kind, cutoff, after)))
            if not batch:
                break
            for inquiry in batch:
                _nudge(inquiry, kind, waited)
            try:
                db.session.commit()
                sent[kind] += len(batch)
            except IntegrityError:  # another worker nudged one of them first: one at a time
                db.session.rollback()
                sent[kind] += _one_by_one([i.id for i in batch], kind, waited)
            after = batch[-1].id
    return sent


def _one_by_one(ids: list[int], kind: NudgeKind, hours: int) -> int:
    done = 0
    for number in ids:
        inquiry = db.session.get(Inquiry, number)
        if inquiry is None or inquiry.status is not InquiryStatus.NEW:
            continue
        if db.session.get(InquiryNudge, (number, kind)) is not None:
            continue
        _nudge(inquiry, kind, hours)
        try:
            db.session.commit()
            done += 1
        except IntegrityError:
            db.session.rollback()
    return done


def reminder_job(app: Flask) -> str | None:
    """The outbox worker's hourly round (a receiver of core.signals.hourly_job_due)."""
    sent = send_nudges(app.config[SETTING], utcnow())
    reminded, escalated = sent[NudgeKind.REMINDER], sent[NudgeKind.ESCALATION]
    if not (reminded or escalated):
        return None
    return f"Inquiries left new: {reminded} reminder(s), {escalated} escalation(s) enqueued."
