"""Every change made to inquiries: submitting one, offering sponsorship, and what staff do in
the inbox (status, assignee, notes). What is sold and who answers: sales_operations.py."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from portal.accounts.models import StaffUser
from portal.core.audit import record
from portal.core.db import utcnow
from portal.events.models import Event, EventLink, LinkKind, LinkState
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
from portal.mail.delivery import deliver_now, enqueue

NOTE_MAX = 5000


class InquiryRefused(ValueError):
    """The inquiry, or a change to it, does not make sense (a package of another event, a
    sold-out package, a status it cannot go to); the message is for people."""


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
        raise InquiryRefused("A membership inquiry is about a tier, not an event.")
    if kind is InquiryKind.SPONSORSHIP:
        if event is None or tier is not None:
            raise InquiryRefused("A sponsorship inquiry is about an event.")
        if package is not None and package.event_id != event.id:
            raise InquiryRefused("That package belongs to another event.")
        if package is not None and package.is_sold_out:
            raise InquiryRefused("That package is sold out.")


def submit_inquiry(
    applicant: Applicant,
    kind: InquiryKind,
    *,
    tier: MembershipTier | None = None,
    event: Event | None = None,
    package: SponsorshipPackage | None = None,
) -> Submitted:
    """Store the inquiry, route it, and enqueue its mail, all in one transaction: once this
    returns, nothing can be lost. Then try to send the mail at once (best effort)."""
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
    submitted = Submitted(
        inquiry_id=inquiry.id,
        answered_by=notifications.who_answers(found.contacts),
        message_ids=[message.id for message in messages],
    )
    db.session.commit()
    deliver_now(current_app._get_current_object(), submitted.message_ids)
    return submitted


def sponsor_path(event: Event) -> str:
    """The portal's sponsorship page of `event`, as a path (no request needed)."""
    adapter = current_app.url_map.bind("")
    return adapter.build("inquiries.sponsor", {"slug": event.slug})


def offer_sponsorship(event: Event, packages: list[SponsorshipPackage]) -> None:
    """Sell sponsorship of `event` through the portal: add its packages and point its Sponsor
    link at the portal's page, where the packages and the inquiry form are. The caller commits."""
    for package in packages:
        package.event = event
        db.session.add(package)
    link = event.link(LinkKind.SPONSOR)
    if link is None:
        position = max((other.position for other in event.links), default=-1) + 1
        link = EventLink(kind=LinkKind.SPONSOR, state=LinkState.OPEN, position=position)
        event.links.append(link)
    link.url = sponsor_path(event)


def _label(inquiry: Inquiry) -> str:
    return f"{inquiry.name} ({inquiry.organization}): {inquiry.topic}"


def set_status(inquiry: Inquiry, status: InquiryStatus, actor: StaffUser) -> None:
    """Move the inquiry along its workflow (InquiryStatus.next_statuses); anything else is
    refused, such as "won" for an inquiry nobody has started on."""
    before = inquiry.status
    if status not in before.next_statuses:
        raise InquiryRefused(
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
    db.session.commit()


def assign(inquiry: Inquiry, assignee: StaffUser | None, actor: StaffUser) -> bool:
    """Give the inquiry to an active staff member to follow up, or to nobody (None). False
    when it already was theirs (and nothing is written)."""
    if assignee is not None and not assignee.active:
        raise InquiryRefused(f"{assignee.name}'s account is deactivated.")
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
    db.session.commit()
    return True


def add_note(inquiry: Inquiry, body: str, actor: StaffUser) -> InquiryNote:
    """Append a note; notes are never edited or removed, so the history stays as written."""
    body = (body or "").replace("\r\n", "\n").strip()
    if not 1 <= len(body) <= NOTE_MAX:
        raise InquiryRefused(f"A note has between 1 and {NOTE_MAX:,} characters.")
    note = InquiryNote(inquiry=inquiry, author_id=actor.id, author_name=actor.name, body=body)
    db.session.add(note)
    inquiry.updated_at = utcnow()  # a note is news about the inquiry
    db.session.flush()
    record(actor, "inquiry.note", inquiry, _label(inquiry), after={"note": body[:200]})
    db.session.commit()
    return note
