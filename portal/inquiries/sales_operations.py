"""Every change staff make to what is sold and to who answers: membership tiers, members,
sponsorship packages, staff contacts and routing rules. Each is created, updated, retired or
restored through the same four functions, which validate (sales_rules.py), change the row,
write the audit entry and flush; the caller commits (core.saving)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from portal.accounts.models import StaffUser
from portal.core.audit import plain, record
from portal.core.db import utcnow
from portal.core.errors import Refused
from portal.events import operations as catalogue
from portal.events.models import LinkKind, LinkState
from portal.extensions import db
from portal.inquiries import sales_rules
from portal.inquiries.models import (
    Member,
    MembershipTier,
    RoutingRule,
    SponsorshipPackage,
    StaffContact,
)
from portal.inquiries.operations import sponsor_path


@dataclass(frozen=True)
class Managed:
    """One kind of row staff manage: its audit name, the fields they edit, its rules."""

    name: str  # "tier": audit actions "tier.create", "tier.update", ...
    model: type
    fields: tuple[str, ...]
    errors: Callable[[dict[str, Any], Any], dict[str, str]]
    label: Callable[[Any], str]
    # Run before the values are applied: refuses or prepares what the rules cannot see.
    prepare: Callable[[Any, dict[str, Any]], None] = lambda row, values: None
    retirable: bool = True
    # The row it belongs to, taken from the values when it is created ("event" of a package).
    parent: str | None = None
    # Run after it is created, retired or restored (the action's name), with the actor: what
    # must follow in other rows.
    follow: Callable[[Any, str, StaffUser | None], None] = lambda row, action, actor: None


def _one_default(contact: StaffContact, values: dict[str, Any]) -> None:
    """A new default contact takes over from the old one (at most one, says the database)."""
    if values.get("is_default") and not contact.is_default:
        db.session.execute(
            update(StaffContact)
            .where(StaffContact.is_default.is_(True))
            .values(is_default=False)
            .execution_options(synchronize_session="fetch")
        )


def _follow_packages(package: SponsorshipPackage, action: str, actor: StaffUser | None) -> None:
    """A new package points the event's Sponsor link at the portal's sponsorship page, open.
    While the link leads there, it is open as long as a package is on sale and closed once the
    last one is retired (the page would be empty). Changes go through the catalogue's
    operations, with their audit entries."""
    event, path = package.event, sponsor_path(package.event)
    if action == "create":
        catalogue.set_sponsor_link(event, path, LinkState.OPEN, actor)
        return
    link = event.link(LinkKind.SPONSOR)
    if link is None or link.url != path:
        return  # the link leads elsewhere: the event sells sponsorship its own way
    active = select(SponsorshipPackage.id).where(
        SponsorshipPackage.event_id == event.id, SponsorshipPackage.retired_at.is_(None)
    )
    on_sale = db.session.scalar(active.limit(1)) is not None
    catalogue.set_sponsor_link(event, path, LinkState.OPEN if on_sale else LinkState.CLOSED, actor)


TIER = Managed(
    "tier",
    MembershipTier,
    ("slug", "name", "summary", "benefits", "annual_fee", "currency", "position"),
    sales_rules.tier_errors,
    lambda tier: tier.name,
)
MEMBER = Managed(
    "member",
    Member,
    ("name", "tier", "url", "logo_url", "city", "country", "description", "is_listed"),
    sales_rules.member_errors,
    lambda member: member.name,
    retirable=False,  # a member leaves the directory by being unlisted
)
PACKAGE = Managed(
    "package",
    SponsorshipPackage,
    ("slug", "name", "description", "price", "member_price", "currency", "available", "note",
     "position"),
    sales_rules.package_errors,
    lambda package: f"{package.event.title}: {package.name}",
    parent="event",
    follow=_follow_packages,
)  # fmt: skip
CONTACT = Managed(
    "contact",
    StaffContact,
    ("name", "email", "team", "is_default"),
    sales_rules.contact_errors,
    lambda contact: contact.label,
    prepare=_one_default,
)
RULE = Managed(
    "rule",
    RoutingRule,
    ("name", "kind", "event", "tier", "package", "contacts", "position"),
    sales_rules.rule_errors,
    lambda rule: rule.name,
)


def _plain(value: Any) -> Any:
    """Rows as the audit log names them: by slug or address."""
    if isinstance(value, list):
        return [_plain(item) for item in value]
    for key in ("slug", "email"):
        if hasattr(value, key) and not isinstance(value, str):
            return getattr(value, key)
    return plain(value)


def snapshot(kind: Managed, row: Any) -> dict[str, Any]:
    values = {name: _plain(getattr(row, name)) for name in kind.fields}
    if kind.retirable:
        values["retired"] = row.is_retired
    return values


def _apply(kind: Managed, row: Any, values: dict[str, Any]) -> None:
    errors = kind.errors(values, None if row.id is None else row)
    if errors:
        raise Refused(errors)
    kind.prepare(row, values)
    for name in kind.fields:
        if name in values:
            setattr(row, name, values[name])


def create(kind: Managed, values: dict[str, Any], actor: StaffUser | None) -> Any:
    """A new row of `kind`. A package needs `values["event"]`; the event's Sponsor link then
    leads to the portal's sponsorship page."""
    row = kind.model()
    if kind.parent is not None:
        setattr(row, kind.parent, values[kind.parent])
    _apply(kind, row, values)
    db.session.add(row)
    db.session.flush()
    record(actor, f"{kind.name}.create", row, kind.label(row), after=snapshot(kind, row))
    kind.follow(row, "create", actor)
    db.session.flush()
    return row


def update_row(kind: Managed, row: Any, values: dict[str, Any], actor: StaffUser | None) -> bool:
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


def retire(kind: Managed, row: Any, actor: StaffUser | None) -> None:
    """Take the row off the public pages, the forms and routing; what names it keeps it."""
    if getattr(row, "is_default", False):
        raise Refused(
            f"{kind.label(row)} is the default contact: make another contact the default first."
        )
    _set_retired(kind, row, actor, retired=True)


def restore(kind: Managed, row: Any, actor: StaffUser | None) -> None:
    _set_retired(kind, row, actor, retired=False)


def _set_retired(kind: Managed, row: Any, actor: StaffUser | None, retired: bool) -> None:
    if row.is_retired == retired:
        return
    row.retired_at = utcnow() if retired else None
    db.session.flush()
    action = "retire" if retired else "restore"
    kind.follow(row, action, actor)
    record(
        actor,
        f"{kind.name}.{action}",
        row,
        kind.label(row),
        before={"retired": not retired},
        after={"retired": retired},
    )
    db.session.flush()
