"""The demo membership tiers, member directory, sponsorship packages, staff contacts and
routing rules, true to the OpenInfra Foundation's published facts (November 2024)."""

from __future__ import annotations

from sqlalchemy import select

from portal.events.models import Event
from portal.extensions import db
from portal.inquiries.models import (
    InquiryKind,
    Member,
    MembershipTier,
    RoutingRule,
    SponsorshipPackage,
    StaffContact,
)
from portal.inquiries.operations import offer_sponsorship

NORTH_AMERICA = "openinfra-days-north-america-2025"
SUMMIT_EUROPE = "openinfra-summit-europe-2025"


def _dollars(amount: int) -> int:
    """Whole dollars (or euros) as the cents the database stores."""
    return amount * 100


def _member_priced(slug: str, name: str, price: int, member_price: int, **extra) -> dict:
    return dict(
        slug=slug, name=name, price=_dollars(price), member_price=_dollars(member_price), **extra
    )


TIERS = [
    dict(
        slug="platinum",
        name="Platinum",
        annual_fee=_dollars(350_000),
        summary="The foundation's strategic members, approved by the Board of Directors.",
        benefits="Appoints a director to the Board of Directors\n"
        "Three-year membership term, approved by the Board\n"
        "Listed in the member directory",
    ),
    dict(
        slug="gold",
        name="Gold",
        annual_fee=_dollars(150_000),
        summary="Members who elect their directors to the Board together.",
        benefits="Gold members elect directors to the Board of Directors\n"
        "Listed in the member directory",
    ),
    dict(
        slug="silver",
        name="Silver",
        annual_fee=_dollars(15_000),
        summary="Companies supporting the foundation's communities.",
        benefits="Listed in the member directory\nSupports the OpenInfra communities' work",
    ),
    dict(
        slug="associate",
        name="Associate",
        annual_fee=None,
        summary="For non-profit organizations and academia.",
        benefits="Listed in the member directory\nFor non-profits, universities and research",
    ),
]

MEMBERS = [
    dict(
        name="Rackspace",
        tier="platinum",
        url="https://www.rackspace.com",
        city="San Antonio",
        country="US",
        description="Joined as a Platinum Member in November 2024. Rackspace has contributed "
        "more than 5.6 million lines of code to OpenStack and runs one of the largest "
        "OpenStack clouds in the world.",
    ),
]

LEAD_SCANNERS = "Lead scanners: +$300 add-on."
PACKAGES = {
    NORTH_AMERICA: [
        dict(slug="headline", name="Headline", price=None, available=0),
        dict(
            slug="spotlight",
            name="Spotlight",
            price=_dollars(2_500),
            available=5,
            note=LEAD_SCANNERS,
        ),
        dict(slug="coffee", name="Coffee", price=_dollars(2_500), available=2, note=LEAD_SCANNERS),
        dict(slug="diversity", name="Diversity", price=None, available=0),
    ],
    SUMMIT_EUROPE: [
        _member_priced("headline", "Headline", 60_000, 50_000, available=2),
        _member_priced("premier", "Premier", 45_000, 30_000, available=3),
        _member_priced("spotlight", "Spotlight", 25_000, 15_000),
        _member_priced("exhibitor", "Exhibitor", 15_000, 7_500),
        _member_priced("supporting", "Supporting", 5_000, 2_500),
    ],
}
CURRENCIES = {NORTH_AMERICA: "USD", SUMMIT_EUROPE: "EUR"}

CONTACTS = [
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


def _missing(model, key: str, rows: list[dict]) -> list[dict]:
    existing = set(db.session.scalars(select(getattr(model, key))))
    return [row for row in rows if row[key] not in existing]


def seed_tiers() -> int:
    added = _missing(MembershipTier, "slug", TIERS)
    positions = {row["slug"]: position for position, row in enumerate(TIERS)}
    db.session.add_all(MembershipTier(position=positions[row["slug"]], **row) for row in added)
    db.session.flush()
    tiers = {tier.slug: tier for tier in db.session.scalars(select(MembershipTier))}
    members = _missing(Member, "name", MEMBERS)
    for row in members:
        values = dict(row)
        db.session.add(Member(tier=tiers[values.pop("tier")], **values))
    return len(added) + len(members)


def seed_packages() -> int:
    """Packages of the demo events that sell none yet (and are there)."""
    added = 0
    for slug, rows in PACKAGES.items():
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        if event is None or db.session.scalar(
            select(SponsorshipPackage.id).where(SponsorshipPackage.event_id == event.id)
        ):
            continue
        packages = [
            SponsorshipPackage(position=position, currency=CURRENCIES[slug], **row)
            for position, row in enumerate(rows)
        ]
        offer_sponsorship(event, packages)
        added += len(packages)
    return added


def seed_routing() -> int:
    contacts = _missing(StaffContact, "email", CONTACTS)
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


def seed_inquiries() -> tuple[int, int, int]:
    """Adds what is missing; what is there is left as staff left it. Returns what it added:
    tiers and members, packages, contacts and rules."""
    counts = seed_tiers(), seed_packages(), seed_routing()
    db.session.commit()
    return counts
