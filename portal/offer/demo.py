"""The demo membership tiers, member directory and sponsorship packages, true to the OpenInfra
Foundation's published facts (November 2024)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from portal.events.models import Event
from portal.extensions import db
from portal.offer.models import Member, MembershipTier, SponsorshipPackage
from portal.offer.operations import offer_sponsorship

NORTH_AMERICA = "openinfra-days-north-america-2025"
SUMMIT_EUROPE = "openinfra-summit-europe-2025"


def _dollars(amount: int) -> int:
    """Whole dollars (or euros) as the cents the database stores."""
    return amount * 100


def _member_priced(slug: str, name: str, price: int, member_price: int, **extra) -> dict:
    return dict(
        slug=slug, name=name, price=_dollars(price), member_price=_dollars(member_price), **extra
    )


TIERS: list[dict[str, Any]] = [
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

MEMBERS: list[dict[str, Any]] = [
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
PACKAGES: dict[str, list[dict[str, Any]]] = {
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


def missing_rows(model, key: str, rows: list[dict]) -> list[dict]:
    """The rows of `rows` whose `key` no row of `model` has yet."""
    existing = set(db.session.scalars(select(getattr(model, key))))
    return [row for row in rows if row[key] not in existing]


def seed_tiers() -> int:
    """The tiers and members that are missing (staff's changes to the others are kept): how
    many were added."""
    added = missing_rows(MembershipTier, "slug", TIERS)
    positions = {row["slug"]: position for position, row in enumerate(TIERS)}
    db.session.add_all(MembershipTier(position=positions[row["slug"]], **row) for row in added)
    db.session.flush()
    tiers = {tier.slug: tier for tier in db.session.scalars(select(MembershipTier))}
    members = missing_rows(Member, "name", MEMBERS)
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
