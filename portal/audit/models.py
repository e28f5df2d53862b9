"""The audit log: one row per write made through the back office or its commands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.core.db import utcnow
from portal.extensions import db


class AuditEntry(db.Model):
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
