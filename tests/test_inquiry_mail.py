"""What staff and submitters receive, checked as whole messages on a real SMTP server, and how
each routing rule and the default contact decide who gets the notification."""

from datetime import date
from types import SimpleNamespace

import pytest
from helpers import inquire
from sqlalchemy import select

from portal.events.models import LinkKind, LinkState
from portal.extensions import db
from portal.inquiries import routing
from portal.inquiries.models import InquiryKind
from portal.inquiries.operations import Applicant
from portal.mail.models import OutboxMessage, OutboxState

# Sponsorship is sold for events still to come (a past one sells only its next edition's).
UPCOMING = {"starts_on": date(2031, 3, 6), "ends_on": date(2031, 3, 7)}

MEMBERSHIP = "/membership"


@pytest.fixture
def settings(smtp_settings):
    return smtp_settings


def text(message) -> str:
    """The plain-text body with the wire's CR LF line ends read as LF."""
    return message.get_content().replace("\r\n", "\n")


def notification_to(smtp_server, address: str):
    [message] = smtp_server.to(address)
    return message


def sponsor_page(event) -> str:
    return f"/events/{event.slug}/sponsor"


def mailbox(contact) -> str:
    return f"{contact.name} <{contact.email}>"


@pytest.fixture
def sales(make_tier, make_event, make_package, make_contact, make_rule):
    """Membership inquiries go to the membership team and sponsorship to the events team, by
    the rules of their kinds; the summit has a rule of its own, for the summit team."""
    sales = SimpleNamespace(
        gold=make_tier("gold"),
        associate=make_tier("associate"),
        days=make_event(**UPCOMING, title="OpenInfra Days North America 2025"),
        summit=make_event(**UPCOMING, title="OpenInfra Summit Europe 2025"),
        membership=make_contact("members@example.org", name="Mia Members", team="Membership"),
        events=make_contact("events@example.org", name="Evan Events", team="Events"),
        summit_team=make_contact("summit@example.org", name="Sam Summit", team="Summit"),
    )
    sales.coffee = make_package(sales.days, "coffee", price=250_000)
    sales.headline = make_package(sales.summit, "headline", price=6_000_000, currency="EUR")
    sales.premier = make_package(sales.summit, "premier", price=4_500_000, currency="EUR")
    sales.membership_rule = make_rule(
        "Membership inquiries", InquiryKind.MEMBERSHIP, [sales.membership]
    )
    sales.sponsorship_rule = make_rule("Event sponsorship", InquiryKind.SPONSORSHIP, [sales.events])
    sales.summit_rule = make_rule(
        "Summit sponsorship", InquiryKind.SPONSORSHIP, [sales.summit_team], event=sales.summit
    )
    return sales


def test_membership_notification_has_every_field_and_replies_to_the_submitter(
    submit, smtp_server, sales
):
    submit(MEMBERSHIP, tier="gold", message="We run 40 OpenStack regions.\nTell us more.")
    message = notification_to(smtp_server, sales.membership.email)
    assert message["From"] == "OpenInfra Foundation <no-reply@openinfra.dev>"
    assert message["To"] == mailbox(sales.membership)
    assert message["Reply-To"] == "Ada Lovelace <ada@example.org>"
    assert message["Subject"] == f"[Membership inquiry] {sales.gold.name} — Analytical Engines Ltd"
    assert message["Message-ID"].endswith("@openinfra.dev>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain"
    body = text(message)
    for line in (
        "Name:          Ada Lovelace",
        "Email:         ada@example.org",
        "Organization:  Analytical Engines Ltd",
        f"Tier:          {sales.gold.name}",
        f'You get it through the routing rule "{sales.membership_rule.name}".',
        "> We run 40 OpenStack regions.\n> Tell us more.",
        f"Sent from:     http://portal.test/membership#tier-{sales.gold.slug}",
    ):
        assert line in body


def test_the_submitter_gets_an_acknowledgement_saying_who_will_answer(submit, smtp_server, sales):
    submit(MEMBERSHIP, tier="gold", name="Ada <b>Spam</b>", message="Buy pills at spam.example")
    message = notification_to(smtp_server, "ada@example.org")
    assert message["To"] == "ada@example.org"
    assert message["Reply-To"] == mailbox(sales.membership)
    assert message["Subject"] == f"We received your membership inquiry: {sales.gold.name}"
    body = text(message)
    team = sales.membership
    assert f"{team.label} will answer you by email." in body
    # Nothing the visitor typed is echoed to the address they typed.
    assert "spam" not in body.lower()


def test_each_message_has_its_own_message_id(submit, smtp_server, sales):
    submit(MEMBERSHIP)
    submit(sponsor_page(sales.days), email="grace@example.org")
    ids = [message["Message-ID"] for message in smtp_server.messages]
    assert len(ids) == 4 == len(set(ids))
    stored = db.session.scalars(select(OutboxMessage.message_id)).all()
    assert sorted(stored) == sorted(ids)


def test_north_america_sponsorship_goes_to_the_events_team(submit, smtp_server, sales):
    submit(sponsor_page(sales.days), package="coffee")
    message = notification_to(smtp_server, sales.events.email)
    topic = f"{sales.days.title}: {sales.coffee.name}"
    assert message["Subject"] == f"[Sponsorship inquiry] {topic} — Analytical Engines Ltd"
    body = text(message)
    assert f'You get it through the routing rule "{sales.sponsorship_rule.name}".' in body
    assert f"Event:         {sales.days.title}" in body
    assert f"Package:       {sales.coffee.name}" in body
    assert f"Event:         http://portal.test/events/{sales.days.slug}" in body
    assert {m["To"] for m in smtp_server.messages} == {mailbox(sales.events), "ada@example.org"}


def test_summit_sponsorship_goes_to_the_summit_team_by_its_event_rule(submit, smtp_server, sales):
    submit(sponsor_page(sales.summit), package="premier")
    message = notification_to(smtp_server, sales.summit_team.email)
    assert sales.summit_rule.name in text(message)
    assert smtp_server.to(sales.events.email) == []


def test_a_tier_rule_beats_the_kind_rule_and_may_name_several_contacts(
    submit, smtp_server, sales, make_contact, make_rule
):
    ecosystem = make_contact("ecosystem@example.org", name="Oscar Ecosystem", team="Membership")
    make_rule(
        "Associates",
        InquiryKind.MEMBERSHIP,
        [ecosystem, sales.membership],
        tier=sales.associate,
    )
    submit(MEMBERSHIP, tier="associate")
    assert notification_to(smtp_server, ecosystem.email)["Reply-To"]
    members = notification_to(smtp_server, sales.membership.email)
    assert f"Also sent to:  {ecosystem.email}" in text(members)
    ack = notification_to(smtp_server, "ada@example.org")
    # Both answer it, in the order of their names.
    assert ack["Reply-To"] == f"{mailbox(sales.membership)}, {mailbox(ecosystem)}"
    submit(MEMBERSHIP, tier="gold", email="grace@example.org")
    assert len(smtp_server.to(ecosystem.email)) == 1  # gold: the kind rule


def test_a_package_rule_beats_the_event_rule(submit, smtp_server, sales, make_rule):
    make_rule(
        "Summit headline",
        InquiryKind.SPONSORSHIP,
        [sales.membership],
        event=sales.summit,
        package=sales.headline,
    )
    submit(sponsor_page(sales.summit), package="headline")
    submit(sponsor_page(sales.summit), package="premier", email="grace@example.org")
    assert len(smtp_server.to(sales.membership.email)) == 1
    assert len(smtp_server.to(sales.summit_team.email)) == 1


def test_within_a_level_the_lowest_position_wins(make_contact, make_rule):
    contacts = [make_contact("members@example.org")]
    first = make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, contacts)
    backup = make_rule("Backup", InquiryKind.MEMBERSHIP, contacts, position=first.position - 1)
    subject = routing.Subject(InquiryKind.MEMBERSHIP)
    assert routing.route(subject).rule == backup
    backup.position = first.position + 1
    db.session.commit()
    assert routing.route(subject).rule == first


def test_without_a_matching_rule_the_default_contact_answers(
    submit, smtp_server, make_event, make_package, make_contact, make_rule
):
    event = make_event(**UPCOMING)
    make_package(event, "coffee")
    default = make_contact("info@example.org", is_default=True)
    members = make_contact("members@example.org", team="Membership")
    make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, [members])  # not sponsorship
    submit(sponsor_page(event))
    message = notification_to(smtp_server, default.email)
    assert "No routing rule matched it: you get it as the default contact." in text(message)
    assert smtp_server.to(members.email) == []


def test_with_no_default_contact_the_site_contact_is_made_responsible(
    app, smtp_server, make_tier, make_contact
):
    make_contact("members@example.org", team="Membership")
    site = make_contact(app.config["CONTACT_EMAIL"], name="Site Events", team="Events")
    applicant = Applicant("Ada", "ada@example.org", "ACME", "A message long enough.")
    submitted = inquire(applicant, InquiryKind.MEMBERSHIP, tier=make_tier("gold"))
    assert submitted.answered_by == site.label  # CONTACT_EMAIL's owner
    assert notification_to(smtp_server, site.email)


def test_hostile_fields_cannot_add_headers(submit, smtp_server, sales):
    hostile = "Eve\r\nBcc: victim@example.org\r\nX-Evil: 1"
    response = submit(
        MEMBERSHIP,
        name=hostile + " <script>alert(1)</script>",
        organization=hostile,
        message=hostile + "\r\n<script>alert(1)</script>",
    )
    assert response.status_code == 303
    for message in smtp_server.messages:
        assert message["Bcc"] is None and message["X-Evil"] is None
        for _, rcpts, _ in smtp_server.received:
            assert "victim@example.org" not in rcpts
    notification = notification_to(smtp_server, sales.membership.email)
    assert notification["Reply-To"].addresses[0].addr_spec == "ada@example.org"
    assert notification["Reply-To"].addresses[0].display_name == (
        "Eve Bcc: victim@example.org X-Evil: 1 <script>alert(1)</script>"
    )
    assert "\n" not in notification["Subject"]
    assert notification.get_content_type() == "text/plain"
    assert "<script>alert(1)</script>" in text(notification)  # plain text, inert


def test_long_names_and_subjects_are_bounded(submit, smtp_server, sales):
    submit(MEMBERSHIP, name="N" * 100, organization="O" * 200)
    notification = notification_to(smtp_server, sales.membership.email)
    assert len(notification["Subject"]) <= 150
    assert notification["Subject"].endswith("…")
    assert len(notification["Reply-To"].addresses[0].display_name) <= 100


def test_without_a_mail_server_the_post_still_succeeds_and_mail_waits(
    submit, smtp_server, client, sales
):
    smtp_server.stop()
    response = submit(MEMBERSHIP)
    assert response.status_code == 303
    states = db.session.scalars(select(OutboxMessage.state)).all()
    assert sorted(states) == [OutboxState.PENDING, OutboxState.PENDING]


def test_selling_packages_points_the_sponsor_link_at_the_portal_page(
    client, frozen_now, make_event, make_package
):
    elsewhere = "https://example.org/events/sponsorship"
    days = make_event(**UPCOMING, links=((LinkKind.SPONSOR, LinkState.OPEN, elsewhere),))
    summit = make_event(**UPCOMING, links=((LinkKind.SPONSOR, LinkState.OPEN, None),))
    for event in (days, summit):
        make_package(event, "coffee")
    html = client.get(f"/events/{days.slug}").get_data(as_text=True)
    assert f'href="{sponsor_page(days)}"' in html
    assert elsewhere not in html
    db.session.expire_all()
    assert summit.link(LinkKind.SPONSOR).url == sponsor_page(summit)
    assert f'href="{sponsor_page(summit)}"' in client.get(f"/events/{summit.slug}").get_data(
        as_text=True
    )


def test_without_a_configured_address_the_acknowledgement_carries_no_link(
    submit, smtp_server, sales
):
    """The link would come from the Host header, which whoever submits the form chooses."""
    submit(MEMBERSHIP, tier="gold")
    body = text(notification_to(smtp_server, "ada@example.org"))
    assert "http" not in body
    assert "someone entered your address in our inquiry form" in body


@pytest.mark.parametrize("settings", [{"BASE_URL": "https://events.example.org"}], indirect=False)
def test_with_a_configured_address_the_acknowledgement_links_the_form(
    app, submit, smtp_server, smtp_settings, sales
):
    app.config.update(smtp_settings)
    submit(MEMBERSHIP, tier="gold")
    body = text(notification_to(smtp_server, "ada@example.org"))
    form = f"https://events.example.org/membership#tier-{sales.gold.slug}"
    assert f"the form at {form}" in body


def test_a_message_cannot_pass_for_the_notifications_own_lines(submit, smtp_server, sales):
    """Found by the hostile suite: a message pasted unmarked could fake the mail's own fields
    and footer. It is quoted, every line, after everything the portal writes."""
    forged = "Thanks!\n\n--\nPage: https://phish.example/login\nReference:     inquiry 999"
    submit(MEMBERSHIP, tier="gold", message=forged)
    body = text(notification_to(smtp_server, "members@example.org"))
    lines = body.splitlines()
    assert "> Page: https://phish.example/login" in lines
    assert not any(
        line.startswith(("Page: https://phish", "Reference:     inquiry 999")) for line in lines
    )
    quoted_from = lines.index("> Thanks!")
    assert all(line.startswith(">") for line in lines[quoted_from : quoted_from + 5])
    assert lines[-1] == "(end of the visitor's message)"
