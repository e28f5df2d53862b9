"""Who answers an inquiry (portal/inquiries/routing.py), on unsaved rules and contacts with
ids given by hand; then route() on an empty database for the default contact."""

from __future__ import annotations

from datetime import datetime

import pytest

from portal.inquiries.models import InquiryKind, RoutingRule, StaffContact
from portal.inquiries.routing import (
    Subject,
    active_contacts,
    choose_rule,
    matches,
    route,
    specificity,
)

MEMBERSHIP, SPONSORSHIP = InquiryKind.MEMBERSHIP, InquiryKind.SPONSORSHIP
RETIRED = datetime(2024, 1, 1)
EVENT, OTHER_EVENT, PACKAGE, OTHER_PACKAGE, TIER, OTHER_TIER = 10, 11, 20, 21, 30, 31


def contact(id_: int, retired: bool = False) -> StaffContact:
    return StaffContact(
        id=id_,
        name=f"Contact {id_}",
        email=f"contact{id_}@example.org",
        retired_at=RETIRED if retired else None,
    )


def rule(
    id_: int,
    kind: InquiryKind = SPONSORSHIP,
    position: int = 0,
    contacts: list[StaffContact] | None = None,
    retired: bool = False,
    **criteria,
) -> RoutingRule:
    """A rule of `kind`; criteria are event_id, tier_id, package_id."""
    return RoutingRule(
        id=id_,
        name=f"Rule {id_}",
        kind=kind,
        position=position,
        contacts=[contact(100 + id_)] if contacts is None else contacts,
        retired_at=RETIRED if retired else None,
        **criteria,
    )


def test_a_package_rule_beats_an_event_rule_beats_a_kind_rule():
    # The least specific rules come first by position and by id: only specificity decides.
    kind_rule = rule(1, position=0)
    event_rule = rule(2, position=5, event_id=EVENT)
    package_rule = rule(3, position=9, event_id=EVENT, package_id=PACKAGE)
    rules = [kind_rule, event_rule, package_rule]
    about_package = Subject(SPONSORSHIP, event_id=EVENT, package_id=PACKAGE)
    assert choose_rule(rules, about_package) is package_rule
    assert choose_rule(rules, Subject(SPONSORSHIP, event_id=EVENT)) is event_rule
    other_package = Subject(SPONSORSHIP, event_id=EVENT, package_id=OTHER_PACKAGE)
    assert choose_rule(rules, other_package) is event_rule
    assert choose_rule(rules, Subject(SPONSORSHIP, event_id=OTHER_EVENT)) is kind_rule
    assert choose_rule(rules, Subject(SPONSORSHIP)) is kind_rule


def test_a_tier_rule_beats_a_kind_rule():
    kind_rule = rule(1, MEMBERSHIP, position=0)
    tier_rule = rule(2, MEMBERSHIP, position=9, tier_id=TIER)
    rules = [kind_rule, tier_rule]
    assert choose_rule(rules, Subject(MEMBERSHIP, tier_id=TIER)) is tier_rule
    assert choose_rule(rules, Subject(MEMBERSHIP, tier_id=OTHER_TIER)) is kind_rule
    assert choose_rule(rules, Subject(MEMBERSHIP)) is kind_rule


def test_package_and_tier_rules_are_more_specific_than_event_rules_than_kind_rules():
    assert specificity(rule(1, event_id=EVENT, package_id=PACKAGE)) == 2
    assert specificity(rule(2, MEMBERSHIP, tier_id=TIER)) == 2
    assert specificity(rule(3, event_id=EVENT)) == 1
    assert specificity(rule(4)) == specificity(rule(5, MEMBERSHIP)) == 0


def test_within_a_level_the_lowest_position_wins():
    first = rule(7, position=1, event_id=EVENT)
    second = rule(3, position=2, event_id=EVENT)
    subject = Subject(SPONSORSHIP, event_id=EVENT)
    assert choose_rule([second, first], subject) is first
    assert choose_rule([first, second], subject) is first


def test_within_a_level_and_a_position_the_lowest_id_wins():
    older, newer = rule(3, position=1), rule(8, position=1)
    assert choose_rule([newer, older], Subject(SPONSORSHIP)) is older
    assert choose_rule([older, newer], Subject(SPONSORSHIP)) is older


def test_a_rule_naming_an_event_and_a_package_matches_only_inquiries_about_both():
    both = rule(1, event_id=EVENT, package_id=PACKAGE)
    assert matches(both, Subject(SPONSORSHIP, event_id=EVENT, package_id=PACKAGE))
    assert not matches(both, Subject(SPONSORSHIP, event_id=EVENT))
    assert not matches(both, Subject(SPONSORSHIP, package_id=PACKAGE))
    assert not matches(both, Subject(SPONSORSHIP, event_id=EVENT, package_id=OTHER_PACKAGE))
    assert not matches(both, Subject(SPONSORSHIP, event_id=OTHER_EVENT, package_id=PACKAGE))
    assert not matches(both, Subject(SPONSORSHIP))


def test_an_event_rule_matches_inquiries_about_the_event_and_any_of_its_packages():
    event_rule = rule(1, event_id=EVENT)
    assert matches(event_rule, Subject(SPONSORSHIP, event_id=EVENT))
    assert matches(event_rule, Subject(SPONSORSHIP, event_id=EVENT, package_id=PACKAGE))
    assert not matches(event_rule, Subject(SPONSORSHIP, event_id=OTHER_EVENT))
    assert not matches(event_rule, Subject(SPONSORSHIP))


def test_a_tier_rule_matches_only_inquiries_about_its_tier():
    tier_rule = rule(1, MEMBERSHIP, tier_id=TIER)
    assert matches(tier_rule, Subject(MEMBERSHIP, tier_id=TIER))
    assert not matches(tier_rule, Subject(MEMBERSHIP, tier_id=OTHER_TIER))
    assert not matches(tier_rule, Subject(MEMBERSHIP))


def test_a_kind_rule_matches_every_inquiry_of_its_kind():
    kind_rule = rule(1)
    assert matches(kind_rule, Subject(SPONSORSHIP))
    assert matches(kind_rule, Subject(SPONSORSHIP, event_id=EVENT, package_id=PACKAGE))


def test_a_rule_of_another_kind_never_matches():
    membership = rule(1, MEMBERSHIP)
    sponsorship = rule(2, SPONSORSHIP)
    assert not matches(membership, Subject(SPONSORSHIP))
    assert not matches(sponsorship, Subject(MEMBERSHIP, tier_id=TIER))
    assert choose_rule([membership], Subject(SPONSORSHIP, event_id=EVENT)) is None
    assert choose_rule([membership, sponsorship], Subject(MEMBERSHIP)) is membership


def test_a_retired_rule_matches_nothing():
    retired = rule(1, position=0, retired=True, event_id=EVENT, package_id=PACKAGE)
    fallback = rule(2, position=5)
    subject = Subject(SPONSORSHIP, event_id=EVENT, package_id=PACKAGE)
    assert choose_rule([retired, fallback], subject) is fallback
    assert choose_rule([retired], subject) is None


def test_a_rule_whose_contacts_are_all_retired_matches_nothing():
    silent = rule(1, event_id=EVENT, contacts=[contact(1, retired=True), contact(2, retired=True)])
    fallback = rule(2, position=5)
    subject = Subject(SPONSORSHIP, event_id=EVENT)
    assert choose_rule([silent, fallback], subject) is fallback
    assert choose_rule([silent], subject) is None
    assert choose_rule([rule(3, contacts=[])], subject) is None  # nor does one without contacts


def test_a_rule_sends_only_to_its_contacts_not_retired():
    ada, grace, alan = contact(1), contact(2, retired=True), contact(3)
    mixed = rule(1, contacts=[ada, grace, alan])
    assert active_contacts(mixed) == [ada, alan]
    assert choose_rule([mixed], Subject(SPONSORSHIP)) is mixed


def test_without_a_matching_rule_none_is_chosen():
    rules = [rule(1, event_id=EVENT), rule(2, MEMBERSHIP)]
    assert choose_rule(rules, Subject(SPONSORSHIP, event_id=OTHER_EVENT)) is None
    assert choose_rule([], Subject(SPONSORSHIP)) is None


# --- route(): the default contact -----------------------------------------------------------


def test_an_inquiry_no_rule_matches_goes_to_the_default_contact(app, make_contact, make_rule):
    membership_desk = make_contact("members@example.org")
    make_contact("someone@example.org")
    default = make_contact("events@example.org", is_default=True)
    membership_rule = make_rule("Membership", MEMBERSHIP, [membership_desk])

    routed = route(Subject(MEMBERSHIP))
    assert routed.contacts == [membership_desk]
    assert routed.rule is membership_rule

    routed = route(Subject(SPONSORSHIP))
    assert routed.contacts == [default]
    assert routed.rule is None


def test_without_a_default_contact_the_site_s_contact_address_answers(app, make_contact):
    app.config["CONTACT_EMAIL"] = "hello@example.org"
    make_contact("retired-default@example.org", is_default=True, retired_at=RETIRED)

    routed = route(Subject(SPONSORSHIP))
    [fallback] = routed.contacts
    assert routed.rule is None
    assert fallback.email == "hello@example.org"
    assert fallback.name == app.config["SITE_NAME"]
    assert fallback.is_default
    assert fallback.id is None  # new, not saved by routing

    # A contact that already has that address is the one who answers.
    stored = make_contact("hello@example.org")
    assert route(Subject(SPONSORSHIP)).contacts == [stored]


@pytest.mark.parametrize("kind", [MEMBERSHIP, SPONSORSHIP])
def test_an_empty_database_still_routes_every_inquiry_to_someone(app, kind):
    routed = route(Subject(kind))
    assert [c.email for c in routed.contacts] == [app.config["CONTACT_EMAIL"]]
    assert routed.rule is None
