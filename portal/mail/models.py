"""The outbox: every message the portal sends, stored before anyone tries to send it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, DateTime, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import enum_column, utcnow
from portal.extensions import Model


class OutboxState(StrEnum):
    PENDING = "pending"  # due at next_attempt_at
    SENDING = "sending"  # claimed by one deliverer (claim_token, claimed_at)
    SENT = "sent"
    FAILED = "failed"  # the server refused it for good, or it kept failing for too long


class OutboxMessage(Model):
    """One message to one recipient, stored as the exact bytes that will be sent, so a retry
    sends what the first attempt would have sent, with the same Message-ID."""

    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    sender: Mapped[str] = mapped_column(String(254))  # envelope MAIL FROM
    recipient: Mapped[str] = mapped_column(String(254))  # envelope RCPT TO
    subject: Mapped[str] = mapped_column(String(250))  # for people reading the table
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    # What caused the message, e.g. "inquiry:42": lets a feature find its own mail.
    reference: Mapped[str | None] = mapped_column(String(100), index=True)

    state: Mapped[OutboxState] = mapped_column(
        enum_column(OutboxState, "outbox_state"), default=OutboxState.PENDING
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())

    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint(
            "(state = 'sending') = (claim_token IS NOT NULL)", name="claimed_while_sending"
        ),
        CheckConstraint("(state = 'sent') = (sent_at IS NOT NULL)", name="sent_when_sent"),
        # Deliverers look for what is due: pending rows by time, stale claims by claim time.
        Index("ix_outbox_message_due", "state", "next_attempt_at"),
    )

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.state} to {self.recipient}>"

    @property
    def tries(self) -> int:
        """How many times the message was handed to a mail server, as every screen shows it
        (the outbox and an inquiry's page alike): a sent message at least once, since rows
        sent before delivery counted its successful try record none."""
        return max(self.attempts, 1) if self.state is OutboxState.SENT else self.attempts

    @property
    def is_failed(self) -> bool:
        """Failed for good: only staff's Retry sends it again."""
        return self.state is OutboxState.FAILED
