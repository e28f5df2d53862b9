"""What staff see of sales: per event, the packages sold, left and the value sold; per tier,
the members and their annual value. A sale is valued at the package's price (its price for
everyone: what a member paid is agreed outside the portal)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.events.models import Event
from portal.extensions import db
from portal.offer.models import Member, MembershipTier, Sponsor, SponsorshipPackage


@dataclass(frozen=True)
class EventSales:
    event: Event
    sold: int
    left: int | None  # None: some package has no published limit
    value: int  # minor units, in `currency`
    currency: str


@dataclass(frozen=True)
class TierMembers:
    tier: MembershipTier
    members: int
    value: int | None  # annual, minor units; None: the fee is "on request"


def event_sales() -> list[EventSales]:
    """Every event that sells packages through the portal, newest first (three statements)."""
    packages = db.session.execute(
        select(SponsorshipPackage).where(SponsorshipPackage.retired_at.is_(None))
    ).scalars()
    by_event: dict[int, list[SponsorshipPackage]] = {}
    for package in packages:
        by_event.setdefault(package.event_id, []).append(package)
    sold: dict[int, int] = {
        event_id: count
        for event_id, count in db.session.execute(
            select(Sponsor.event_id, func.count()).group_by(Sponsor.event_id)
        )
    }
    value_rows = db.session.execute(
        select(Sponsor.event_id, SponsorshipPackage.currency, func.sum(SponsorshipPackage.price))
        .join(SponsorshipPackage, Sponsor.package_id == SponsorshipPackage.id)
        .group_by(Sponsor.event_id, SponsorshipPackage.currency)
    ).all()
    values = {event_id: (currency, total or 0) for event_id, currency, total in value_rows}
    ids = set(by_event) | set(sold)
    events = db.session.scalars(
        select(Event).where(Event.id.in_(ids)).order_by(Event.starts_on.desc(), Event.id.desc())
    )
    out = []
    for event in events:
        offered = by_event.get(event.id, [])
        counts = [package.available for package in offered]
        left = None if any(count is None for count in counts) else sum(counts)  # type: ignore[arg-type]
        currency, value = values.get(event.id, (offered[0].currency if offered else "USD", 0))
        out.append(EventSales(event, sold.get(event.id, 0), left, value, currency))
    return out


def tier_members() -> list[TierMembers]:
    counts: dict[int, int] = {
        tier_id: count
        for tier_id, count in db.session.execute(
            select(Member.tier_id, func.count()).group_by(Member.tier_id)
        )
    }
    tiers = db.session.scalars(
        select(MembershipTier).order_by(MembershipTier.position, MembershipTier.id)
    )
    out = []
    for tier in tiers:
        members = counts.get(tier.id, 0)
        value = None if tier.annual_fee is None else members * tier.annual_fee
        out.append(TierMembers(tier, members, value))
    return out
