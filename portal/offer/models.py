"""What the foundation offers: membership tiers and the member directory, and the sponsorship
packages events sell. Money is an integer of minor units (cents) with its ISO 4217 code.

Tiers and packages are retired rather than deleted (`retired_at`): they leave the public pages
and the forms, and the inquiries that name them keep them. All of it is shown to visitors, so
a change raises the catalogue version (core/version.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.core.db import Retirable, utcnow
from portal.core.version import shown_to_visitors
from portal.events.models import Event
from portal.extensions import Model


def _currency_check(column: str) -> CheckConstraint:
    return CheckConstraint(f"length({column}) = 3 AND upper({column}) = {column}", name="currency")


class MembershipTier(Retirable, Model):
    __tablename__ = "membership_tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(String(300), default="")
    benefits: Mapped[str] = mapped_column(Text, default="")  # one benefit a line
    annual_fee: Mapped[int | None] = mapped_column()  # minor units; None: "contact us"
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    position: Mapped[int] = mapped_column(default=0)
    # How to join a tier that is free or "on request": a page or a mailto: address.
    join_url: Mapped[str | None] = mapped_column(String(500))

    members: Mapped[list[Member]] = relationship(back_populates="tier", order_by="Member.name")

    __table_args__ = (
        CheckConstraint("annual_fee IS NULL OR annual_fee >= 0", name="fee_not_negative"),
        _currency_check("currency"),
    )

    def __repr__(self) -> str:
        return f"<MembershipTier {self.slug}>"

    @property
    def benefit_list(self) -> list[str]:
        return [line.strip() for line in self.benefits.splitlines() if line.strip()]


class Member(Model):
    """A member company, as the directory shows it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("membership_tier.id", ondelete="RESTRICT"))
    url: Mapped[str | None] = mapped_column(String(500))
    logo_url: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    description: Mapped[str] = mapped_column(Text, default="")
    is_listed: Mapped[bool] = mapped_column(Boolean, default=True)
    logo: Mapped[str | None] = mapped_column(String(80))  # a stored file (offer/logos.py)
    since: Mapped[date | None] = mapped_column(Date)

    tier: Mapped[MembershipTier] = relationship(back_populates="members")

    __table_args__ = (Index("ix_member_tier_listed", "tier_id", "is_listed"),)

    def __repr__(self) -> str:
        return f"<Member {self.name}>"


class SponsorshipPackage(Retirable, Model):
    """What an event sells to sponsors. `price` is what everyone pays, or what non-members pay
    when members have their own `member_price`; `available` is how many are left (None: no
    limit published; 0: sold out)."""

    __tablename__ = "sponsorship_package"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    price: Mapped[int | None] = mapped_column()  # minor units; None: on request
    member_price: Mapped[int | None] = mapped_column()
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    available: Mapped[int | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(String(300))  # add-ons and the like
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship()
    benefits: Mapped[list[PackageBenefit]] = relationship(
        back_populates="package",
        cascade="all, delete-orphan",
        order_by="PackageBenefit.position",
    )

    __table_args__ = (
        UniqueConstraint("event_id", "slug", name="uq_sponsorship_package_event_slug"),
        CheckConstraint("price IS NULL OR price >= 0", name="price_not_negative"),
        CheckConstraint(
            "member_price IS NULL OR (price IS NOT NULL AND member_price >= 0)",
            name="member_price_with_price",
        ),
        CheckConstraint("available IS NULL OR available >= 0", name="available_not_negative"),
        _currency_check("currency"),
    )

    def __repr__(self) -> str:
        return f"<SponsorshipPackage {self.slug}>"

    @property
    def is_sold_out(self) -> bool:
        return self.available == 0

    @property
    def has_member_price(self) -> bool:
        return self.member_price is not None and self.member_price != self.price

    def benefit(self, benefit: SponsorshipBenefit) -> PackageBenefit | None:
        return next((given for given in self.benefits if given.benefit is benefit), None)


class SponsorshipBenefit(Model):
    """Something a package gives ("Logo on the event page", "Passes"), written once by staff
    and reused by packages of every event."""

    __tablename__ = "sponsorship_benefit"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    position: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<SponsorshipBenefit {self.name}>"


class PackageBenefit(Model):
    """A benefit a package gives, with its detail ("4" passes; empty: simply included)."""

    __tablename__ = "package_benefit"

    package_id: Mapped[int] = mapped_column(
        ForeignKey("sponsorship_package.id", ondelete="CASCADE"), primary_key=True
    )
    benefit_id: Mapped[int] = mapped_column(
        ForeignKey("sponsorship_benefit.id", ondelete="CASCADE"), primary_key=True
    )
    detail: Mapped[str] = mapped_column(String(60), default="")
    position: Mapped[int] = mapped_column(default=0)  # the benefit's, copied for the order

    package: Mapped[SponsorshipPackage] = relationship(back_populates="benefits")
    benefit: Mapped[SponsorshipBenefit] = relationship(lazy="joined")


class Sponsor(Model):
    """An organization that bought a package of an event, as its page shows it. `logo` is a
    stored file's name (offer/logos.py); a hidden sponsor is kept but not shown."""

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    package_id: Mapped[int] = mapped_column(
        ForeignKey("sponsorship_package.id", ondelete="CASCADE")
    )
    organization: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    logo: Mapped[str | None] = mapped_column(String(80))
    is_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # The inquiry it came from (the inquiries feature's, above this one), if any.
    inquiry_id: Mapped[int | None] = mapped_column(ForeignKey("inquiry.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())

    event: Mapped[Event] = relationship()
    package: Mapped[SponsorshipPackage] = relationship()

    __table_args__ = (Index("ix_sponsor_event", "event_id", "package_id"),)

    def __repr__(self) -> str:
        return f"<Sponsor {self.organization}>"


shown_to_visitors(
    MembershipTier, Member, SponsorshipPackage, SponsorshipBenefit, PackageBenefit, Sponsor
)
