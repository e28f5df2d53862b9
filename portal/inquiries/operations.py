"""Every change the inquiries feature makes: submitting an inquiry, offering sponsorship."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from portal.events.models import Event, EventLink, LinkKind, LinkState, utcnow
from portal.extensions import db
from portal.inquiries import notifications, routing
from portal.inquiries.forms import Applicant
from portal.inquiries.models import Inquiry, InquiryKind, MembershipTier, SponsorshipPackage
from portal.mail.delivery import deliver_now, enqueue


class InquiryRefused(ValueError):
    """The inquiry does not make sense (a package of another event, a sold-out package)."""


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
