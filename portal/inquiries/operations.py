"""Every change made to inquiries: submitting one, offering sponsorship, and what staff do in
the inbox (status, assignee, notes). What is sold and who answers: sales_operations.py. Each
flushes; the view or the command commits (core.saving)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from portal.accounts.models import StaffUser
from portal.core.audit import PUBLIC_FORM, record
from portal.core.db import utcnow
from portal.core.errors import Refused
from portal.events import operations as catalogue
from portal.events.models import Event, LinkState
from portal.extensions import db
from portal.inquiries import notifications, routing
from portal.inquiries.forms import Applicant
from portal.inquiries.models import (
    Inquiry,
    InquiryKind,
    InquiryNote,
    InquiryStatus,
    MembershipTier,
    SponsorshipPackage,
)
from portal.mail.delivery import enqueue

NOTE_MAX = 5000


@dataclass(frozen=True)
class Submitted:
    inquiry_id: int
    answered_by: str  # "Jimmy McArthur (Membership)", for the thank-you page
    message_ids: list[int]


def topic(
    kind: InquiryKind,
    tier: MembershipTier | None,
    event: Event | None,
    package: SponsorshipPackage | None,
) -> str:
    if kind is InquiryKind.MEMBERSHIP:
        return tier.name if tier else "Tier not chosen"
    return f"{event.title}: {package.name}" if package else f"{event.title}: package not chosen"


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
) -> Submitted:
    """Store the inquiry, route it, and enqueue its mail, in the caller's transaction: once
    that is committed, nothing can be lost. The caller then tries to send the mail at once
    (mail.delivery.deliver_now with `message_ids`, best effort)."""
    _check(kind, tier, event, package)
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
    )
    found = routing.route(
        routing.Subject(
            kind,
            event_id=event and event.id,
            tier_id=tier and tier.id,
            package_id=package and package.id,
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
    messages.append(
        enqueue(notifications.acknowledgement(inquiry, found.contacts), inquiry.reference)
    )
    db.session.flush()
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


def sponsor_path(event: Event) -> str:
    """The portal's sponsorship page of `event`, as a path (no request needed)."""
    adapter = current_app.url_map.bind("")
    return adapter.build("inquiries.sponsor", {"slug": event.slug})


def offer_sponsorship(
    event: Event, packages: list[SponsorshipPackage], actor: StaffUser | None = None
) -> None:
    """Sell sponsorship of `event` through the portal: add its packages and point its Sponsor
    link, open, at the portal's page, where the packages and the inquiry form are."""
    for package in packages:
        package.event = event
        db.session.add(package)
    catalogue.set_sponsor_link(event, sponsor_path(event), LinkState.OPEN, actor)


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
