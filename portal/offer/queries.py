"""Reading what the membership and sponsorship pages show, in a fixed number of statements:
what is on offer, so never what staff retired."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.offer.models import (
    Member,
    MembershipTier,
    SponsorshipBenefit,
    SponsorshipPackage,
)


def tiers_with_members() -> list[MembershipTier]:
    """The tiers on offer in order, each with its listed members by name (two statements)."""
    stmt = (
        select(MembershipTier)
        .where(MembershipTier.retired_at.is_(None))
        .order_by(MembershipTier.position, MembershipTier.id)
        .options(selectinload(MembershipTier.members.and_(Member.is_listed.is_(True))))
    )
    return list(db.session.scalars(stmt))


def packages_of(event_id: int) -> list[SponsorshipPackage]:
    stmt = (
        select(SponsorshipPackage)
        .where(SponsorshipPackage.event_id == event_id, SponsorshipPackage.retired_at.is_(None))
        .order_by(SponsorshipPackage.position, SponsorshipPackage.id)
        .options(selectinload(SponsorshipPackage.benefits))
    )
    return list(db.session.scalars(stmt))


def comparison(
    packages: list[SponsorshipPackage],
) -> list[tuple[SponsorshipBenefit, list[str | None]]]:
    """Benefit × package: each benefit any of the packages gives, in the benefits' order, with
    what each package gives of it ("" included, "4" a detail, None not included)."""
    benefits: dict[int, SponsorshipBenefit] = {}
    for package in packages:
        for given in package.benefits:
            benefits[given.benefit_id] = given.benefit
    ordered = sorted(benefits.values(), key=lambda benefit: (benefit.position, benefit.name))
    rows = []
    for benefit in ordered:
        cells: list[str | None] = []
        for package in packages:
            found = package.benefit(benefit)
            cells.append(None if found is None else found.detail)
        rows.append((benefit, cells))
    return rows


def all_benefits() -> list[SponsorshipBenefit]:
    stmt = select(SponsorshipBenefit).order_by(SponsorshipBenefit.position, SponsorshipBenefit.name)
    return list(db.session.scalars(stmt))


def all_tiers() -> list[MembershipTier]:
    """Every tier for staff: those on offer in order, then the retired ones."""
    stmt = select(MembershipTier).order_by(
        MembershipTier.retired_at.is_not(None), MembershipTier.position, MembershipTier.id
    )
    return list(db.session.scalars(stmt))
