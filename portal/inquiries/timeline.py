"""An inquiry's history, as its page shows it: received, routed, each mail with its state,
status changes, assignments, notes, replies, reminders and merges, who and when. Read from
the audit log (the inquiry's entries, ix_audit_entry_object) and the outbox, in two
statements whatever the length of the history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.accounts.models import StaffUser
from portal.core.audit import PUBLIC_FORM, AuditEntry
from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryStatus
from portal.mail.models import OutboxMessage, OutboxState


@dataclass(frozen=True)
class Step:
    at: datetime
    who: str
    what: str
    detail: str = ""
    state: str = ""  # a mail's delivery state, for the badge
    order: int = 0  # among steps at the same instant: the audit entry's, then the mail's


def _status(value: str | None) -> str:
    try:
        return InquiryStatus(value or "").label.lower()
    except ValueError:
        return str(value)


def _words(entry: AuditEntry) -> tuple[str, str]:
    """What an audit entry says, for people: a title and a detail."""
    before, after = entry.before or {}, entry.after or {}
    verb = entry.action.partition(".")[2]
    if verb == "submit":
        contacts = ", ".join(after.get("contacts") or []) or "nobody"
        rule = after.get("rule")
        how = f"by the rule “{rule}”" if rule else "to the default contact (no rule matched)"
        return "Routed", f"to {contacts}, {how}"
    if verb == "status":
        return "Status changed", (
            f"{_status(before.get('status'))} → {_status(after.get('status'))}"
        )
    if verb == "assign":
        return "Assigned", f"to {after.get('assignee') or 'nobody'}" + (
            f" (was {before['assignee']})" if before.get("assignee") else ""
        )
    if verb == "note":
        return "Note added", str(after.get("note", ""))
    if verb == "reply":
        return "Replied", str(after.get("reply", ""))
    if verb in ("remind", "escalate"):
        word = "Reminder sent" if verb == "remind" else "Escalated"
        return word, "to " + ", ".join(after.get("to") or [])
    if verb == "merge":
        return "Merged", str(after.get("into") or after.get("merged") or "")
    if verb == "duplicate":
        return "Likely duplicate", f"of {after.get('of', '')}"
    return entry.action, ""


def history(inquiry: Inquiry, messages: list[OutboxMessage]) -> list[Step]:
    """The inquiry's steps, oldest first. `messages`: its mail (inbox_queries.messages_of)."""
    rows = db.session.execute(
        select(AuditEntry, StaffUser.name)
        .outerjoin(StaffUser, AuditEntry.actor_id == StaffUser.id)
        .where(AuditEntry.object_type == "inquiry", AuditEntry.object_id == inquiry.id)
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    steps = [Step(inquiry.created_at, "the public form", "Received", inquiry.topic, order=-1)]
    for entry, name in rows:
        if entry.action == "inquiry.export":
            continue
        what, detail = _words(entry)
        who = name or ("the public form" if entry.actor_email == PUBLIC_FORM else "")
        steps.append(Step(entry.at, who or entry.actor_email, what, detail, order=entry.id))
    for message in messages:
        state = message.state.value
        detail = f"“{message.subject}” to {message.recipient}: {state}"
        if message.state is OutboxState.SENT and message.sent_at:
            detail += f" at {message.sent_at:%Y-%m-%d %H:%M} UTC"
        detail += f", {message.tries} attempt{'s' if message.tries != 1 else ''}"
        if message.last_error and message.state is not OutboxState.SENT:
            detail += f" (last answer: {message.last_error})"
        steps.append(Step(message.created_at, "the outbox", "Mail", detail, state, 10**12))
    return sorted(steps, key=lambda step: (step.at, step.order))
