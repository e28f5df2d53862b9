"""The audit log that every operation writes: one entry per change, added to the session
before the change is committed, so a change and its entry are stored together or not at all.
The screen that reads it is the audit feature's (portal/audit)."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from typing import Any, Protocol

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import utcnow
from portal.extensions import Model, db


class Actor(Protocol):
    """Who made a change: a staff account (accounts.models.StaffUser)."""

    id: int
    email: str


class AuditEntry(Model):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())
    # The account may be deleted one day; the email snapshot keeps the entry readable.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id", ondelete="SET NULL"))
    actor_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))  # "event.publish", "project.retire", ...
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    object_label: Mapped[str] = mapped_column(String(200))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    __table_args__ = (
        Index("ix_audit_entry_at", "at"),
        Index("ix_audit_entry_object", "object_type", "object_id", "at"),
        Index("ix_audit_entry_actor", "actor_id", "at"),
    )

    def changes(self) -> list[tuple[str, Any, Any]]:
        """(field, before, after) for every field that differs, in a stable order."""
        before, after = self.before or {}, self.after or {}
        names = list(before) + [name for name in after if name not in before]
        return [
            (name, before.get(name), after.get(name))
            for name in names
            if before.get(name) != after.get(name)
        ]


COMMAND_LINE = "command line"  # the actor of changes made by `flask` commands
PUBLIC_FORM = "public form"  # the actor of what visitors send (inquiries)


def record(
    actor: Actor | None,
    action: str,
    obj: Any,
    label: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    by: str = COMMAND_LINE,
) -> AuditEntry:
    """Add the entry for a change by `actor` (None: the command line, or `by`)."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else by,
        action=action,
        object_type=action.split(".", 1)[0],
        object_id=getattr(obj, "id", None),
        object_label=label[:200],
        before=before,
        after=after,
    )
    db.session.add(entry)
    return entry


def plain(value: Any) -> Any:
    """A value as JSON can hold it: dates and times as ISO text, enums as their value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value
