"""Alert subscriptions, the snapshots of the catalogue the alert job compares, and the changes
it found: what `flask alerts send` reads and writes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import enum_column, utcnow
from portal.extensions import Model

MAIL_REFERENCE_PREFIX = "alert:"


class ChangeKind(StrEnum):
    NEW = "new"  # the event became public
    DATES = "dates"  # its dates moved, or were confirmed
    PLACE = "place"  # its venue, city, region or country
    STATUS = "status"  # cancelled, postponed, or published again
    OPENED = "opened"  # one of its links opened (`link` names which)


class AlertSubscription(Model):
    """One address following a filter of /events (`event_id` empty) or one event (`event_id`
    set, `link` the link it waits for, if any). Kept only with consent; an unconfirmed one is
    forgotten after a week, a followed event's after the event."""

    __tablename__ = "alert_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # The canonical form of what is followed (operations.filter_key): one row per address and
    # filters, whatever order the query string had.
    filter_key: Mapped[str] = mapped_column(String(400))
    q: Mapped[str | None] = mapped_column(String(200))
    project: Mapped[str | None] = mapped_column(String(60))
    format: Mapped[str | None] = mapped_column(String(20))
    country: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(20))  # a slug of core/regions.py
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), index=True
    )
    link: Mapped[str | None] = mapped_column(String(20))
    # Changes up to this id were either sent or predate the subscription.
    seen_change_id: Mapped[int] = mapped_column(Integer, default=0)
    # Signed links name the row and this nonce: links of an earlier subscription of the same
    # address stop working once it ended.
    nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())
    consented_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The language of the page the alert was asked for on: its mails are written in it
    # (migration 0020).
    language: Mapped[str] = mapped_column(String(16), default="en", server_default="en")

    __table_args__ = (
        Index("ix_alert_subscription_email_filter", "email", "filter_key", unique=True),
        Index("ix_alert_subscription_confirmed", "confirmed_at"),
        CheckConstraint("seen_change_id >= 0", name="seen_change_not_negative"),
    )

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def follows_event(self) -> bool:
        return self.event_id is not None

    @property
    def reference(self) -> str:
        return f"{MAIL_REFERENCE_PREFIX}{self.id}"

    def __repr__(self) -> str:
        return f"<AlertSubscription {self.id} {self.filter_key!r}>"


class AlertSnapshot(Model):
    """What the alert job last saw of a public event that is not over: its facts (dates,
    place, status, the state of each link) as a dict, compared at the next run."""

    __tablename__ = "alert_snapshot"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    facts: Mapped[dict] = mapped_column(JSON)
    seen_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())


class AlertChange(Model):
    """One change the job found: subscriptions whose `seen_change_id` is below its id have
    not been told of it yet."""

    __tablename__ = "alert_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ChangeKind] = mapped_column(enum_column(ChangeKind, "alert_change_kind"))
    link: Mapped[str | None] = mapped_column(String(20))
    found_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())


class AlertJob(Model):
    """One row: when the job first took the catalogue as it was (before that, nothing counts
    as new) and when it last ran; its lock serializes two jobs on PostgreSQL."""

    __tablename__ = "alert_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    baseline_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(DateTime)
