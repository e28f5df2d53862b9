"""Personal data of inquiries, kept only as long as needed: the retention purge, the export of
everything held about an address, and its erasure. Operations: each flushes, the view or the
command commits (core.saving).

Removing an inquiry's personal data keeps the inquiry as a row, so counts and reports survive:
its kind, status, topic, tier, event, package, routing and dates stay; its name becomes
REMOVED_NAME and its address, organization and message become empty (the columns are NOT NULL).
An empty address is what marks an inquiry as removed: the forms never store one. Its notes are
deleted, and so is the mail it caused (outbox rows referring to it), whose raw bytes hold what
the visitor typed; mail that is still to be sent is left for the deliverer (see `purge`). The
audit entries about the inquiry lose the name and organization in their labels and the text of
its notes; who did what and when stays.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import Select, String, cast, delete, func, literal, select, update
from sqlalchemy.orm import selectinload

from portal.accounts.models import StaffUser
from portal.config import ConfigurationError
from portal.core import signals
from portal.core.audit import AuditEntry, plain, record
from portal.core.db import as_naive_utc, rowcount, utcnow
from portal.core.errors import Refused
from portal.extensions import db
from portal.inquiries.limits import forget_address
from portal.inquiries.models import (
    MAIL_REFERENCE_PREFIX,
    Inquiry,
    InquiryNote,
    InquiryReply,
    InquiryStatus,
    StaffContact,
    mail_reference,
    search_text_of,
)
from portal.mail.models import OutboxMessage, OutboxState

# What an erasure cannot reach, said wherever it is done.
BEYOND_REACH = (
    "Mail already delivered cannot be recalled: the acknowledgement in the visitor's mailbox "
    "and the notifications in staff mailboxes stay there."
)
REMOVED_NAME = "(removed)"
REMOVED_NOTE = "(removed)"
REMOVED_VALUES = dict(name=REMOVED_NAME, email="", organization="", message="")
# An inquiry with one of these statuses is over: its data may go once it is old enough.
OUTCOMES = (InquiryStatus.WON, InquiryStatus.LOST, InquiryStatus.CLOSED, InquiryStatus.SPAM)
MAX_DAYS = 36500
CHUNK = 500  # ids per statement: well under every database's limit of bound parameters


@dataclass(frozen=True)
class Removed:
    """What a purge or an erasure removed: inquiries whose personal data went, their notes,
    and outbox messages; and, for an erasure, what other features removed of the address
    (`elsewhere`: (what, how many), as the receivers of `address_erased` answered)."""

    inquiries: int = 0
    notes: int = 0
    messages: int = 0
    elsewhere: tuple[tuple[str, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.inquiries or self.notes or self.messages or self._others())

    def _others(self) -> int:
        return sum(count for _, count in self.elsewhere)

    def __str__(self) -> str:
        text = (
            f"{_count(self.inquiries, 'inquiry', 'inquiries')}, {_count(self.notes, 'note')}, "
            f"{_count(self.messages, 'message')}"
        )
        return text + "".join(f", {count} {what}" for what, count in self.elsewhere if count)

    def as_dict(self) -> dict[str, int]:
        """The counts of inquiries (each other feature audits its own)."""
        return {"inquiries": self.inquiries, "notes": self.notes, "messages": self.messages}


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"


def retention_days(value: Any) -> int | None:
    """The setting INQUIRY_RETENTION_DAYS as a number of days, or None when it is not set.
    Anything else than a whole number of days from 1 to MAX_DAYS is refused at start-up."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise ConfigurationError(
            f"PORTAL_INQUIRY_RETENTION_DAYS must be a number of days from 1 to {MAX_DAYS}, "
            f"not {value!r}"
        )
    return value


def addresses(email: str) -> set[str]:
    """The lower-cased forms an address may be stored in: as typed, and as the forms store it
    (email-validator's ASCII form, with an IDNA domain)."""
    typed = (email or "").strip()
    if not typed:
        raise Refused({"email": "Give an email address."})
    found = {typed.lower()}
    try:
        result = validate_email(typed, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError:
        return found
    found.add((result.ascii_email or result.normalized).lower())
    return found


def _held() -> Any:
    """Inquiries whose personal data is still there."""
    return Inquiry.email != ""


def _of_address(email: str) -> Select:
    return select(Inquiry).where(func.lower(Inquiry.email).in_(addresses(email)), _held())


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start : start + CHUNK])


def _references(ids: list[int]) -> list[str]:
    return [mail_reference(number) for number in ids]


def _remove(ids: Sequence[int], mail: Sequence[OutboxState]) -> Removed:
    """Remove the personal data of the inquiries `ids`, their notes, their mail in the states
    `mail`, and what the audit log quotes of them. Statements, not objects: a purge may touch
    many thousands of rows."""
    notes = messages = 0
    for chunk in _chunks(ids):
        notes += rowcount(
            db.session.execute(
                delete(InquiryNote).where(InquiryNote.inquiry_id.in_(chunk)),
                execution_options={"synchronize_session": False},
            )
        )
        # A reply quotes the visitor and answers them: it goes with the notes.
        notes += rowcount(
            db.session.execute(
                delete(InquiryReply).where(InquiryReply.inquiry_id.in_(chunk)),
                execution_options={"synchronize_session": False},
            )
        )
        if mail:
            messages += rowcount(
                db.session.execute(
                    delete(OutboxMessage).where(
                        OutboxMessage.reference.in_(_references(chunk)),
                        OutboxMessage.state.in_(list(mail)),
                    ),
                    execution_options={"synchronize_session": False},
                )
            )
        topics = db.session.execute(select(Inquiry.id, Inquiry.topic).where(Inquiry.id.in_(chunk)))
        db.session.execute(
            update(Inquiry),
            [
                dict(
                    id=number,
                    **REMOVED_VALUES,
                    search_text=search_text_of(REMOVED_NAME, topic),
                )
                for number, topic in topics
            ],
            execution_options={"synchronize_session": False},
        )
        about = (AuditEntry.object_type == "inquiry", AuditEntry.object_id.in_(chunk))
        db.session.execute(
            update(AuditEntry)
            .where(*about)
            .values(object_label=literal("Inquiry ").concat(cast(AuditEntry.object_id, String))),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            update(AuditEntry)
            .where(*about, AuditEntry.action == "inquiry.note")
            .values(after={"note": REMOVED_NOTE}),
            execution_options={"synchronize_session": False},
        )
        db.session.execute(
            update(AuditEntry)
            .where(*about, AuditEntry.action == "inquiry.reply")
            .values(after={"reply": REMOVED_NOTE}),
            execution_options={"synchronize_session": False},
        )
    return Removed(inquiries=len(ids), notes=notes, messages=messages)


def _sweep_mail() -> int:
    """Delete the sent and failed mail of every inquiry whose data is gone: what was still
    waiting to be sent when its inquiry was purged (or being sent when it was erased) goes at
    the next purge after it was sent or failed."""
    references = literal(MAIL_REFERENCE_PREFIX).concat(cast(Inquiry.id, String))
    removed = select(references).where(~_held())
    return rowcount(
        db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.state.in_([OutboxState.SENT, OutboxState.FAILED]),
                OutboxMessage.reference.in_(removed.scalar_subquery()),
            ),
            execution_options={"synchronize_session": False},
        )
    )


def _locked_ids(stmt: Select) -> list[int]:
    """The ids `stmt` selects, locked on PostgreSQL: staff reopening one of them meanwhile
    wait for this transaction, and so does a purge or an erasure running at the same moment,
    which then finds them removed."""
    ids = stmt.with_only_columns(Inquiry.id).order_by(Inquiry.id).with_for_update()
    return list(db.session.scalars(ids))


def purge(older_than: timedelta, now: datetime, actor: StaffUser | None = None) -> Removed:
    """Remove the personal data of every inquiry that is over (OUTCOMES) and has not changed
    for `older_than` before `now`, with its notes and its sent or failed mail; mail still
    pending or being sent is left to be delivered (the next purge deletes it once it is sent
    or has failed). Inquiries already purged are not counted again. One audit entry for the
    run when it removed anything, with the counts."""
    if not timedelta(days=1) <= older_than <= timedelta(days=MAX_DAYS):
        raise Refused({"days": f"Give a number of days from 1 to {MAX_DAYS}."})
    cutoff = as_naive_utc(now) - older_than
    db.session.flush()  # what the statements below must see
    ids = _locked_ids(
        select(Inquiry).where(Inquiry.status.in_(OUTCOMES), Inquiry.updated_at < cutoff, _held())
    )
    removed = _remove(ids, mail=(OutboxState.SENT, OutboxState.FAILED))
    removed = Removed(removed.inquiries, removed.notes, removed.messages + _sweep_mail())
    if removed:
        days = older_than.days
        record(
            actor,
            "inquiry.purge",
            None,
            f"Personal data of inquiries over for more than {_count(days, 'day')}",
            after={"older_than_days": days, "cutoff": cutoff.isoformat(), **removed.as_dict()},
        )
    db.session.flush()
    db.session.expire_all()  # the statements changed rows the session may hold
    return removed


def erase(email: str, actor: StaffUser | None = None) -> Removed:
    """Remove the personal data of every inquiry from `email` (any case), whatever its status,
    with its notes and its mail in every state but being sent (a deliverer holds it; the next
    purge deletes it once it is sent). Audited with the counts, never the address."""
    db.session.flush()
    ids = _locked_ids(_of_address(email))
    removed = _remove(ids, mail=(OutboxState.PENDING, OutboxState.SENT, OutboxState.FAILED))
    forget_address(email)  # the count of its recent inquiries, which names the address
    # What other features keep of the address (alert subscriptions): core/signals.py.
    answers = signals.address_erased.send(None, emails=addresses(email), actor=actor)
    elsewhere = tuple(answer for _, answer in answers if answer and answer[1])
    removed = Removed(removed.inquiries, removed.notes, removed.messages, elsewhere)
    if removed.inquiries or removed.notes or removed.messages:
        record(
            actor,
            "inquiry.erase",
            None,
            "Personal data of one address, on request",
            after=removed.as_dict(),
        )
    db.session.flush()
    db.session.expire_all()
    return removed


def export(email: str) -> dict[str, Any]:
    """Everything held about `email` (any case), as JSON can hold it: its inquiries with their
    fields, notes and mail (who to, subject, state, dates: not the bytes), and the staff
    contacts and staff account with that address."""
    matches = addresses(email)
    inquiries = list(
        db.session.scalars(
            _of_address(email)
            .options(
                selectinload(Inquiry.notes),
                selectinload(Inquiry.replies),
                selectinload(Inquiry.contacts),
            )
            .order_by(Inquiry.created_at, Inquiry.id)
        )
    )
    by_reference: dict[str | None, list[OutboxMessage]] = {}
    for chunk in _chunks([inquiry.id for inquiry in inquiries]):
        stmt = select(OutboxMessage).where(OutboxMessage.reference.in_(_references(chunk)))
        for message in db.session.scalars(stmt.order_by(OutboxMessage.id)):
            by_reference.setdefault(message.reference, []).append(message)
    contacts = db.session.scalars(
        select(StaffContact)
        .where(func.lower(StaffContact.email).in_(matches))
        .order_by(StaffContact.id)
    )
    accounts = db.session.scalars(
        select(StaffUser).where(func.lower(StaffUser.email).in_(matches)).order_by(StaffUser.id)
    )
    return plain(
        {
            "email": email.strip(),
            "exported_at": utcnow(),
            "inquiries": [
                _inquiry(inquiry, by_reference.get(inquiry.reference, [])) for inquiry in inquiries
            ],
            "staff_contacts": [
                {
                    "name": contact.name,
                    "email": contact.email,
                    "team": contact.team,
                    "is_default": contact.is_default,
                    "retired_at": contact.retired_at,
                }
                for contact in contacts
            ],
            "staff_accounts": [
                {
                    "name": user.name,
                    "email": user.email,
                    "role": user.role,
                    "active": user.active,
                    "created_at": user.created_at,
                    "last_login_at": user.last_login_at,
                }
                for user in accounts
            ],
            # What other features hold of the address (the alerts' subscriptions), each
            # under its own key: receivers of `address_exported` (core/signals.py).
            **dict(
                answer
                for _, answer in signals.address_exported.send(None, emails=matches)
                if answer
            ),
        }
    )


def _inquiry(inquiry: Inquiry, messages: list[OutboxMessage]) -> dict[str, Any]:
    return {
        "id": inquiry.id,
        "kind": inquiry.kind,
        "status": inquiry.status,
        "name": inquiry.name,
        "email": inquiry.email,
        "organization": inquiry.organization,
        "message": inquiry.message,
        "topic": inquiry.topic,
        "created_at": inquiry.created_at,
        "consented_at": inquiry.consented_at,
        "updated_at": inquiry.updated_at,
        "routed_to": [
            {"name": contact.name, "email": contact.email} for contact in inquiry.contacts
        ],
        "notes": [
            {"author": note.author_name, "created_at": note.created_at, "body": note.body}
            for note in inquiry.notes
        ],
        "replies": [
            {"author": reply.author_name, "created_at": reply.created_at, "body": reply.body}
            for reply in inquiry.replies
        ],
        "messages": [
            {
                "recipient": message.recipient,
                "subject": message.subject,
                "state": message.state,
                "created_at": message.created_at,
                "sent_at": message.sent_at,
            }
            for message in messages
        ],
    }


def audit_export(found: dict[str, Any], actor: StaffUser | None = None) -> None:
    """The audit entry of an export: how much was handed out, not to whom."""
    record(
        actor,
        "inquiry.export",
        None,
        "Export of the personal data of one address",
        after={
            "inquiries": len(found["inquiries"]),
            "staff_contacts": len(found["staff_contacts"]),
            "staff_accounts": len(found["staff_accounts"]),
        },
    )
    db.session.flush()
