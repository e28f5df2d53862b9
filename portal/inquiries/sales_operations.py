"""What is sold and who answers, as kinds of rows staff manage (core.rows): membership tiers,
members, sponsorship packages, staff contacts and routing rules, with their rules
(sales_rules.py) and what follows a change (a package opens or closes its event's Sponsor
link). `core.rows.create`, `update`, `retire` and `restore` write them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from portal.accounts.models import StaffUser
from portal.core.db import utcnow
from portal.core.rows import RowKind
from portal.events import operations as catalogue
from portal.events.models import Event, LinkKind, LinkState
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
    if link is not None and link.url and link.url != path:
        return  # the link leads elsewhere: the event sells sponsorship its own way
    active = select(SponsorshipPackage.id).where(
        SponsorshipPackage.event_id == event.id, SponsorshipPackage.retired_at.is_(None)
    )
    on_sale = db.session.scalar(active.limit(1)) is not None
    catalogue.set_sponsor_link(event, path, LinkState.OPEN if on_sale else LinkState.CLOSED, actor)


def copy_packages(previous: Event, edition: Event, actor: StaffUser | None) -> None:
    """A next edition (catalogue.next_edition) gets the packages of the one before, not yet
    on sale (retired until staff restore them) and with no quantity published."""
    packages = db.session.scalars(
        select(SponsorshipPackage).where(SponsorshipPackage.event_id == previous.id)
    )
    for package in packages:
        copy = SponsorshipPackage(
            event=edition,
            retired_at=utcnow(),
            available=None,
            **{name: getattr(package, name) for name in PACKAGE_COPIED},
        )
        db.session.add(copy)
    db.session.flush()


PACKAGE_COPIED = (
    "slug", "name", "description", "price", "member_price", "currency", "note", "position"
)  # fmt: skip
if copy_packages not in catalogue.EDITION_HOOKS:
    catalogue.EDITION_HOOKS.append(copy_packages)


TIER = RowKind(
    "tier",
    MembershipTier,
    ("slug", "name", "summary", "benefits", "annual_fee", "currency", "position"),
    sales_rules.tier_errors,
    lambda tier: tier.name,
)
MEMBER = RowKind(
    "member",
    Member,
    ("name", "tier", "url", "logo_url", "city", "country", "description", "is_listed"),
    sales_rules.member_errors,
    lambda member: member.name,
    retirable=False,  # a member leaves the directory by being unlisted
)
PACKAGE = RowKind(
    "package",
    SponsorshipPackage,
    ("slug", "name", "description", "price", "member_price", "currency", "available", "note",
     "position"),
    sales_rules.package_errors,
    lambda package: f"{package.event.title}: {package.name}",
    parent="event",
    follow=_follow_packages,
)  # fmt: skip
CONTACT = RowKind(
    "contact",
    StaffContact,
    ("name", "email", "team", "is_default"),
    sales_rules.contact_errors,
    lambda contact: contact.label,
    prepare=_one_default,
    keep=lambda contact: (
        f"{contact.label} is the default contact: make another contact the default first."
        if contact.is_default
        else None
    ),
)
RULE = RowKind(
    "rule",
    RoutingRule,
    ("name", "kind", "event", "tier", "package", "contacts", "position"),
    sales_rules.rule_errors,
    lambda rule: rule.name,
)
