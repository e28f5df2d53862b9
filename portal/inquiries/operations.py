"""Every change made to inquiries: submitting one, and what staff do in the inbox (status,
assignee, notes). Who answers: rows.py (contacts and routing rules); what is sold:
offer/operations.py. Each flushes; the view or the command commits (core.saving)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update

from portal.accounts.models import StaffUser
from portal.core import i18n
from portal.core.audit import PUBLIC_FORM, record
from portal.core.db import utcnow
from portal.core.errors import Refused
from portal.events.models import Event
from portal.extensions import db
from portal.inquiries import helpdesk, notifications, routing
from portal.inquiries.models import (
    Inquiry,
    InquiryDuplicate,
    InquiryKind,
    InquiryNote,
    InquiryReply,
    InquiryStatus,
    ReplyTemplate,
)
from portal.mail.delivery import enqueue
from portal.mail.models import OutboxMessage
from portal.offer.models import MembershipTier, SponsorshipPackage
from portal.offer.queries import packages_of

NOTE_MAX = 5000
REPLY_MAX = 10000


@dataclass(frozen=True)
class Applicant:
    """Who wrote and what they said, already cleaned and validated (inquiries/forms.py)."""

    name: str
    email: str
    organization: str
    message: str


@dataclass(frozen=True)
class Submitted:
    inquiry_id: int
    answered_by: str  # "Jimmy McArthur (Membership)", for the thank-you page
    message_ids: list[int]
    repeated: bool = False  # the same form, posted again: nothing new was stored


def earlier_submission(key: str | None, email: str) -> Submitted | None:
    """The inquiry that the form with submission key `key` already stored, from the same
    address (a form posted again after an error, or twice): what its thank-you page says."""
    if not key:
        return None
    earlier = db.session.scalar(select(Inquiry).where(Inquiry.submission_key == key))
    if earlier is None or earlier.email.lower() != email.lower():
        return None
    return Submitted(earlier.id, notifications.who_answers(earlier.contacts), [], repeated=True)


def topic(
    kind: InquiryKind,
    tier: MembershipTier | None,
    event: Event | None,
    package: SponsorshipPackage | None,
) -> str:
    if kind is InquiryKind.MEMBERSHIP:
        return tier.name if tier else "Tier not chosen"
    what = event.title if event else "Event not chosen"  # _check refuses that first
    if package is not None:
        return f"{what}: {package.name}"
    if event is not None and not packages_of(event.id):
        return f"{what}: packages to be announced"
    return f"{what}: package not chosen"


def _check(kind, tier, event, package) -> None:
    if kind is InquiryKind.MEMBERSHIP and (event or package):
        raise Refused("A membership inquiry is about a tier, not an event.")
    if kind is InquiryKind.SPONSORSHIP:
        if event is None or tier is not None:
            raise Refused("A sponsorship inquiry is about an event.")
        if package is not None and package.event_id != event.id:
            raise Refused("That package belongs to another event.")
        if package is not None and package.is_sold_out:
            raise Refused("That package is sold out.")


def submit_inquiry(
    applicant: Applicant,
    kind: InquiryKind,
    *,
    tier: MembershipTier | None = None,
    event: Event | None = None,
    package: SponsorshipPackage | None = None,
    submission_key: str | None = None,
) -> Submitted:
    """Store the inquiry, route it, and enqueue its mail, in the caller's transaction: once
    that is committed, nothing can be lost. The caller then tries to send the mail at once
    (mail.delivery.deliver_now with `message_ids`, best effort). A form already stored (its
    `submission_key`, from the same address) is not stored again: its earlier inquiry is
    what is answered."""
    _check(kind, tier, event, package)
    earlier = earlier_submission(submission_key, applicant.email)
    if earlier is not None:
        return earlier
    if submission_key and db.session.scalar(
        select(Inquiry.id).where(Inquiry.submission_key == submission_key)
    ):
        submission_key = None  # another address's form: a submission of its own
    now = utcnow()
    inquiry = Inquiry(
        kind=kind,
        name=applicant.name,
        email=applicant.email,
        organization=applicant.organization,
        message=applicant.message,
        tier=tier,
        event=event,
        package=package,
        topic=topic(kind, tier, event, package),
        consented_at=now,
        created_at=now,
        submission_key=submission_key or None,
        language=i18n.language().code,
    )
    found = routing.route(
        routing.Subject(
            kind,
            event_id=event.id if event else None,
            tier_id=tier.id if tier else None,
            package_id=package.id if package else None,
        )
    )
    inquiry.contacts = found.contacts
    inquiry.routing_rule = found.rule
    db.session.add(inquiry)
    db.session.flush()  # the inquiry's id names its mail in the outbox
    messages = [
        enqueue(notifications.notification(inquiry, contact), inquiry.reference)
        for contact in found.contacts
    ]
    acknowledgement = notifications.acknowledgement(inquiry, found.contacts)
    inquiry.acknowledgement_id = acknowledgement.message_id  # replies are threaded to it
    messages.append(enqueue(acknowledgement, inquiry.reference))
    db.session.flush()
    _mark_duplicate(inquiry)
    # Who wrote stays in the inquiry (which retention may erase); the log keeps what happened.
    record(
        None,
        "inquiry.submit",
        inquiry,
        f"Inquiry {inquiry.id}: {inquiry.topic}",
        after={
            "kind": kind.value,
            "topic": inquiry.topic,
            "rule": found.rule.name if found.rule else None,
            "contacts": [contact.email for contact in found.contacts],
        },
        by=PUBLIC_FORM,
    )
    db.session.flush()
    return Submitted(
        inquiry_id=inquiry.id,
        answered_by=notifications.who_answers(found.contacts),
        message_ids=[message.id for message in messages],
    )


def _label(inquiry: Inquiry) -> str:
    return f"{inquiry.name} ({inquiry.organization}): {inquiry.topic}"


def set_status(inquiry: Inquiry, status: InquiryStatus, actor: StaffUser) -> None:
    """Move the inquiry along its workflow (InquiryStatus.next_statuses); anything else is
    refused, such as "won" for an inquiry nobody has started on."""
    before = inquiry.status
    if status not in before.next_statuses:
        raise Refused(
            f"An inquiry that is {before.label.lower()} cannot become {status.label.lower()}."
        )
    inquiry.status = status
    record(
        actor,
        "inquiry.status",
        inquiry,
        _label(inquiry),
        before={"status": before.value},
        after={"status": status.value},
    )
    db.session.flush()


def assign(inquiry: Inquiry, assignee: StaffUser | None, actor: StaffUser) -> bool:
    """Give the inquiry to an active staff member to follow up, or to nobody (None). False
    when it already was theirs (and nothing is written)."""
    if assignee is not None and not assignee.active:
        raise Refused(f"{assignee.name}'s account is deactivated.")
    before = inquiry.assignee
    if before is assignee:
        return False
    inquiry.assignee = assignee
    record(
        actor,
        "inquiry.assign",
        inquiry,
        _label(inquiry),
        before={"assignee": before.email if before else None},
        after={"assignee": assignee.email if assignee else None},
    )
    db.session.flush()
    return True


def add_note(inquiry: Inquiry, body: str, actor: StaffUser) -> InquiryNote:
    """Append a note; notes are never edited or removed, so the history stays as written."""
    body = (body or "").replace("\r\n", "\n").strip()
    if not 1 <= len(body) <= NOTE_MAX:
        raise Refused(f"A note has between 1 and {NOTE_MAX:,} characters.")
    note = InquiryNote(inquiry=inquiry, author_id=actor.id, author_name=actor.name, body=body)
    db.session.add(note)
    inquiry.updated_at = utcnow()  # a note is news about the inquiry
    db.session.flush()
    record(actor, "inquiry.note", inquiry, _label(inquiry), after={"note": body[:200]})
    db.session.flush()
    return note


def reply(inquiry: Inquiry, text: str, actor: StaffUser) -> tuple[InquiryReply, int]:
    """Answer the submitter: the reply is kept on the inquiry and its mail enqueued (threaded to
    the acknowledgement) in the caller's transaction; a new inquiry moves to in progress.
    Returns the reply and its outbox message's id, for deliver_now after the commit."""
    refusal = helpdesk.reply_refusal(inquiry, actor)
    if refusal:
        raise Refused(refusal)
    body = helpdesk.reply_body(text)
    if not 1 <= len(body) <= REPLY_MAX:
        raise Refused(f"A reply has between 1 and {REPLY_MAX:,} characters.")
    envelope = notifications.reply(inquiry, body, actor, helpdesk.thread(inquiry))
    message = enqueue(envelope, inquiry.reference)
    answer = InquiryReply(
        inquiry=inquiry,
        author_id=actor.id,
        author_name=actor.name,
        author_email=actor.email,
        body=body,
        message_id=envelope.message_id,
    )
    db.session.add(answer)
    inquiry.updated_at = utcnow()
    db.session.flush()
    record(
        actor,
        "inquiry.reply",
        inquiry,
        _label(inquiry),
        after={"reply": body[:200], "message_id": envelope.message_id},
    )
    if inquiry.status is InquiryStatus.NEW:
        set_status(inquiry, InquiryStatus.IN_PROGRESS, actor)
    db.session.flush()
    return answer, message.id


BULK_LIMIT = 500  # rows one bulk action may touch


class BulkAction(StrEnum):
    SPAM = "spam"
    CLOSE = "close"
    ASSIGN = "assign"


@dataclass(frozen=True)
class BulkDone:
    changed: list[int]
    skipped: list[int]  # chosen, but that step does not apply to them (already spam, won...)


def bulk(
    ids: list[int], action: BulkAction, actor: StaffUser, assignee: StaffUser | None = None
) -> BulkDone:
    """Apply one action to the chosen inquiries (at most BULK_LIMIT), each through the same
    operation as on its page, with its own audit entry; the rows not chosen are not read."""
    chosen = sorted(set(ids))
    if not chosen:
        raise Refused("Choose at least one inquiry.")
    if len(chosen) > BULK_LIMIT:
        raise Refused(f"At most {BULK_LIMIT} inquiries at a time.")
    changed: list[int] = []
    skipped: list[int] = []
    inquiries = db.session.scalars(select(Inquiry).where(Inquiry.id.in_(chosen)))
    for inquiry in inquiries:
        if action is BulkAction.ASSIGN:
            done = assign(inquiry, assignee, actor)
        else:
            status = InquiryStatus.SPAM if action is BulkAction.SPAM else InquiryStatus.CLOSED
            done = status in inquiry.status.next_statuses
            if done:
                set_status(inquiry, status, actor)
        (changed if done else skipped).append(inquiry.id)
    return BulkDone(sorted(changed), sorted(skipped))


def save_template(
    template: ReplyTemplate | None, kind: InquiryKind, name: str, body: str, actor: StaffUser
) -> ReplyTemplate:
    """Create (template None) or change a reply template; names are unique within a kind."""
    name = " ".join((name or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    if not 1 <= len(name) <= 120:
        raise Refused("A template has a name of 1 to 120 characters.")
    if not 1 <= len(body) <= REPLY_MAX:
        raise Refused(f"A template has between 1 and {REPLY_MAX:,} characters.")
    clash = db.session.scalar(
        select(ReplyTemplate.id).where(ReplyTemplate.kind == kind, ReplyTemplate.name == name)
    )
    if clash is not None and (template is None or clash != template.id):
        raise Refused(f"There is already a {kind.value} template named “{name}”.")
    before = None if template is None else {"kind": template.kind.value, "name": template.name}
    if template is None:
        template = ReplyTemplate(kind=kind, name=name, body=body)
        db.session.add(template)
    else:
        template.kind, template.name, template.body = kind, name, body
    db.session.flush()
    record(
        actor,
        "reply_template.create" if before is None else "reply_template.update",
        template,
        name,
        before=before,
        after={"kind": kind.value, "name": name},
    )
    db.session.flush()
    return template


def delete_template(template: ReplyTemplate, actor: StaffUser) -> None:
    record(actor, "reply_template.delete", template, template.name, before={"name": template.name})
    db.session.delete(template)
    db.session.flush()


def _mark_duplicate(inquiry: Inquiry) -> None:
    """A new inquiry from an address with an open one of the same kind (and event) is marked
    as its likely duplicate; staff merge it, or leave it."""
    original = helpdesk.likely_original(inquiry)
    if original is None:
        return
    db.session.add(InquiryDuplicate(inquiry_id=inquiry.id, original_id=original.id))
    record(
        None,
        "inquiry.duplicate",
        inquiry,
        f"Inquiry {inquiry.id}: {inquiry.topic}",
        after={"of": original.number},
        by=PUBLIC_FORM,
    )


def merge(duplicate: Inquiry, actor: StaffUser) -> Inquiry:
    """Merge a likely duplicate into the inquiry it repeats: its notes, replies and mail move
    there, its message is kept there as a note, and the duplicate is closed."""
    marked = db.session.get(InquiryDuplicate, duplicate.id)
    if marked is None:
        raise Refused("This inquiry is not marked as a duplicate of another.")
    if marked.merged_at is not None:
        raise Refused("This inquiry was already merged.")
    original = db.session.get(Inquiry, marked.original_id)
    if original is None or original.status not in helpdesk.OPEN:
        raise Refused("The inquiry it repeats is no longer open: nothing to merge into.")
    moved = {"inquiry_id": original.id}
    for model in (InquiryNote, InquiryReply):
        db.session.execute(
            update(model).where(model.inquiry_id == duplicate.id).values(**moved),
            execution_options={"synchronize_session": False},
        )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.reference == duplicate.reference)
        .values(reference=original.reference),
        execution_options={"synchronize_session": False},
    )
    db.session.add(
        InquiryNote(
            inquiry_id=original.id,
            author_id=actor.id,
            author_name=actor.name,
            body=f"Merged {duplicate.number} ({duplicate.created_at:%Y-%m-%d %H:%M} UTC) "
            f"into this one. Its message:\n\n{duplicate.message}"[:NOTE_MAX],
        )
    )
    marked.merged_at = utcnow()
    original.updated_at = utcnow()
    record(actor, "inquiry.merge", duplicate, _label(duplicate), after={"into": original.number})
    record(actor, "inquiry.merge", original, _label(original), after={"merged": duplicate.number})
    if InquiryStatus.CLOSED in duplicate.status.next_statuses:
        set_status(duplicate, InquiryStatus.CLOSED, actor)
    db.session.flush()
    db.session.expire_all()
    return original
