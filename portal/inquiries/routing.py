"""Who answers an inquiry.

Rules of the inquiry's kind are tried from the most specific to the most general, and the first
level that has a matching rule (with at least one contact) decides:

1. a rule naming the inquiry's package (sponsorship) or tier (membership);
2. a rule naming the inquiry's event, without a package (sponsorship);
3. a rule for the kind alone, without event, tier or package;
4. when no rule matches, the default contact.

Within one level the rule with the lowest `position` wins, then the oldest. A rule that names
an event and a package matches only inquiries about both. Retired rules and retired contacts
take no part: a rule whose contacts are all retired matches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.inquiries.models import InquiryKind, RoutingRule, StaffContact


@dataclass(frozen=True)
class Subject:
    """What an inquiry is about, as routing sees it."""

    kind: InquiryKind
    event_id: int | None = None
    tier_id: int | None = None
    package_id: int | None = None


@dataclass(frozen=True)
class Route:
    contacts: list[StaffContact]
    rule: RoutingRule | None  # None: the default contact


def specificity(rule: RoutingRule) -> int:
    if rule.package_id is not None or rule.tier_id is not None:
        return 2
    if rule.event_id is not None:
        return 1
    return 0


def matches(rule: RoutingRule, subject: Subject) -> bool:
    return (
        rule.kind == subject.kind
        and rule.event_id in (None, subject.event_id)
        and rule.tier_id in (None, subject.tier_id)
        and rule.package_id in (None, subject.package_id)
    )


def active_contacts(rule: RoutingRule) -> list[StaffContact]:
    return [contact for contact in rule.contacts if not contact.is_retired]


def choose_rule(rules: list[RoutingRule], subject: Subject) -> RoutingRule | None:
    candidates = [
        rule
        for rule in rules
        if not rule.is_retired and active_contacts(rule) and matches(rule, subject)
    ]
    return min(
        candidates, key=lambda rule: (-specificity(rule), rule.position, rule.id), default=None
    )


def default_contact() -> StaffContact:
    """The contact marked as default. Without one, the contact at the site's CONTACT_EMAIL,
    new and not yet saved if need be: no inquiry is ever left without someone responsible."""
    contact = db.session.scalar(
        select(StaffContact).where(
            StaffContact.is_default.is_(True), StaffContact.retired_at.is_(None)
        )
    )
    if contact is not None:
        return contact
    config = current_app.config
    email = config["CONTACT_EMAIL"]
    existing = db.session.scalar(select(StaffContact).where(StaffContact.email == email))
    return existing or StaffContact(
        name=config["SITE_NAME"], email=email, team="General inquiries", is_default=True
    )


def route(subject: Subject) -> Route:
    rules = db.session.scalars(
        select(RoutingRule)
        .where(RoutingRule.kind == subject.kind, RoutingRule.retired_at.is_(None))
        .options(selectinload(RoutingRule.contacts))
    ).all()
    rule = choose_rule(list(rules), subject)
    if rule is not None:
        return Route(active_contacts(rule), rule)
    return Route([default_contact()], None)
