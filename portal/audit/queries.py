"""Reading the audit log: its filters, and the kinds of objects it holds entries about."""

from __future__ import annotations

from sqlalchemy import Select, select
from werkzeug.datastructures import MultiDict

from portal.core.audit import AuditEntry
from portal.core.hygiene import as_id
from portal.core.lists import ListFilter
from portal.extensions import db


class AuditFilter(ListFilter):
    """`object_type` ("event", "inquiry", ...), `object_id`, `actor` (an email) and `page`."""

    def __init__(self, args: MultiDict) -> None:
        super().__init__(args)
        self.object_type = args.get("object_type", "").strip()[:40]
        self.object_id = args.get("object_id", "").strip()[:12]
        self.actor = args.get("actor", "").strip().lower()[:254]

    def values(self) -> dict:
        return {"object_type": self.object_type, "object_id": self.object_id, "actor": self.actor}

    def select(self) -> Select:
        stmt = select(AuditEntry)
        if self.object_type:
            stmt = stmt.where(AuditEntry.object_type == self.object_type)
        if (object_id := as_id(self.object_id)) is not None:
            stmt = stmt.where(AuditEntry.object_id == object_id)
        if self.actor:
            stmt = stmt.where(AuditEntry.actor_email == self.actor)
        return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def object_types() -> list[str]:
    """The kinds of objects the log has entries about, for the filter's choices."""
    stmt = select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    return list(db.session.scalars(stmt))
