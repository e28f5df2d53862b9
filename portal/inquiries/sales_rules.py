"""What makes a membership tier, member, sponsorship package, staff contact or routing rule
valid, as plain functions of the values staff typed (and the row they edit, if any). Each
returns field name -> what is wrong; the forms show these beside their fields."""

from __future__ import annotations

from typing import Any

from babel.numbers import is_currency
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select

from portal.events.display import is_country_code
from portal.events.rules import is_http_url, is_slug
from portal.extensions import db
from portal.inquiries.models import (
    InquiryKind,
    Member,
    MembershipTier,
    RoutingRule,
    SponsorshipPackage,
    StaffContact,
)
from portal.mail.messages import is_writable_address

MAX_AMOUNT = 10**12  # minor units: far above any fee, far below what a BIGINT holds
Errors = dict[str, str]


def _getter(values: dict[str, Any], row: Any):
    return lambda name: values[name] if name in values else getattr(row, name, None)


def _taken(model, row, *conditions) -> bool:
    """Whether another row of `model` than `row` meets `conditions` (a unique value)."""
    stmt = select(model.id).where(*conditions)
    if row is not None and row.id is not None:
        stmt = stmt.where(model.id != row.id)
    return db.session.scalar(stmt.limit(1)) is not None


def _required(errors: Errors, get, name: str, what: str) -> None:
    if not (get(name) or "").strip():
        errors[name] = f"A {what} needs a {name}."


def _amount(errors: Errors, get, name: str) -> None:
    value = get(name)
    if value is not None and not 0 <= value <= MAX_AMOUNT:
        errors[name] = "Give an amount of zero or more."


def _currency(errors: Errors, get) -> None:
    code = get("currency") or ""
    if len(code) != 3 or code != code.upper() or not is_currency(code):
        errors["currency"] = "Use the three-letter ISO 4217 code, such as USD or EUR."


def tier_errors(values: dict[str, Any], tier: MembershipTier | None = None) -> Errors:
    get, errors = _getter(values, tier), {}
    if not is_slug(get("slug") or "", max_length=40):
        errors["slug"] = "Lower-case letters, digits and single hyphens, at most 40 characters."
    elif _taken(MembershipTier, tier, MembershipTier.slug == get("slug")):
        errors["slug"] = "Another tier already has this slug."
    _required(errors, get, "name", "tier")
    _amount(errors, get, "annual_fee")
    _currency(errors, get)
    return errors


def member_errors(values: dict[str, Any], member: Member | None = None) -> Errors:
    get, errors = _getter(values, member), {}
    _required(errors, get, "name", "member")
    if "name" not in errors and _taken(Member, member, Member.name == get("name")):
        errors["name"] = "The directory already lists a member of this name."
    tier = get("tier")
    if tier is None:
        errors["tier"] = "Choose the member's tier."
    elif tier.is_retired and (member is None or member.tier is not tier):
        errors["tier"] = "This tier is retired."
    for name in ("url", "logo_url"):
        if get(name) and not is_http_url(get(name)):
            errors[name] = "Only http:// or https:// addresses."
    if get("country") and not is_country_code(get("country")):
        errors["country"] = "Use the two-letter ISO 3166 code, such as US or DE."
    return errors


def package_errors(values: dict[str, Any], package: SponsorshipPackage | None = None) -> Errors:
    get, errors = _getter(values, package), {}
    event = get("event")
    if not is_slug(get("slug") or "", max_length=60):
        errors["slug"] = "Lower-case letters, digits and single hyphens, at most 60 characters."
    elif event is not None and _taken(
        SponsorshipPackage,
        package,
        SponsorshipPackage.slug == get("slug"),
        SponsorshipPackage.event_id == event.id,
    ):
        errors["slug"] = "Another package of this event already has this slug."
    _required(errors, get, "name", "package")
    for name in ("price", "member_price", "available"):
        _amount(errors, get, name)
    price, member_price = get("price"), get("member_price")
    if member_price is not None and "member_price" not in errors:
        if price is None:
            errors["member_price"] = "A member price needs a price for everyone else."
        elif member_price > price:
            errors["member_price"] = "The member price is not above the price."
    _currency(errors, get)
    return errors


def contact_errors(values: dict[str, Any], contact: StaffContact | None = None) -> Errors:
    get, errors = _getter(values, contact), {}
    _required(errors, get, "name", "contact")
    try:
        checked = validate_email(
            get("email") or "", check_deliverability=False, allow_smtputf8=False
        )
    except EmailNotValidError as error:
        errors["email"] = str(error)
    else:
        # Mail servers take the ASCII form (bücher.de is xn--bcher-kva.de): keep that one.
        values["email"] = checked.ascii_email
        if not is_writable_address(checked.ascii_email):
            errors["email"] = "This address cannot be written in an email header."
        same = func.lower(StaffContact.email) == get("email").lower()
        if _taken(StaffContact, contact, same):
            errors["email"] = "Another contact already has this address."
    if get("is_default") and contact is not None and contact.is_retired:
        errors["is_default"] = "A retired contact cannot be the default: restore it first."
    if contact is not None and contact.is_default and not get("is_default"):
        errors["is_default"] = (
            "Inquiries that no rule routes need someone: make another contact the default instead."
        )
    return errors


def rule_errors(values: dict[str, Any], rule: RoutingRule | None = None) -> Errors:
    get, errors = _getter(values, rule), {}
    _required(errors, get, "name", "rule")
    if "name" not in errors and _taken(RoutingRule, rule, RoutingRule.name == get("name")):
        errors["name"] = "Another rule already has this name."
    contacts = get("contacts") or []
    if not contacts:
        errors["contacts"] = "Choose at least one contact to send these inquiries to."
    elif any(c.is_retired and (rule is None or c not in rule.contacts) for c in contacts):
        errors["contacts"] = "Retired contacts receive nothing."
    kind, event, tier, package = get("kind"), get("event"), get("tier"), get("package")
    if kind is InquiryKind.MEMBERSHIP and (event is not None or package is not None):
        errors["event"] = "A membership rule names a tier at most, not an event or package."
    if kind is InquiryKind.SPONSORSHIP:
        if tier is not None:
            errors["tier"] = "A sponsorship rule names an event (and a package), not a tier."
        if package is not None and (event is None or package.event_id != event.id):
            errors["package"] = "Choose the event this package belongs to as well."
    return errors
