"""What makes a membership tier, member or sponsorship package valid, as plain functions of
the values staff typed (and the row they edit, if any). Each returns field name -> what is
wrong; the forms show these beside their fields."""

from __future__ import annotations

from typing import Any

from babel.numbers import is_currency

from portal.core.countries import is_country_code
from portal.core.rows import Errors, require, taken, values_getter
from portal.events.rules import is_http_url, is_slug
from portal.offer.models import Member, MembershipTier, SponsorshipPackage

MAX_AMOUNT = 10**12  # minor units: far above any fee, far below what a BIGINT holds


def _amount(errors: Errors, get, name: str) -> None:
    value = get(name)
    if value is not None and not 0 <= value <= MAX_AMOUNT:
        errors[name] = "Give an amount of zero or more."


def _currency(errors: Errors, get) -> None:
    code = get("currency") or ""
    if len(code) != 3 or code != code.upper() or not is_currency(code):
        errors["currency"] = "Use the three-letter ISO 4217 code, such as USD or EUR."


def tier_errors(values: dict[str, Any], tier: MembershipTier | None = None) -> Errors:
    get, errors = values_getter(values, tier), {}
    if not is_slug(get("slug") or "", max_length=40):
        errors["slug"] = "Lower-case letters, digits and single hyphens, at most 40 characters."
    elif taken(MembershipTier, tier, MembershipTier.slug == get("slug")):
        errors["slug"] = "Another tier already has this slug."
    require(errors, get, "name", "tier")
    _amount(errors, get, "annual_fee")
    _currency(errors, get)
    join = get("join_url")
    if join and not (is_http_url(join) or join.startswith("mailto:")):
        errors["join_url"] = "An http(s):// address, or mailto: and an address."
    return errors


def member_errors(values: dict[str, Any], member: Member | None = None) -> Errors:
    get = values_getter(values, member)
    errors: Errors = {}
    require(errors, get, "name", "member")
    if "name" not in errors and taken(Member, member, Member.name == get("name")):
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
    get, errors = values_getter(values, package), {}
    event = get("event")
    if not is_slug(get("slug") or "", max_length=60):
        errors["slug"] = "Lower-case letters, digits and single hyphens, at most 60 characters."
    elif event is not None and taken(
        SponsorshipPackage,
        package,
        SponsorshipPackage.slug == get("slug"),
        SponsorshipPackage.event_id == event.id,
    ):
        errors["slug"] = "Another package of this event already has this slug."
    require(errors, get, "name", "package")
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
