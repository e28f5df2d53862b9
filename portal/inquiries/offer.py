"""What the membership and sponsorship pages show is part of the catalogue's version, so the
page cache serves a change of a tier, member, package or contact at once, as for events."""

from sqlalchemy import event
from sqlalchemy.orm import Session

from portal.events.catalogue import note_change
from portal.inquiries.models import (
    Member,
    MembershipTier,
    RoutingRule,
    SponsorshipPackage,
    StaffContact,
)

SHOWN = (MembershipTier, Member, SponsorshipPackage, StaffContact, RoutingRule)


@event.listens_for(Session, "before_flush")
def _track_offer_changes(session: Session, flush_context, instances) -> None:
    touched = [*session.new, *session.deleted]
    touched += [obj for obj in session.dirty if session.is_modified(obj)]
    if any(isinstance(obj, SHOWN) for obj in touched):
        note_change(session)
