"""A won inquiry becomes what it asked for, in one operation with its audit entries: a
sponsorship inquiry a sponsor of its event (offer/sponsors.py: the package's count left
falls, the Sponsor link follows), a membership inquiry a member of the directory
(offer/directory.py). The inquiry is then won. The caller commits (core.saving)."""

from __future__ import annotations

from typing import Any

from portal.accounts.models import StaffUser
from portal.core.audit import record
from portal.core.errors import Refused
from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryKind, InquiryStatus
from portal.offer import directory, logos, sponsors
from portal.offer.models import Member, Sponsor


def _may_confirm(inquiry: Inquiry, kind: InquiryKind) -> None:
    if inquiry.kind is not kind:
        raise Refused(f"This is a {inquiry.kind.value} inquiry.")
    if inquiry.status in (InquiryStatus.WON, InquiryStatus.SPAM):
        raise Refused(f"This inquiry is {inquiry.status.label.lower()}: nothing to confirm.")


def _won(inquiry: Inquiry, actor: StaffUser | None, what: str, after: dict[str, Any]) -> None:
    before = inquiry.status
    inquiry.status = InquiryStatus.WON
    label = f"{inquiry.name} ({inquiry.organization}): {inquiry.topic}"
    record(
        actor,
        "inquiry.confirm",
        inquiry,
        label,
        before={"status": before.value},
        after={"status": InquiryStatus.WON.value, what: after},
    )
    db.session.flush()


def confirm_sponsor(
    inquiry: Inquiry,
    values: sponsors.SponsorValues,
    logo: logos.Logo | None,
    actor: StaffUser | None,
) -> Sponsor:
    """Record the sponsor the inquiry won, of the inquiry's event; the inquiry is won."""
    _may_confirm(inquiry, InquiryKind.SPONSORSHIP)
    if inquiry.event is None:
        raise Refused("The event of this inquiry was deleted.")
    sponsor = sponsors.add_sponsor(inquiry.event, values, logo, actor, inquiry_id=inquiry.id)
    _won(inquiry, actor, "sponsor", {"organization": sponsor.organization,
                                      "package": sponsor.package.slug})  # fmt: skip
    return sponsor


def confirm_member(
    inquiry: Inquiry, values: dict[str, Any], logo: logos.Logo | None, actor: StaffUser | None
) -> Member:
    """Record the member the inquiry won in the directory; the inquiry is won."""
    _may_confirm(inquiry, InquiryKind.MEMBERSHIP)
    member = directory.add_member(values, logo, actor)
    _won(inquiry, actor, "member", {"name": member.name, "tier": member.tier.slug})
    return member
