"""Sales and routing screens: tiers, members, packages, contacts and rules; their validation,
retiring (off the public pages and out of routing), roles, and the audit log."""

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.events.models import Event
from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryKind, RoutingRule, StaffContact
from portal.offer.models import MembershipTier, SponsorshipPackage

# Sponsorship is sold for events still to come (a past one sells only its next edition's).
UPCOMING = {"starts_on": date(2031, 3, 6), "ends_on": date(2031, 3, 7)}

HOSTILE = "<script>alert(1)</script>"


def post(client, csrf, path: str, form_page: str | None = None, **data):
    return client.post(path, data={"csrf_token": csrf(form_page or path), **data})


def one(model, **where):
    db.session.expire_all()
    return db.session.scalar(select(model).filter_by(**where))


def reloaded(event: Event) -> Event:
    return one(Event, id=event.id)


def sponsor_page(event: Event) -> str:
    return f"/events/{event.slug}/sponsor"


@pytest.fixture
def north_america(make_event, make_package):
    """An event selling Coffee and Spotlight through the portal, with Headline sold out."""
    event = make_event(**UPCOMING, title="OpenInfra Days North America 2025")
    make_package(event, "coffee", price=250_000, available=2)
    make_package(event, "spotlight", price=250_000, available=5)
    make_package(event, "headline", available=0)
    return event


@pytest.fixture
def contacts(make_contact):
    """The membership, events and summit teams, and the default contact."""
    return SimpleNamespace(
        membership=make_contact("members@example.org", name="Mia Members", team="Membership"),
        events=make_contact("events@example.org", name="Evan Events", team="Events"),
        summit=make_contact("summit@example.org", name="Sam Summit", team="Summit"),
        default=make_contact(
            "info@example.org", name="Foundation", team="General inquiries", is_default=True
        ),
    )


TIER = dict(name="Bronze", slug="bronze", annual_fee="2500.50", currency="usd", position="5")


def test_an_editor_creates_a_tier_with_a_decimal_fee_in_cents(client, csrf, editor):
    response = post(client, csrf, "/staff/tiers/new", **TIER)
    assert response.status_code == 303
    tier = one(MembershipTier, slug="bronze")
    assert (tier.annual_fee, tier.currency) == (250_050, "USD")
    page = client.get(f"/staff/tiers/{tier.id}/edit").get_data(as_text=True)
    assert 'value="2500.50"' in page
    assert "Bronze" in client.get("/membership").get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("slug", "Not A Slug", "Lower-case letters"),
        ("slug", "gold", "already has this slug"),
        ("annual_fee", "-5", "in digits"),
        ("annual_fee", "1.234", "At most 2 decimals"),
        ("annual_fee", "ten", "in digits"),
        ("annual_fee", "Infinity", "in digits"),
        ("annual_fee", "sNaN", "in digits"),
        ("annual_fee", "1E+999999999", "in digits"),
        ("annual_fee", "١٢", "in digits"),
        ("annual_fee", "1_000", "in digits"),
        ("currency", "ZZZ", "ISO 4217"),
        ("name", "x" * 10_000, "Field cannot be longer"),
        ("benefits", "x" * 10_000, "Field cannot be longer"),
    ],
)
def test_bad_tier_values_come_back_beside_their_field(
    client, csrf, editor, make_tier, field, value, error
):
    make_tier("gold")  # the slug taken
    response = post(client, csrf, "/staff/tiers/new", **{**TIER, field: value})
    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert one(MembershipTier, slug="bronze") is None


def test_retiring_a_tier_takes_it_off_the_membership_page(client, csrf, editor, make_tier):
    gold, _ = make_tier("gold"), make_tier("silver")
    assert post(client, csrf, f"/staff/tiers/{gold.id}/retire", "/staff/tiers/").status_code == 303
    page = client.get("/membership").get_data(as_text=True)
    assert 'value="gold"' not in page and 'value="silver"' in page
    post(client, csrf, f"/staff/tiers/{gold.id}/restore", "/staff/tiers/")
    assert 'value="gold"' in client.get("/membership").get_data(as_text=True)


MEMBER = dict(name="Example Corp", url="https://example.com", country="de", is_listed="y")


def test_members_with_hostile_values_are_refused_or_shown_inert(client, csrf, editor, make_tier):
    gold = make_tier("gold")
    for field, value in [("url", "javascript:alert(1)"), ("logo_url", "data:text/html,x"),
                         ("country", "XX"), ("name", "")]:  # fmt: skip
        data = {**MEMBER, "tier": str(gold.id), field: value}
        response = post(client, csrf, "/staff/members/new", **data)
        assert response.status_code == 422, field
    data = {**MEMBER, "tier": str(gold.id), "description": HOSTILE, "name": HOSTILE}
    assert post(client, csrf, "/staff/members/new", **data).status_code == 303
    for path in ("/staff/members/", "/membership"):
        page = client.get(path).get_data(as_text=True)
        assert HOSTILE not in page and "&lt;script&gt;" in page


PACKAGE = dict(name="Lanyard", slug="lanyard", price="1000", member_price="800", currency="USD",
               available="3", position="9")  # fmt: skip


def test_packages_per_event_and_their_rules(client, csrf, editor, north_america):
    new = f"/staff/events/{north_america.id}/packages/new"
    for field, value in [("member_price", "1500"), ("available", "-1"), ("price", "-1"),
                         ("slug", "coffee"), ("note", "x" * 10_000)]:  # fmt: skip
        assert post(client, csrf, new, **{**PACKAGE, field: value}).status_code == 422, field
    assert (
        post(client, csrf, new, **{**PACKAGE, "price": "", "member_price": "5"}).status_code == 422
    )
    assert post(client, csrf, new, **PACKAGE).status_code == 303
    lanyard = one(SponsorshipPackage, slug="lanyard")
    assert (lanyard.price, lanyard.member_price, lanyard.event_id) == (
        100_000,
        80_000,
        north_america.id,
    )
    staff_page = client.get(f"/staff/events/{north_america.id}/packages").get_data(as_text=True)
    assert "Lanyard" in staff_page and "$1,000" in staff_page


def test_retiring_a_package_removes_it_from_the_sponsor_page_and_its_form(
    client, csrf, editor, north_america
):
    coffee = one(SponsorshipPackage, slug="coffee", event_id=north_america.id)
    page_path = sponsor_page(north_america)
    assert 'value="coffee"' in client.get(page_path).get_data(as_text=True)
    packages = f"/staff/events/{north_america.id}/packages"
    assert post(client, csrf, f"/staff/packages/{coffee.id}/retire", packages).status_code == 303
    page = client.get(page_path).get_data(as_text=True)
    assert 'value="coffee"' not in page and ">Coffee<" not in page
    assert 'value="spotlight"' in page
    # A post naming the retired package is refused; nothing is stored.
    token = csrf(page_path)
    data = {"csrf_token": token, "name": "Ada", "email": "a@example.org",
            "organization": "ACME", "package": "coffee",
            "message": "We like coffee a lot.", "consent": "y"}  # fmt: skip
    response = client.post(page_path, data=data)
    assert response.status_code == 422
    assert db.session.scalar(select(Inquiry.id)) is None


def test_editors_cannot_reach_contacts_or_rules(client, editor):
    for path in ("/staff/contacts/", "/staff/routing/", "/staff/routing/new"):
        assert client.get(path).status_code == 403


CONTACT = dict(name="Partners", email="partners@example.org", team="Partnerships")


@pytest.mark.parametrize(
    "email", ["not an address", "a@example.org\r\nBcc: victim@example.org", "x" * 300 + "@a.org"]
)
def test_contact_addresses_are_checked(client, csrf, admin, email):
    response = post(client, csrf, "/staff/contacts/new", **{**CONTACT, "email": email})
    assert response.status_code == 422
    assert one(StaffContact, name="Partners") is None


def test_the_default_contact_cannot_be_retired_or_unset_but_can_be_handed_over(
    client, csrf, admin, make_contact
):
    default = make_contact("info@example.org", team="General inquiries", is_default=True)
    contacts = "/staff/contacts/"
    post(client, csrf, f"/staff/contacts/{default.id}/retire", contacts)
    assert not one(StaffContact, id=default.id).is_retired
    edit = f"/staff/contacts/{default.id}/edit"
    data = {"name": default.name, "email": default.email, "team": default.team}
    assert post(client, csrf, edit, **data).status_code == 422  # is_default left unchecked
    assert post(client, csrf, "/staff/contacts/new", **CONTACT, is_default="y").status_code == 303
    assert one(StaffContact, is_default=True).email == "partners@example.org"
    assert post(client, csrf, f"/staff/contacts/{default.id}/retire", contacts).status_code == 303
    assert one(StaffContact, id=default.id).is_retired


def rule_data(event: Event, contact: StaffContact, **changes) -> dict:
    values = dict(name="Coffee to events", kind="sponsorship", event=str(event.id),
                  contact_ids=str(contact.id), position="0")  # fmt: skip
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def test_rules_are_validated(
    client, csrf, admin, north_america, contacts, make_event, make_package, make_tier, make_rule
):
    summit = make_event(**UPCOMING, title="OpenInfra Summit Europe 2025")
    other = make_package(summit, "premier")  # of the Summit, not of North America
    gold = make_tier("gold")
    taken = make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, [contacts.membership])
    for changes, error in [
        ({"contact_ids": None}, "at least one contact"),
        ({"package": str(other.id)}, "event this package belongs to"),
        ({"tier": str(gold.id)}, "not a tier"),
        ({"kind": "membership"}, "not an event"),
        ({"name": taken.name}, "already has this name"),
        ({"contact_ids": "99999"}, "valid choice"),
    ]:
        data = rule_data(north_america, contacts.events, **changes)
        response = post(client, csrf, "/staff/routing/new", **data)
        assert response.status_code == 422, changes
        assert error in response.get_data(as_text=True), changes


def test_retiring_a_rule_sends_the_next_inquiry_to_the_next_rule(
    client, csrf, admin, submit, contacts, make_event, make_package, make_rule
):
    summit = make_event(**UPCOMING, title="OpenInfra Summit Europe 2025")
    make_package(summit, "premier")
    kind_rule = make_rule("Event sponsorship", InquiryKind.SPONSORSHIP, [contacts.events])
    summit_rule = make_rule(
        "Summit sponsorship", InquiryKind.SPONSORSHIP, [contacts.summit], event=summit
    )
    post(client, csrf, f"/staff/routing/{summit_rule.id}/retire", "/staff/routing/")
    submit(sponsor_page(summit))
    inquiry = db.session.scalar(select(Inquiry).order_by(Inquiry.id.desc()))
    assert [c.email for c in inquiry.contacts] == [contacts.events.email]
    assert inquiry.routing_rule.name == kind_rule.name


def test_retiring_every_sponsorship_rule_leaves_the_default_contact(
    client, csrf, admin, submit, north_america, contacts, make_rule
):
    make_rule("Event sponsorship", InquiryKind.SPONSORSHIP, [contacts.events])
    make_rule("North America", InquiryKind.SPONSORSHIP, [contacts.events], event=north_america)
    for rule in db.session.scalars(select(RoutingRule).where(RoutingRule.kind == "sponsorship")):
        post(client, csrf, f"/staff/routing/{rule.id}/retire", "/staff/routing/")
    submit(sponsor_page(north_america))
    inquiry = db.session.scalar(select(Inquiry).order_by(Inquiry.id.desc()))
    assert [c.email for c in inquiry.contacts] == [contacts.default.email]
    assert inquiry.routing_rule is None


def test_a_retired_contact_stops_receiving(client, csrf, admin, submit, contacts, make_rule):
    make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, [contacts.membership])
    post(client, csrf, f"/staff/contacts/{contacts.membership.id}/retire", "/staff/contacts/")
    submit("/membership")
    inquiry = db.session.scalar(select(Inquiry).order_by(Inquiry.id.desc()))
    assert [c.email for c in inquiry.contacts] == [contacts.default.email]


def test_a_new_rule_routes_a_package_and_shows_in_the_audit_log(
    client, csrf, admin, submit, north_america, contacts, make_rule
):
    make_rule("Event sponsorship", InquiryKind.SPONSORSHIP, [contacts.events])
    coffee = one(SponsorshipPackage, slug="coffee", event_id=north_america.id)
    data = rule_data(north_america, contacts.summit, package=str(coffee.id))
    assert post(client, csrf, "/staff/routing/new", **data).status_code == 303
    submit(sponsor_page(north_america), package="coffee")
    inquiry = db.session.scalar(select(Inquiry).order_by(Inquiry.id.desc()))
    assert [c.email for c in inquiry.contacts] == [contacts.summit.email]
    audit = client.get("/staff/audit/").get_data(as_text=True)
    assert "rule.create" in audit and "Coffee to events" in audit
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert "rule.create" in actions


def test_an_accented_domain_is_stored_in_the_form_mail_servers_take(client, csrf, admin):
    data = {**CONTACT, "email": "sales@bücher.de"}
    assert post(client, csrf, "/staff/contacts/new", **data).status_code == 303
    assert one(StaffContact, name="Partners").email == "sales@xn--bcher-kva.de"


def test_a_retired_contact_cannot_become_the_default(client, csrf, admin, make_contact):
    make_contact("info@example.org", is_default=True)
    assert post(client, csrf, "/staff/contacts/new", **CONTACT).status_code == 303
    partners = one(StaffContact, name="Partners")
    post(client, csrf, f"/staff/contacts/{partners.id}/retire", "/staff/contacts/")
    edit = f"/staff/contacts/{partners.id}/edit"
    response = post(client, csrf, edit, **CONTACT, is_default="y")
    assert response.status_code == 422
    assert "restore it first" in response.get_data(as_text=True)
    assert one(StaffContact, is_default=True).email != "partners@example.org"


def test_the_default_contact_is_never_a_retired_one(make_contact):
    from portal.core.db import utcnow
    from portal.inquiries.routing import default_contact

    current = make_contact("info@example.org", is_default=True)
    current.retired_at = utcnow()  # as an older release could have left it
    db.session.commit()
    assert default_contact().id != current.id


def test_retiring_the_last_package_closes_the_sponsor_link_and_restoring_reopens_it(
    client, csrf, editor, north_america
):
    from portal.events.models import LinkKind, LinkState

    packages = f"/staff/events/{north_america.id}/packages"
    on_sale = [
        p for p in event_packages(north_america) if p.retired_at is None and not p.is_sold_out
    ]
    everything = db.session.scalars(
        select(SponsorshipPackage).where(SponsorshipPackage.event_id == north_america.id)
    ).all()
    assert reloaded(north_america).link(LinkKind.SPONSOR).state is LinkState.OPEN
    for package in everything:
        post(client, csrf, f"/staff/packages/{package.id}/retire", packages)
    assert reloaded(north_america).link(LinkKind.SPONSOR).state is LinkState.CLOSED
    assert on_sale
    post(client, csrf, f"/staff/packages/{on_sale[0].id}/restore", packages)
    assert reloaded(north_america).link(LinkKind.SPONSOR).state is LinkState.OPEN


def event_packages(event: Event) -> list[SponsorshipPackage]:
    return list(
        db.session.scalars(
            select(SponsorshipPackage).where(SponsorshipPackage.event_id == event.id)
        )
    )


def test_a_save_that_loses_a_race_to_the_database_constraint_answers_409(
    client, csrf, editor, monkeypatch
):
    """Two people saving the same slug at once: the check passes for both, the unique
    constraint stops the second; that one sees a message, not a 500."""
    from dataclasses import replace

    from portal.offer import operations
    from portal.offer.admin import tiers

    post(client, csrf, "/staff/tiers/new", **TIER)  # the first one is stored
    blind = replace(operations.TIER, errors=lambda values, row: {})
    monkeypatch.setattr(tiers, "TIER", blind)  # the second one's check misses it
    response = post(client, csrf, "/staff/tiers/new", **TIER)
    assert response.status_code == 409
    assert "conflicting change" in response.get_data(as_text=True)


def test_the_routing_rule_form_offers_only_events_still_to_come(client, admin, make_event):
    make_event(title="Over Days 2020", starts_on=date(2020, 3, 6), ends_on=date(2020, 3, 6))
    make_event(title="Coming Days 2031", **UPCOMING)
    form = client.get("/staff/routing/new").get_data(as_text=True)
    assert "Coming Days 2031" in form and "Over Days 2020" not in form


def test_a_post_that_leaves_a_price_out_keeps_it_rather_than_failing(
    client, csrf, editor, make_tier, make_event, make_package
):
    """Found by the hostile suite: an edit posted without the price field answered 500."""
    tier = make_tier("silver", annual_fee=1_500_000)
    token = csrf(f"/staff/tiers/{tier.id}/edit")
    fields = {"csrf_token": token, "name": "Silver", "slug": "silver", "currency": "USD"}
    response = client.post(f"/staff/tiers/{tier.id}/edit", data={**fields, "position": "0"})
    assert response.status_code == 303
    assert db.session.get(MembershipTier, tier.id).annual_fee == 1_500_000
    package = make_package(make_event(), "lanyard", price=250_000, member_price=200_000)
    token = csrf(f"/staff/packages/{package.id}/edit")
    fields = {"csrf_token": token, "name": "Lanyard", "slug": "lanyard", "currency": "USD"}
    response = client.post(f"/staff/packages/{package.id}/edit", data={**fields, "position": "1"})
    assert response.status_code == 303
    kept = db.session.get(SponsorshipPackage, package.id)
    assert (kept.price, kept.member_price) == (250_000, 200_000)
