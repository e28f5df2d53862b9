"""Staff contacts, routing rules and the inquiries themselves, with staff's notes on them. What
inquiries are about (tiers, packages) is the offer's (offer/models.py).

Contacts and rules are retired rather than deleted (`retired_at`): they leave the forms and
routing, and the inquiries that name them keep them."""

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
    text,
)
from sqlalchemy import event as orm_event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.accounts.models import StaffUser
from portal.core.db import LabelledEnum, Retirable, enum_column, utcnow
from portal.core.text import fold
from portal.core.version import shown_to_visitors
from portal.events.models import Event
from portal.extensions import Model, db
from portal.offer.models import MembershipTier, SponsorshipPackage


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


class StaffContact(Retirable, Model):
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


class RoutingRule(Retirable, Model):
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


class Inquiry(Model):
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
    # The key of the form shown that sent it (core.pages.submission_key): posted again, the
    # same form finds this inquiry rather than storing another (migration 0013).
    submission_key: Mapped[str | None] = mapped_column(String(64))
    # The Message-ID of the acknowledgement, which staff replies are threaded to (migration
    # 0018; None for inquiries stored before it, whose acknowledgement the outbox may still hold).
    acknowledgement_id: Mapped[str | None] = mapped_column(String(250))
    # The language of the page the visitor wrote from (core/i18n.py): staff replies are framed
    # in it (migration 0020).
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")

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
    replies: Mapped[list[InquiryReply]] = relationship(
        back_populates="inquiry", order_by="InquiryReply.id", passive_deletes=True
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
        Index("ix_inquiry_submission_key", "submission_key", unique=True),
        # Likely duplicates: the open inquiries of one address (migration 0018).
        Index("ix_inquiry_email", "email", "kind"),
        # The few rows the release before wrote without search_text (inquiries/maintenance.py).
        Index(
            "ix_inquiry_unsearched",
            "id",
            sqlite_where=text("search_text = ''"),
            postgresql_where=text("search_text = ''"),
        ),
    )

    def __repr__(self) -> str:
        return f"<Inquiry {self.id} {self.kind}>"

    @property
    def is_membership(self) -> bool:
        return self.kind is InquiryKind.MEMBERSHIP

    @property
    def reference(self) -> str:
        """How the outbox refers to this inquiry's mail."""
        return mail_reference(self.id)

    @property
    def number(self) -> str:
        """The reference people read: the visitor's thank-you page, every mail, the inbox."""
        return public_reference(self.id)


def public_reference(inquiry_id: int) -> str:
    """ "Q-000042": what the visitor is given, and what staff search for."""
    return f"{PUBLIC_PREFIX}{inquiry_id:06d}"


PUBLIC_PREFIX = "Q-"


def mail_reference(inquiry_id: int) -> str:
    """How the outbox refers to the mail of the inquiry `inquiry_id` (OutboxMessage.reference)."""
    return f"{MAIL_REFERENCE_PREFIX}{inquiry_id}"


MAIL_REFERENCE_PREFIX = "inquiry:"
# Who answers is named on the thank-you pages: a change of them is one visitors see.
shown_to_visitors(StaffContact, RoutingRule)

SEARCHED = ("name", "email", "organization", "topic", "message")


def search_text_of(*parts: str | None) -> str:
    """The folded text the inbox searches (lower case without accents, so "jose" finds
    "José"), from the values of SEARCHED."""
    return fold(" ".join(part for part in parts if part))


@orm_event.listens_for(Inquiry, "before_insert")
@orm_event.listens_for(Inquiry, "before_update")
def _keep_search_text(mapper, connection, inquiry: Inquiry) -> None:
    inquiry.search_text = search_text_of(*(getattr(inquiry, name) for name in SEARCHED))


class InquiryNote(Model):
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


class InquiryReply(Model):
    """A staff member's answer to the submitter, sent through the outbox (its Message-ID names
    the message there); kept when the outbox purges sent mail."""

    __tablename__ = "inquiry_reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    inquiry_id: Mapped[int] = mapped_column(ForeignKey("inquiry.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(120))
    author_email: Mapped[str] = mapped_column(String(254))
    body: Mapped[str] = mapped_column(Text)
    message_id: Mapped[str] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())

    inquiry: Mapped[Inquiry] = relationship(back_populates="replies")

    __table_args__ = (
        CheckConstraint("length(body) BETWEEN 1 AND 10000", name="body_length"),
        Index("ix_inquiry_reply_inquiry", "inquiry_id", "id"),
    )


class ReplyTemplate(Model):
    """A reply admins wrote once for a kind of inquiry; `{name}`, `{organization}`, `{topic}`
    and `{reference}` are filled with the inquiry's (helpdesk.fill_template)."""

    __tablename__ = "reply_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[InquiryKind] = mapped_column(enum_column(InquiryKind, "kind"))
    name: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        CheckConstraint("length(body) BETWEEN 1 AND 10000", name="body_length"),
        Index("uq_reply_template_kind_name", "kind", "name", unique=True),
    )


class NudgeKind(LabelledEnum):
    REMINDER = "reminder"  # to the routed contacts, after PORTAL_INQUIRY_REMINDER_HOURS
    ESCALATION = "escalation"  # to the default contact, after twice that


class InquiryNudge(Model):
    """A reminder or escalation sent about an inquiry left new. The primary key is what makes
    each be sent once: two workers racing insert the same row, and one of them fails."""

    __tablename__ = "inquiry_nudge"

    inquiry_id: Mapped[int] = mapped_column(
        ForeignKey("inquiry.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NudgeKind] = mapped_column(enum_column(NudgeKind, "nudge_kind"), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())


class InquiryDuplicate(Model):
    """An inquiry that looks like (or was merged into) an open one from the same address."""

    __tablename__ = "inquiry_duplicate"

    inquiry_id: Mapped[int] = mapped_column(
        ForeignKey("inquiry.id", ondelete="CASCADE"), primary_key=True
    )
    original_id: Mapped[int] = mapped_column(ForeignKey("inquiry.id", ondelete="CASCADE"))
    merged_at: Mapped[datetime | None] = mapped_column(DateTime)

    __table_args__ = (Index("ix_inquiry_duplicate_original", "original_id"),)
