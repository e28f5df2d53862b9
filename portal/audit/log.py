"""Writing audit entries: operations call `record` before they commit, in the same
transaction, so a change and its entry are stored together or not at all."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import Enum
from typing import Any

from portal.accounts.models import StaffUser
from portal.audit.models import AuditEntry
from portal.extensions import db

COMMAND_LINE = "command line"  # the actor of changes made by `flask` commands


def record(
    actor: StaffUser | None,
    action: str,
    obj: Any,
    label: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_email=actor.email if actor else COMMAND_LINE,
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
