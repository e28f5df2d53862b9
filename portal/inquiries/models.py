"""Membership tiers and members, sponsorship packages, staff contacts, routing rules and the
inquiries themselves, with staff's notes on them. Money is an integer of minor units (cents)
with its ISO 4217 code.

Tiers, packages, contacts and rules are retired rather than deleted (`retired_at`): they leave
the public pages, the forms and routing, and the inquiries that name them keep them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import StaffUser
from portal.core.db import LabelledEnum, Retirable, enum_column, utcnow
from portal.events.models import Event, fold
from portal.extensions import db


class InquiryKind(StrEnum):
    MEMBERSHIP = "membership"
    SPONSORSHIP = "sponsorship"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class InquiryStatus(LabelledEnum):
    """Where staff are with an inquiry: new, in progress, then won, lost or closed; spam
    from anywhere. An outcome can be reopened, and spam can turn out not to be."""

    NEW = "new"
    IN_PROGRESS = "in_progress"
    WON = "won"
    LOST = "lost"
    CLOSED = "closed"
    SPAM = "spam"

    @property
    def next_statuses(self) -> tuple[InquiryStatus, ...]:
        """The statuses staff may move an inquiry to from this one, in button order."""
        return _NEXT_STATUSES[self]


_S = InquiryStatus
_NEXT_STATUSES = {
    _S.NEW: (_S.IN_PROGRESS, _S.CLOSED, _S.SPAM),
    _S.IN_PROGRESS: (_S.WON, _S.LOST, _S.CLOSED, _S.SPAM),
    _S.WON: (_S.IN_PROGRESS,),
    _S.LOST: (_S.IN_PROGRESS,),
    _S.CLOSED: (_S.IN_PROGRESS,),
    _S.SPAM: (_S.NEW,),
}


def _fits_kind(name: str) -> CheckConstraint:
    """Membership is about a tier; sponsorship about an event and perhaps one of its packages."""
    return CheckConstraint(
        "(kind = 'membership' AND event_id IS NULL AND package_id IS NULL) OR "
        "(kind = 'sponsorship' AND tier_id IS NULL)",
        name=name,
    )


def _currency_check(column: str) -> CheckConstraint:
    return CheckConstraint(f"length({column}) = 3 AND upper({column}) = {column}", name="currency")


class MembershipTier(Retirable, db.Model):
    __tablename__ = "membership_tier"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(80))
    summary: Mapped[str] = mapped_column(String(300), default="")
    benefits: Mapped[str] = mapped_column(Text, default="")  # one benefit a line
    annual_fee: Mapped[int | None] = mapped_column()  # minor units; None: "contact us"
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    position: Mapped[int] = mapped_column(default=0)

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


class Member(db.Model):
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

    tier: Mapped[MembershipTier] = relationship(back_populates="members")

    __table_args__ = (Index("ix_member_tier_listed", "tier_id", "is_listed"),)

    def __repr__(self) -> str:
        return f"<Member {self.name}>"


class SponsorshipPackage(Retirable, db.Model):
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


class StaffContact(Retirable, db.Model):
    """Someone who answers inquiries. Exactly one may be the default, who gets what no rule
    routes (the database allows at most one; operations create one when there is none)."""

    __tablename__ = "staff_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    team: Mapped[str] = mapped_column(String(100), default="")
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        Index(
            "uq_staff_contact_default",
            "is_default",
            unique=True,
            sqlite_where=text("is_default"),
            postgresql_where=text("is_default"),
        ),
    )

    def __repr__(self) -> str:
        return f"<StaffContact {self.email}>"

    @property
    def label(self) -> str:
        # "OpenInfra Summit", not "OpenInfra Summit (Summit)": the team only when it adds words.
        if not self.team or self.team.casefold() in self.name.casefold():
            return self.name
        return f"{self.name} ({self.team})"


routing_rule_contacts = Table(
    "routing_rule_contact",
    db.metadata,
    Column("rule_id", ForeignKey("routing_rule.id", ondelete="CASCADE"), primary_key=True),
    Column("contact_id", ForeignKey("staff_contact.id", ondelete="CASCADE"), primary_key=True),
)

inquiry_contacts = Table(
    "inquiry_contact",
    db.metadata,
    Column("inquiry_id", ForeignKey("inquiry.id", ondelete="CASCADE"), primary_key=True),
    # An inquiry keeps the people responsible for it: a contact who has inquiries cannot be
    # deleted until they are handed over.
    Column("contact_id", ForeignKey("staff_contact.id", ondelete="RESTRICT"), primary_key=True),
    # Index-only for "routed to this contact" (the primary key starts with the inquiry).
    Index("ix_inquiry_contact_contact", "contact_id", "inquiry_id"),
)


class RoutingRule(Retirable, db.Model):
    """Inquiries of `kind` (for `event`, for `tier` or `package` when set) go to `contacts`.
    See routing.py for the order in which rules are tried."""

    __tablename__ = "routing_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[InquiryKind] = mapped_column(enum_column(InquiryKind, "kind"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    tier_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership_tier.id", ondelete="CASCADE")
    )
    package_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsorship_package.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(default=0)

    contacts: Mapped[list[StaffContact]] = relationship(
        secondary=routing_rule_contacts, order_by=StaffContact.name
    )
    event: Mapped[Event | None] = relationship()
    tier: Mapped[MembershipTier | None] = relationship()
    package: Mapped[SponsorshipPackage | None] = relationship()

    __table_args__ = (_fits_kind("criteria_fit_kind"),)

    def __repr__(self) -> str:
        return f"<RoutingRule {self.name}>"


class Inquiry(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InquiryKind] = mapped_column(enum_column(InquiryKind, "kind"))
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    organization: Mapped[str] = mapped_column(String(200))
    message: Mapped[str] = mapped_column(Text)
    tier_id: Mapped[int | None] = mapped_column(
        ForeignKey("membership_tier.id", ondelete="SET NULL")
    )
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    package_id: Mapped[int | None] = mapped_column(
        ForeignKey("sponsorship_package.id", ondelete="SET NULL")
    )
    # What the inquiry was about in words ("Gold", "OpenInfra Days ...: Spotlight"), kept when
    # the tier, event or package is later renamed or deleted.
    topic: Mapped[str] = mapped_column(String(400))
    # The rule that chose the contacts; None when the default contact got it.
    routing_rule_id: Mapped[int | None] = mapped_column(
        ForeignKey("routing_rule.id", ondelete="SET NULL")
    )
    consented_at: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())
    status: Mapped[InquiryStatus] = mapped_column(
        enum_column(InquiryStatus, "inquiry_status"),
        default=InquiryStatus.NEW,
        server_default=InquiryStatus.NEW.value,
    )
    # The staff member who follows it up (the routed contacts are who was told about it).
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime, default=lambda: utcnow(), onupdate=lambda: utcnow()
    )
    # What the inbox's text search reads: SEARCHED folded (search_text_of), kept by the
    # listener below; PostgreSQL's trigram index ix_inquiry_search (migration 0008) answers it.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="", deferred=True)

    tier: Mapped[MembershipTier | None] = relationship()
    event: Mapped[Event | None] = relationship()
    package: Mapped[SponsorshipPackage | None] = relationship()
    routing_rule: Mapped[RoutingRule | None] = relationship()
    contacts: Mapped[list[StaffContact]] = relationship(
        secondary=inquiry_contacts, order_by=StaffContact.name
    )
    assignee: Mapped[StaffUser | None] = relationship()
    notes: Mapped[list[InquiryNote]] = relationship(
        back_populates="inquiry", order_by="InquiryNote.id", passive_deletes=True
    )

    __table_args__ = (
        _fits_kind("subject_fits_kind"),
        CheckConstraint("length(message) <= 5000", name="message_length"),
        # The inbox's order (newest first, the id breaking ties) for the whole list and for
        # each filter, so a page is read from an index whatever the number of inquiries. On
        # PostgreSQL, ix_inquiry_search (trigrams, see migration 0008) answers the text search.
        Index("ix_inquiry_received", "created_at", "id"),
        Index("ix_inquiry_status_received", "status", "created_at", "id"),
        Index("ix_inquiry_assignee_received", "assignee_id", "created_at", "id"),
        Index("ix_inquiry_event", "event_id"),
        Index("ix_inquiry_status_kind", "status", "kind"),  # the dashboard's new inquiries
    )

    def __repr__(self) -> str:
        return f"<Inquiry {self.id} {self.kind}>"

    @property
    def is_membership(self) -> bool:
        return self.kind is InquiryKind.MEMBERSHIP

    @property
    def reference(self) -> str:
        """How the outbox refers to this inquiry's mail."""
        return f"inquiry:{self.id}"


SEARCHED = ("name", "email", "organization", "topic", "message")


def search_text_of(*parts: str | None) -> str:
    """The folded text the inbox searches (lower case without accents, so "jose" finds
    "José"), from the values of SEARCHED."""
    return fold(" ".join(part for part in parts if part))


@orm_event.listens_for(Inquiry, "before_insert")
@orm_event.listens_for(Inquiry, "before_update")
def _keep_search_text(mapper, connection, inquiry: Inquiry) -> None:
    inquiry.search_text = search_text_of(*(getattr(inquiry, name) for name in SEARCHED))


class InquiryNote(db.Model):
    """What staff wrote down about an inquiry; append-only, like a logbook."""

    __tablename__ = "inquiry_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiry.id", ondelete="CASCADE"))
    # The author's account may be deleted one day; the name snapshot keeps the note readable.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())

    inquiry: Mapped[Inquiry] = relationship(back_populates="notes")

    __table_args__ = (
        CheckConstraint("length(body) BETWEEN 1 AND 5000", name="body_length"),
        Index("ix_inquiry_note_inquiry", "inquiry_id", "id"),
    )
