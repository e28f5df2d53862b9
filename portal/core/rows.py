"""Rows that staff create, edit, retire and restore, with nothing more to them than their
fields and their rules: projects, membership tiers, members, sponsorship packages, staff
contacts and routing rules. A feature describes each kind once (`RowKind`); the four
operations below validate, change the row, write the audit entry and flush, like every other
operation (the caller commits, core.saving)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from portal.core.audit import Actor, plain, record
from portal.core.db import utcnow
from portal.core.errors import Refused
from portal.extensions import db

Errors = dict[str, str]


def _nothing(*args: Any) -> None:
    return None


def _as_given(values: dict[str, Any]) -> dict[str, Any]:
    return values


@dataclass(frozen=True)
class RowKind:
    """One kind of row staff manage: its audit name, the fields they edit, its rules."""

    name: str  # "tier": audit actions "tier.create", "tier.update", ...
    model: type
    fields: tuple[str, ...]
    errors: Callable[[dict[str, Any], Any], Errors]  # values, row or None
    label: Callable[[Any], str]
    # The values as they are stored, from what was typed (a contact's address in its ASCII
    # form): run first, and what the rules then check.
    normalise: Callable[[dict[str, Any]], dict[str, Any]] = _as_given
    # Run after the rules agreed, before the values are applied: what must change in other
    # rows first (a new default contact unmarks the old one).
    before_apply: Callable[[Any, dict[str, Any]], None] = _nothing
    retirable: bool = True
    # Why a row may not be retired now (None: it may), such as the default contact.
    retire_refusal: Callable[[Any], str | None] = _nothing
    # The row it belongs to, taken from the values when it is created ("event" of a package).
    parent: str | None = None
    # Run after a row is created, retired or restored (the action's name), with the actor:
    # what must follow in other rows (a package opens its event's Sponsor link).
    after_change: Callable[[Any, str, Actor | None], None] = _nothing


def values_getter(values: dict[str, Any], row: Any) -> Callable[[str], Any]:
    """For a kind's rules: a field's value as it will be, the one given or else the row's."""
    return lambda name: values[name] if name in values else getattr(row, name, None)


def taken(model: Any, row: Any, *conditions: Any) -> bool:
    """Whether another row of `model` than `row` meets `conditions` (a unique value)."""
    stmt = select(model.id).where(*conditions)
    if row is not None and row.id is not None:
        stmt = stmt.where(model.id != row.id)
    return db.session.scalar(stmt.limit(1)) is not None


def require(errors: Errors, get: Callable[[str], Any], name: str, what: str) -> None:
    """A field that may not be blank: "A tier needs a name."."""
    if not (get(name) or "").strip():
        errors[name] = f"A {what} needs a {name}."


def plain_value(value: Any) -> Any:
    """A field as the audit log shows it: rows by their slug or address, the rest as JSON."""
    if isinstance(value, list):
        return [plain_value(item) for item in value]
    for key in ("slug", "email"):
        if hasattr(value, key) and not isinstance(value, str):
            return getattr(value, key)
    return plain(value)


def snapshot(kind: RowKind, row: Any) -> dict[str, Any]:
    values = {name: plain_value(getattr(row, name)) for name in kind.fields}
    if kind.retirable:
        values["retired"] = row.is_retired
    return values


def _apply(kind: RowKind, row: Any, values: dict[str, Any]) -> None:
    values = kind.normalise(dict(values))
    errors = kind.errors(values, None if row.id is None else row)
    if errors:
        raise Refused(errors)
    kind.before_apply(row, values)
    for name in kind.fields:
        if name in values:
            setattr(row, name, values[name])


def create(kind: RowKind, values: dict[str, Any], actor: Actor | None) -> Any:
    """A new row of `kind` (with `values[kind.parent]` when it belongs to one)."""
    row = kind.model()
    if kind.parent is not None:
        setattr(row, kind.parent, values[kind.parent])
    _apply(kind, row, values)
    db.session.add(row)
    db.session.flush()
    record(actor, f"{kind.name}.create", row, kind.label(row), after=snapshot(kind, row))
    kind.after_change(row, "create", actor)
    db.session.flush()
    return row


def update(kind: RowKind, row: Any, values: dict[str, Any], actor: Actor | None) -> bool:
    """Apply `values`; False when they change nothing (and nothing is written)."""
    before = snapshot(kind, row)
    _apply(kind, row, values)
    after = snapshot(kind, row)
    changed = [name for name in after if before[name] != after[name]]
    if not changed:
        return False
    record(
        actor,
        f"{kind.name}.update",
        row,
        kind.label(row),
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )
    db.session.flush()
    return True


def retire(kind: RowKind, row: Any, actor: Actor | None) -> None:
    """Take the row off the public pages, the forms and routing; what names it keeps it."""
    if (reason := kind.retire_refusal(row)) is not None:
        raise Refused(reason)
    _set_retired(kind, row, actor, retired=True)


def restore(kind: RowKind, row: Any, actor: Actor | None) -> None:
    _set_retired(kind, row, actor, retired=False)


def _set_retired(kind: RowKind, row: Any, actor: Actor | None, retired: bool) -> None:
    if row.is_retired == retired:
        return  # already so: nothing to write
    row.retired_at = utcnow() if retired else None
    db.session.flush()
    action = "retire" if retired else "restore"
    kind.after_change(row, action, actor)
    record(
        actor,
        f"{kind.name}.{action}",
        row,
        kind.label(row),
        before={"retired": not retired},
        after={"retired": retired},
    )
    db.session.flush()
