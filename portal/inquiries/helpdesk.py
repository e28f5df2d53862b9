"""The helpdesk's rules: who may answer an inquiry, what a reply is threaded to, and how a
reply template is filled. Plain functions; the writes are in operations.py."""

from __future__ import annotations

import string

from sqlalchemy import func, select

from portal.accounts.models import StaffUser
from portal.core.text import clean_text
from portal.extensions import db
from portal.inquiries.models import (
    Inquiry,
    InquiryDuplicate,
    InquiryReply,
    InquiryStatus,
    ReplyTemplate,
    StaffContact,
)
from portal.mail.models import OutboxMessage

# What a template may name, filled from the inquiry (and the staff member who replies).
TEMPLATE_FIELDS = ("name", "organization", "topic", "reference", "staff_name")


def reply_refusal(inquiry: Inquiry, user: StaffUser) -> str | None:
    """Why `user` may not answer `inquiry`, or None when they may. Admins answer any inquiry;
    an editor answers one that is unassigned, theirs, or routed to their address, so that two
    people do not answer the same visitor without knowing it (assigning it to oneself first
    is one press, and the audit log says who did)."""
    if not inquiry.email:
        return "This inquiry's personal data was erased: there is nobody to answer."
    if inquiry.status is InquiryStatus.SPAM:
        return "This inquiry is marked as spam: mark it as not spam before answering."
    if not user.active:
        return "Your account is deactivated."
    if user.is_admin or inquiry.assignee_id in (None, user.id):
        return None
    if user.email.lower() in {contact.email.lower() for contact in inquiry.contacts}:
        return None
    who = inquiry.assignee.name if inquiry.assignee else "someone else"
    return f"This inquiry is assigned to {who}: assign it to yourself to answer it."


def is_routed_contact(user: StaffUser) -> bool:
    """Whether the staff account is one of the contacts inquiries are routed to (by address)."""
    return (
        db.session.scalar(
            select(StaffContact.id).where(func.lower(StaffContact.email) == user.email.lower())
        )
        is not None
    )


def may_reply(inquiry: Inquiry, user: StaffUser) -> bool:
    return reply_refusal(inquiry, user) is None


def reply_body(text: str | None) -> str:
    """What staff typed, as the body of a mail: plain line ends, no control characters, no
    blank lines around it. It is only ever the body: nothing in it reaches a header."""
    return clean_text(text).strip()


def thread(inquiry: Inquiry) -> list[str]:
    """The Message-IDs a reply refers to (References): the acknowledgement's first (In-Reply-To
    names it), then the earlier replies', oldest first. An inquiry stored before migration
    0018 finds its acknowledgement in the outbox, while it is kept there."""
    first = inquiry.acknowledgement_id
    if first is None:
        first = db.session.scalar(
            select(OutboxMessage.message_id)
            .where(
                OutboxMessage.reference == inquiry.reference,
                OutboxMessage.recipient == inquiry.email,
            )
            .order_by(OutboxMessage.id)
            .limit(1)
        )
    earlier = db.session.scalars(
        select(InquiryReply.message_id)
        .where(InquiryReply.inquiry_id == inquiry.id)
        .order_by(InquiryReply.id)
    )
    return ([first] if first else []) + list(earlier)


class _Fields(dict):
    """Unknown names stay as they were written, so a typo shows rather than raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill_template(template: ReplyTemplate, inquiry: Inquiry, user: StaffUser) -> str:
    """The template's text with {name}, {organization}, {topic}, {reference} and {staff_name}
    filled. Only plain names are replaced: `{name.__class__}` or `{0}` stay as written."""
    values = _Fields(
        name=inquiry.name,
        organization=inquiry.organization,
        topic=inquiry.topic,
        reference=inquiry.number,
        staff_name=user.name,
    )
    try:
        parts = list(string.Formatter().parse(template.body))
    except ValueError:  # a lone brace: the text as it was written
        return template.body
    out = []
    for literal, field, spec, conversion in parts:
        out.append(literal)
        if field is None:
            continue
        if field in TEMPLATE_FIELDS and not spec and not conversion:
            out.append(values[field])
        else:
            extra = (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            out.append("{" + field + extra + "}")
    return "".join(out)


def templates_for(inquiry: Inquiry) -> list[ReplyTemplate]:
    stmt = select(ReplyTemplate).where(ReplyTemplate.kind == inquiry.kind)
    return list(db.session.scalars(stmt.order_by(ReplyTemplate.name)))


OPEN = (InquiryStatus.NEW, InquiryStatus.IN_PROGRESS)


def likely_original(inquiry: Inquiry) -> Inquiry | None:
    """The open inquiry of the same address, kind (and event) that `inquiry` most likely
    repeats: the latest such one before it (ix_inquiry_email)."""
    return db.session.scalar(
        select(Inquiry)
        .where(
            Inquiry.email == inquiry.email,
            Inquiry.kind == inquiry.kind,
            Inquiry.id != inquiry.id,
            Inquiry.id < inquiry.id,
            Inquiry.status.in_(OPEN),
            Inquiry.event_id.is_(None)
            if inquiry.event_id is None
            else Inquiry.event_id == inquiry.event_id,
        )
        .order_by(Inquiry.id.desc())
        .limit(1)
    )


def duplicates_of(inquiry: Inquiry) -> tuple[InquiryDuplicate | None, list[Inquiry]]:
    """What the inquiry's page says: the inquiry it is a likely duplicate of (or was merged
    into), and those that are likely duplicates of it."""
    mine = db.session.get(InquiryDuplicate, inquiry.id)
    theirs = db.session.scalars(
        select(Inquiry)
        .join(InquiryDuplicate, InquiryDuplicate.inquiry_id == Inquiry.id)
        .where(InquiryDuplicate.original_id == inquiry.id)
        .order_by(Inquiry.id)
    )
    return mine, list(theirs)
