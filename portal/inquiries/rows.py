"""The rows staff manage about who answers inquiries (core.rows): staff contacts and routing
rules, with what makes each valid (plain functions of the values staff typed, and the row
they edit, if any: field name -> what is wrong) and what follows a change."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, update

from portal.core.rows import Errors, RowKind, require, taken, values_getter
from portal.extensions import db
from portal.inquiries.models import InquiryKind, RoutingRule, StaffContact
from portal.mail.messages import is_writable_address


def ascii_address(values: dict[str, Any]) -> dict[str, Any]:
    """A contact's address as mail servers take it: the ASCII form of a valid address
    (bücher.de is xn--bcher-kva.de). What is not valid is left for contact_errors to say."""
    try:
        checked = validate_email(
            values.get("email") or "", check_deliverability=False, allow_smtputf8=False
        )
    except EmailNotValidError:
        return values
    return {**values, "email": checked.ascii_email}


def contact_errors(values: dict[str, Any], contact: StaffContact | None = None) -> Errors:
    get = values_getter(values, contact)
    errors: Errors = {}
    require(errors, get, "name", "contact")
    try:
        checked = validate_email(
            get("email") or "", check_deliverability=False, allow_smtputf8=False
        )
    except EmailNotValidError as error:
        errors["email"] = str(error)
    else:
        address = checked.ascii_email or ""  # set whenever SMTPUTF8 is not allowed
        if not is_writable_address(address):
            errors["email"] = "This address cannot be written in an email header."
        same = func.lower(StaffContact.email) == address.lower()
        if taken(StaffContact, contact, same):
            errors["email"] = "Another contact already has this address."
    if get("is_default") and contact is not None and contact.is_retired:
        errors["is_default"] = "A retired contact cannot be the default: restore it first."
    if contact is not None and contact.is_default and not get("is_default"):
        errors["is_default"] = (
            "Inquiries that no rule routes need someone: make another contact the default instead."
        )
    return errors


def rule_errors(values: dict[str, Any], rule: RoutingRule | None = None) -> Errors:
    get = values_getter(values, rule)
    errors: Errors = {}
    require(errors, get, "name", "rule")
    if "name" not in errors and taken(RoutingRule, rule, RoutingRule.name == get("name")):
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


def _one_default(contact: StaffContact, values: dict[str, Any]) -> None:
    """A new default contact takes over from the old one (at most one, says the database)."""
    if values.get("is_default") and not contact.is_default:
        db.session.execute(
            update(StaffContact)
            .where(StaffContact.is_default.is_(True))
            .values(is_default=False)
            .execution_options(synchronize_session="fetch")
        )


CONTACT = RowKind(
    "contact",
    StaffContact,
    ("name", "email", "team", "is_default"),
    contact_errors,
    lambda contact: contact.label,
    normalise=ascii_address,
    before_apply=_one_default,
    retire_refusal=lambda contact: (
        f"{contact.label} is the default contact: make another contact the default first."
        if contact.is_default
        else None
    ),
)
RULE = RowKind(
    "rule",
    RoutingRule,
    ("name", "kind", "event", "tier", "package", "contacts", "position"),
    rule_errors,
    lambda rule: rule.name,
)
