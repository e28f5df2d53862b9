"""The demo staff contacts and routing rules, true to the OpenInfra Foundation's published
facts (November 2024): membership inquiries to Jimmy McArthur, event sponsorship to
events@openinfra.dev."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.events.models import Event
from portal.extensions import db
from portal.inquiries.models import InquiryKind, RoutingRule, StaffContact
from portal.offer.demo import SUMMIT_EUROPE, missing_rows

CONTACTS: list[dict[str, Any]] = [
    dict(name="Jimmy McArthur", email="jimmy@openinfra.dev", team="Membership"),
    dict(name="OpenInfra Ecosystem", email="ecosystem@openinfra.dev", team="Membership"),
    dict(name="OpenInfra Events", email="events@openinfra.dev", team="Events"),
    dict(name="OpenInfra Summit", email="summit@openinfra.dev", team="Summit"),
    dict(
        name="OpenInfra Foundation",
        email="info@openinfra.dev",
        team="General inquiries",
        is_default=True,
    ),
]

# (name, kind, event slug, contacts): see routing.py for the order in which rules apply.
RULES = [
    ("Membership inquiries", InquiryKind.MEMBERSHIP, None, ["jimmy@openinfra.dev"]),
    ("Event sponsorship", InquiryKind.SPONSORSHIP, None, ["events@openinfra.dev"]),
    (
        "OpenInfra Summit Europe 2025 sponsorship",
        InquiryKind.SPONSORSHIP,
        SUMMIT_EUROPE,
        ["summit@openinfra.dev"],
    ),
]


def seed_routing() -> int:
    """The contacts and rules that are missing (staff's changes to the others are kept): how
    many were added."""
    contacts = missing_rows(StaffContact, "email", CONTACTS)
    db.session.add_all(StaffContact(**row) for row in contacts)
    db.session.flush()
    by_email = {contact.email: contact for contact in db.session.scalars(select(StaffContact))}
    existing = set(db.session.scalars(select(RoutingRule.name)))
    added = 0
    for position, (name, kind, event_slug, emails) in enumerate(RULES):
        event_id = event_slug and db.session.scalar(
            select(Event.id).where(Event.slug == event_slug)
        )
        if name in existing or (event_slug and event_id is None):
            continue
        rule = RoutingRule(name=name, kind=kind, event_id=event_id, position=position)
        rule.contacts = [by_email[email] for email in emails]
        db.session.add(rule)
        added += 1
    return len(contacts) + added
