"""What makes a tier, member, package, staff contact or routing rule valid (offer/rules.py
and inquiries/rows.py), called with the values staff typed. The rules ask the
database whether a slug, name or address is taken: it is empty (no demo) but for the rows a
test makes."""

from __future__ import annotations

from datetime import datetime

import pytest

from portal.inquiries.models import InquiryKind
from portal.inquiries.rows import ascii_address, contact_errors, rule_errors
from portal.offer.models import MembershipTier
from portal.offer.rules import MAX_AMOUNT, member_errors, package_errors, tier_errors

RETIRED = datetime(2024, 1, 1)


def tier_values(**changes) -> dict:
    return {"slug": "gold", "name": "Gold", "annual_fee": 1_500_000, "currency": "USD", **changes}


def member_values(tier, **changes) -> dict:
    values = {"name": "Rackspace", "tier": tier, "url": "https://rackspace.com", "country": "US"}
    return {**values, **changes}


def package_values(event, **changes) -> dict:
    values = {
        "event": event,
        "slug": "coffee",
        "name": "Coffee",
        "price": 250_000,
        "member_price": 200_000,
        "available": 2,
        "currency": "USD",
    }
    return {**values, **changes}


def contact_values(**changes) -> dict:
    return {"name": "Events", "email": "events@example.org", "is_default": False, **changes}


def rule_values(contacts, **changes) -> dict:
    values = {"name": "Sponsorship", "kind": InquiryKind.SPONSORSHIP, "contacts": contacts}
    return {**values, "event": None, "tier": None, "package": None, **changes}


@pytest.fixture
def tier(make_tier) -> MembershipTier:
    return make_tier("silver")


# --- Tiers ---------------------------------------------------------------------------------


def test_a_complete_tier_has_no_errors(app):
    assert tier_errors(tier_values()) == {}


@pytest.mark.parametrize("slug", ["", "Gold", "gold tier", "gold--tier", "g" * 41])
def test_a_tier_slug_is_lower_case_words_of_at_most_40_characters(app, slug):
    assert set(tier_errors(tier_values(slug=slug))) == {"slug"}


def test_a_tier_cannot_take_another_tier_s_slug(app, make_tier):
    make_tier("gold")
    assert tier_errors(tier_values(slug="gold")) == {"slug": "Another tier already has this slug."}


def test_an_edited_tier_keeps_its_own_slug(app, make_tier):
    gold = make_tier("gold")
    assert tier_errors({"slug": "gold", "name": "Gold members"}, gold) == {}


def test_a_tier_needs_a_name(app):
    assert set(tier_errors(tier_values(name=" "))) == {"name"}


def test_a_tier_fee_may_be_left_to_a_conversation(app):
    assert tier_errors(tier_values(annual_fee=None)) == {}  # "contact us"
    assert tier_errors(tier_values(annual_fee=0)) == {}


@pytest.mark.parametrize("fee", [-1, MAX_AMOUNT + 1])
def test_a_fee_is_an_amount_from_zero_to_the_maximum(app, fee):
    assert set(tier_errors(tier_values(annual_fee=fee))) == {"annual_fee"}
    assert tier_errors(tier_values(annual_fee=MAX_AMOUNT)) == {}


@pytest.mark.parametrize("currency", ["usd", "Usd", "XYZ", "US", "USDD", "", None])
def test_a_currency_is_an_upper_case_iso_4217_code(app, currency):
    assert set(tier_errors(tier_values(currency=currency))) == {"currency"}


@pytest.mark.parametrize("currency", ["USD", "EUR", "JPY", "CHF"])
def test_known_upper_case_currencies_are_accepted(app, currency):
    assert tier_errors(tier_values(currency=currency)) == {}


# --- Members -------------------------------------------------------------------------------


def test_a_complete_member_has_no_errors(app, tier):
    assert member_errors(member_values(tier)) == {}


def test_a_member_needs_a_name_and_a_tier(app, tier):
    assert set(member_errors(member_values(tier, name=""))) == {"name"}
    assert set(member_errors(member_values(None))) == {"tier"}


def test_a_member_cannot_take_another_member_s_name(app, make_member, tier):
    make_member("Rackspace", tier)
    errors = member_errors(member_values(tier, name="Rackspace"))
    assert errors == {"name": "The directory already lists a member of this name."}


def test_an_edited_member_keeps_its_own_name(app, make_member, tier):
    member = make_member("Rackspace", tier)
    assert member_errors({"name": "Rackspace", "city": "San Antonio"}, member) == {}


def test_a_retired_tier_is_refused_for_a_new_member(app, make_tier):
    retired = make_tier("bronze", retired_at=RETIRED)
    assert member_errors(member_values(retired)) == {"tier": "This tier is retired."}


def test_a_member_keeps_the_retired_tier_it_already_has(app, make_tier, make_member):
    bronze = make_tier("bronze")
    member = make_member("Rackspace", bronze)
    bronze.retired_at = RETIRED
    assert member_errors({"name": "Rackspace", "tier": bronze}, member) == {}
    assert member_errors({"city": "San Antonio"}, member) == {}


def test_a_member_cannot_move_to_a_retired_tier(app, make_tier, make_member):
    member = make_member("Rackspace", make_tier("gold"))
    bronze = make_tier("bronze", retired_at=RETIRED)
    assert set(member_errors({"tier": bronze}, member)) == {"tier"}


@pytest.mark.parametrize("field", ["url", "logo_url"])
def test_a_member_s_addresses_are_http(app, tier, field):
    assert set(member_errors(member_values(tier, **{field: "javascript:alert(1)"}))) == {field}


def test_a_member_s_country_is_a_two_letter_iso_code(app, tier):
    assert set(member_errors(member_values(tier, country="XX"))) == {"country"}


# --- Sponsorship packages ------------------------------------------------------------------


def test_a_complete_package_has_no_errors(app, make_event):
    assert package_errors(package_values(make_event())) == {}


@pytest.mark.parametrize("slug", ["", "Coffee", "coffee break", "-coffee", "c" * 61])
def test_a_package_slug_is_lower_case_words_of_at_most_60_characters(app, make_event, slug):
    assert set(package_errors(package_values(make_event(), slug=slug))) == {"slug"}


def test_a_package_cannot_take_the_slug_of_another_package_of_its_event(
    app, make_event, make_package
):
    event, other_event = make_event(), make_event()
    make_package(event, "coffee")
    errors = package_errors(package_values(event, slug="coffee"))
    assert errors == {"slug": "Another package of this event already has this slug."}
    assert package_errors(package_values(other_event, slug="coffee")) == {}


def test_an_edited_package_keeps_its_own_slug(app, make_event, make_package):
    event = make_event()
    package = make_package(event, "coffee", price=250_000)
    assert package_errors({"slug": "coffee", "name": "Coffee break"}, package) == {}


def test_a_package_needs_a_name(app, make_event):
    assert set(package_errors(package_values(make_event(), name=""))) == {"name"}


@pytest.mark.parametrize("field", ["price", "member_price", "available"])
@pytest.mark.parametrize("amount", [-1, MAX_AMOUNT + 1])
def test_a_package_s_amounts_are_from_zero_to_the_maximum(app, make_event, field, amount):
    # The other amounts are such that only this one is wrong.
    others = {"price": MAX_AMOUNT} if field == "member_price" else {"member_price": None}
    changes = {**others, field: amount}
    assert set(package_errors(package_values(make_event(), **changes))) == {field}


def test_a_package_may_be_priced_on_request_and_unlimited(app, make_event):
    values = package_values(make_event(), price=None, member_price=None, available=None)
    assert package_errors(values) == {}


def test_a_member_price_needs_a_price(app, make_event):
    errors = package_errors(package_values(make_event(), price=None, member_price=100_000))
    assert errors == {"member_price": "A member price needs a price for everyone else."}


def test_a_member_price_is_not_above_the_price(app, make_event):
    event = make_event()
    too_high = package_values(event, price=250_000, member_price=250_001)
    assert package_errors(too_high) == {"member_price": "The member price is not above the price."}
    assert package_errors(package_values(event, price=250_000, member_price=250_000)) == {}


def test_a_package_s_currency_is_an_upper_case_iso_4217_code(app, make_event):
    event = make_event()
    assert set(package_errors(package_values(event, currency="eur"))) == {"currency"}
    assert set(package_errors(package_values(event, currency="XYZ"))) == {"currency"}


# --- Staff contacts ------------------------------------------------------------------------


def test_a_complete_contact_has_no_errors(app):
    assert contact_errors(contact_values()) == {}


def test_a_contact_needs_a_name(app):
    assert set(contact_errors(contact_values(name=""))) == {"name"}


@pytest.mark.parametrize(
    "email", ["", None, "events", "events@", "@example.org", "events@example", "jürgen@example.org"]
)
def test_a_contact_s_email_is_a_valid_ascii_address(app, email):
    assert set(contact_errors(contact_values(email=email))) == {"email"}


def test_the_ascii_form_of_an_internationalised_domain_is_kept(app):
    values = contact_values(email="info@bücher.de")
    assert contact_errors(values) == {}
    assert values["email"] == "info@bücher.de"  # the rules read, they do not rewrite
    assert ascii_address(values)["email"] == "info@xn--bcher-kva.de"  # what is stored


def test_a_contact_cannot_take_another_contact_s_address_in_any_case_or_form(app, make_contact):
    make_contact("events@example.org")
    make_contact("info@xn--bcher-kva.de")
    taken = {"email": "Another contact already has this address."}
    assert contact_errors(contact_values(email="Events@Example.ORG")) == taken
    assert contact_errors(contact_values(email="info@bücher.de")) == taken


def test_an_edited_contact_keeps_its_own_address(app, make_contact):
    contact = make_contact("events@example.org")
    assert contact_errors({"email": "events@example.org", "team": "Events"}, contact) == {}


def test_a_retired_contact_cannot_be_made_the_default(app, make_contact):
    retired = make_contact("old@example.org", retired_at=RETIRED)
    errors = contact_errors({"is_default": True}, retired)
    assert errors == {"is_default": "A retired contact cannot be the default: restore it first."}
    assert contact_errors({"is_default": False}, retired) == {}


def test_the_default_contact_stays_the_default_until_another_takes_over(app, make_contact):
    default = make_contact("events@example.org", is_default=True)
    assert set(contact_errors({"is_default": False}, default)) == {"is_default"}
    assert contact_errors({"is_default": True, "name": "Events desk"}, default) == {}
    assert contact_errors({"name": "Events desk"}, default) == {}  # not mentioned: unchanged


def test_a_new_contact_may_become_the_default(app, make_contact):
    make_contact("events@example.org", is_default=True)
    assert contact_errors(contact_values(email="new@example.org", is_default=True)) == {}


# --- Routing rules -------------------------------------------------------------------------


def test_a_complete_rule_has_no_errors(app, make_contact):
    assert rule_errors(rule_values([make_contact()])) == {}


def test_a_rule_needs_a_name(app, make_contact):
    assert set(rule_errors(rule_values([make_contact()], name=" "))) == {"name"}


def test_a_rule_cannot_take_another_rule_s_name(app, make_contact, make_rule):
    ada = make_contact()
    make_rule("Sponsorship", InquiryKind.SPONSORSHIP, [ada])
    assert rule_errors(rule_values([ada])) == {"name": "Another rule already has this name."}


def test_a_rule_needs_contacts(app):
    errors = rule_errors(rule_values([]))
    assert errors == {"contacts": "Choose at least one contact to send these inquiries to."}
    assert set(rule_errors(rule_values(None))) == {"contacts"}


def test_a_new_rule_cannot_send_to_a_retired_contact(app, make_contact):
    retired = make_contact("old@example.org", retired_at=RETIRED)
    errors = rule_errors(rule_values([make_contact(), retired]))
    assert errors == {"contacts": "Retired contacts receive nothing."}


def test_a_rule_keeps_a_contact_retired_since_it_was_chosen(app, make_contact, make_rule):
    ada, grace = make_contact("ada@example.org"), make_contact("grace@example.org")
    saved = make_rule("Sponsorship", InquiryKind.SPONSORSHIP, [ada, grace])
    grace.retired_at = RETIRED
    assert rule_errors({"name": "Sponsorship", "contacts": [ada, grace]}, saved) == {}
    newly_retired = make_contact("alan@example.org", retired_at=RETIRED)
    assert set(rule_errors({"contacts": [ada, newly_retired]}, saved)) == {"contacts"}


def test_a_membership_rule_names_no_event_or_package(app, make_contact, make_event, make_package):
    ada, event = make_contact(), make_event()
    package = make_package(event, "coffee")
    membership = dict(name="Membership", kind=InquiryKind.MEMBERSHIP)
    expected = {"event": "A membership rule names a tier at most, not an event or package."}
    assert rule_errors(rule_values([ada], **membership, event=event)) == expected
    assert rule_errors(rule_values([ada], **membership, package=package)) == expected


def test_a_membership_rule_may_name_a_tier(app, make_contact, tier):
    values = rule_values([make_contact()], kind=InquiryKind.MEMBERSHIP, tier=tier)
    assert rule_errors(values) == {}


def test_a_sponsorship_rule_names_no_tier(app, make_contact, tier):
    errors = rule_errors(rule_values([make_contact()], tier=tier))
    assert errors == {"tier": "A sponsorship rule names an event (and a package), not a tier."}


def test_a_rule_s_package_belongs_to_the_rule_s_event(app, make_contact, make_event, make_package):
    ada, event, other_event = make_contact(), make_event(), make_event()
    package = make_package(event, "coffee")
    expected = {"package": "Choose the event this package belongs to as well."}
    assert rule_errors(rule_values([ada], event=other_event, package=package)) == expected
    assert rule_errors(rule_values([ada], event=None, package=package)) == expected
    assert rule_errors(rule_values([ada], event=event, package=package)) == {}
    assert rule_errors(rule_values([ada], event=event)) == {}
