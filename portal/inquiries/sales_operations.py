"""Every change staff make to what is sold and to who answers: membership tiers, members,
sponsorship packages, staff contacts and routing rules. Each is created, updated, retired or
restored through the same four functions, which validate (sales_rules.py), change the row,
write the audit entry and commit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from portal.accounts.models import StaffUser
from portal.core.audit import plain, record
from portal.core.db import utcnow
from portal.events.models import Event, LinkKind, LinkState
from portal.events.operations import Invalid, Refused
from portal.extensions import db
from portal.inquiries import sales_rules
from portal.inquiries.models import (
    Member,
    MembershipTier,
    RoutingRule,
    SponsorshipPackage,
    StaffContact,
)
from portal.inquiries.operations import offer_sponsorship, sponsor_path

__all__ = ["CONTACT", "MEMBER", "PACKAGE", "RULE", "TIER", "Invalid", "Refused"]


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


def _one_default(contact: StaffContact, values: dict[str, Any]) -> None:
    """A new default contact takes over from the old one (at most one, says the database)."""
    if values.get("is_default") and not contact.is_default:
        db.session.execute(
            update(StaffContact)
            .where(StaffContact.is_default.is_(True))
            .values(is_default=False)
            .execution_options(synchronize_session="fetch")
        )


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
        raise Invalid(errors)
    kind.prepare(row, values)
    for name in kind.fields:
        if name in values:
            setattr(row, name, values[name])


def create(kind: Managed, values: dict[str, Any], actor: StaffUser | None) -> Any:
    """A new row of `kind`. A package needs `values["event"]`; the event's Sponsor link then
    leads to the portal's sponsorship page (offer_sponsorship)."""
    row = kind.model()
    if kind is PACKAGE:
        row.event = values["event"]
    _apply(kind, row, values)
    if kind is PACKAGE:
        offer_sponsorship(row.event, [row])
    db.session.add(row)
    db.session.flush()
    record(actor, f"{kind.name}.create", row, kind.label(row), after=snapshot(kind, row))
    db.session.commit()
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
    db.session.commit()
    return True


def retire(kind: Managed, row: Any, actor: StaffUser | None) -> None:
    """Take the row off the public pages, the forms and routing; what names it keeps it."""
    if getattr(row, "is_default", False):
        raise Refused(
            f"{kind.label(row)} is the default contact: make another contact the default first."
        )
    _set_retired(kind, row, actor, retired=True)


def _follow_packages(event: Event) -> None:
    """The event's Sponsor link, when it leads to the portal's page, is open while the event
    has a package on sale and closed once the last one is retired (the page would be empty)."""
    link = event.link(LinkKind.SPONSOR)
    if link is None or link.url != sponsor_path(event):
        return
    active = select(SponsorshipPackage.id).where(
        SponsorshipPackage.event_id == event.id, SponsorshipPackage.retired_at.is_(None)
    )
    on_sale = db.session.scalar(active.limit(1)) is not None
    link.state = LinkState.OPEN if on_sale else LinkState.CLOSED


def restore(kind: Managed, row: Any, actor: StaffUser | None) -> None:
    _set_retired(kind, row, actor, retired=False)


def _set_retired(kind: Managed, row: Any, actor: StaffUser | None, retired: bool) -> None:
    if row.is_retired == retired:
        return
    row.retired_at = utcnow() if retired else None
    if kind is PACKAGE:
        _follow_packages(row.event)
    action = "retire" if retired else "restore"
    record(
        actor,
        f"{kind.name}.{action}",
        row,
        kind.label(row),
        before={"retired": not retired},
        after={"retired": retired},
    )
    db.session.commit()
