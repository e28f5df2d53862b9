"""What staff and submitters receive, checked as whole messages on a real SMTP server, and how
each routing rule and the default contact decide who gets the notification."""

import pytest
from conftest import inquire
from sqlalchemy import select

from portal.events.models import Event, LinkKind
from portal.extensions import db
from portal.inquiries import routing
from portal.inquiries.forms import Applicant
from portal.inquiries.models import (
    InquiryKind,
    MembershipTier,
    RoutingRule,
    SponsorshipPackage,
    StaffContact,
)
from portal.mail.models import OutboxMessage, OutboxState

pytestmark = pytest.mark.usefixtures("seeded_inquiries")

MEMBERSHIP = "/membership"
NORTH_AMERICA = "/events/openinfra-days-north-america-2025/sponsor"
SUMMIT = "/events/openinfra-summit-europe-2025/sponsor"


@pytest.fixture
def settings(smtp_settings):
    return smtp_settings


def text(message) -> str:
    """The plain-text body with the wire's CR LF line ends read as LF."""
    return message.get_content().replace("\r\n", "\n")


def notification_to(smtp_server, address: str):
    [message] = smtp_server.to(address)
    return message


def test_membership_notification_has_every_field_and_replies_to_the_submitter(submit, smtp_server):
    submit(MEMBERSHIP, tier="gold", message="We run 40 OpenStack regions.\nTell us more.")
    message = notification_to(smtp_server, "jimmy@openinfra.dev")
    assert message["From"] == "OpenInfra Foundation <no-reply@openinfra.dev>"
    assert message["To"] == "Jimmy McArthur <jimmy@openinfra.dev>"
    assert message["Reply-To"] == "Ada Lovelace <ada@example.org>"
    assert message["Subject"] == "[Membership inquiry] Gold — Analytical Engines Ltd"
    assert message["Message-ID"].endswith("@openinfra.dev>")
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "text/plain"
    body = text(message)
    for line in (
        "Name:          Ada Lovelace",
        "Email:         ada@example.org",
        "Organization:  Analytical Engines Ltd",
        "Tier:          Gold",
        'You get it through the routing rule "Membership inquiries".',
        "We run 40 OpenStack regions.\nTell us more.",
        "Page: http://portal.test/membership#tier-gold",
    ):
        assert line in body


def test_the_submitter_gets_an_acknowledgement_saying_who_will_answer(submit, smtp_server):
    submit(MEMBERSHIP, tier="gold", name="Ada <b>Spam</b>", message="Buy pills at spam.example")
    message = notification_to(smtp_server, "ada@example.org")
    assert message["To"] == "ada@example.org"
    assert message["Reply-To"] == "Jimmy McArthur <jimmy@openinfra.dev>"
    assert message["Subject"] == "We received your membership inquiry: Gold"
    body = text(message)
    assert "Jimmy McArthur (Membership) will answer you by email." in body
    # Nothing the visitor typed is echoed to the address they typed.
    assert "spam" not in body.lower()


def test_each_message_has_its_own_message_id(submit, smtp_server):
    submit(MEMBERSHIP)
    submit(NORTH_AMERICA, email="grace@example.org")
    ids = [message["Message-ID"] for message in smtp_server.messages]
    assert len(ids) == 4 == len(set(ids))
    stored = db.session.scalars(select(OutboxMessage.message_id)).all()
    assert sorted(stored) == sorted(ids)


def test_north_america_sponsorship_goes_to_the_events_team(submit, smtp_server):
    submit(NORTH_AMERICA, package="coffee")
    message = notification_to(smtp_server, "events@openinfra.dev")
    assert message["Subject"] == (
        "[Sponsorship inquiry] OpenInfra Days North America 2025: Coffee — Analytical Engines Ltd"
    )
    body = text(message)
    assert "Event:         OpenInfra Days North America 2025" in body
    assert "Package:       Coffee" in body
    assert "Event: http://portal.test/events/openinfra-days-north-america-2025" in body
    assert {m["To"] for m in smtp_server.messages} == {
        "OpenInfra Events <events@openinfra.dev>",
        "ada@example.org",
    }


def test_summit_sponsorship_goes_to_the_summit_team_by_its_event_rule(submit, smtp_server):
    submit(SUMMIT, package="premier")
    message = notification_to(smtp_server, "summit@openinfra.dev")
    assert "OpenInfra Summit Europe 2025 sponsorship" in text(message)
    assert smtp_server.to("events@openinfra.dev") == []


def add_rule(name: str, kind: InquiryKind, emails: list[str], **criteria) -> RoutingRule:
    contacts = db.session.scalars(select(StaffContact).where(StaffContact.email.in_(emails)))
    rule = RoutingRule(name=name, kind=kind, **criteria)
    rule.contacts = list(contacts)
    db.session.add(rule)
    db.session.commit()
    return rule


def test_a_tier_rule_beats_the_kind_rule_and_may_name_several_contacts(submit, smtp_server):
    associate = db.session.scalar(select(MembershipTier).where(MembershipTier.slug == "associate"))
    add_rule(
        "Associates",
        InquiryKind.MEMBERSHIP,
        ["ecosystem@openinfra.dev", "jimmy@openinfra.dev"],
        tier_id=associate.id,
    )
    submit(MEMBERSHIP, tier="associate")
    assert notification_to(smtp_server, "ecosystem@openinfra.dev")["Reply-To"]
    jimmy = notification_to(smtp_server, "jimmy@openinfra.dev")
    assert "Also sent to:  ecosystem@openinfra.dev" in text(jimmy)
    ack = notification_to(smtp_server, "ada@example.org")
    assert ack["Reply-To"] == (
        "Jimmy McArthur <jimmy@openinfra.dev>, OpenInfra Ecosystem <ecosystem@openinfra.dev>"
    )
    submit(MEMBERSHIP, tier="gold", email="grace@example.org")
    assert len(smtp_server.to("ecosystem@openinfra.dev")) == 1  # gold: the kind rule


def test_a_package_rule_beats_the_event_rule(submit, smtp_server):
    summit = db.session.scalar(select(Event).where(Event.slug == "openinfra-summit-europe-2025"))
    headline = db.session.scalar(
        select(SponsorshipPackage).where(
            SponsorshipPackage.event_id == summit.id, SponsorshipPackage.slug == "headline"
        )
    )
    add_rule(
        "Summit headline",
        InquiryKind.SPONSORSHIP,
        ["jimmy@openinfra.dev"],
        event_id=summit.id,
        package_id=headline.id,
    )
    submit(SUMMIT, package="headline")
    submit(SUMMIT, package="premier", email="grace@example.org")
    assert len(smtp_server.to("jimmy@openinfra.dev")) == 1
    assert len(smtp_server.to("summit@openinfra.dev")) == 1


def test_within_a_level_the_lowest_position_wins(app):
    rules = db.session.scalars(select(RoutingRule).where(RoutingRule.kind == "membership")).all()
    extra = add_rule("Backup", InquiryKind.MEMBERSHIP, ["info@openinfra.dev"], position=-1)
    subject = routing.Subject(InquiryKind.MEMBERSHIP)
    assert routing.route(subject).rule == extra
    extra.position = rules[0].position + 1
    db.session.commit()
    assert routing.route(subject).rule == rules[0]


def test_without_a_matching_rule_the_default_contact_answers(submit, smtp_server):
    db.session.execute(RoutingRule.__table__.delete())
    db.session.commit()
    submit(NORTH_AMERICA)
    message = notification_to(smtp_server, "info@openinfra.dev")
    assert "No routing rule matched it: you get it as the default contact." in (text(message))


def test_with_no_default_contact_the_site_contact_is_made_responsible(app, smtp_server):
    db.session.execute(RoutingRule.__table__.delete())
    db.session.execute(StaffContact.__table__.update().values(is_default=False))
    db.session.commit()
    tier = db.session.scalar(select(MembershipTier))
    applicant = Applicant("Ada", "ada@example.org", "ACME", "A message long enough.")
    submitted = inquire(applicant, InquiryKind.MEMBERSHIP, tier=tier)
    assert submitted.answered_by == "OpenInfra Events (Events)"  # CONTACT_EMAIL's owner
    assert notification_to(smtp_server, "events@openinfra.dev")


def test_hostile_fields_cannot_add_headers(submit, smtp_server):
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
    notification = notification_to(smtp_server, "jimmy@openinfra.dev")
    assert notification["Reply-To"].addresses[0].addr_spec == "ada@example.org"
    assert notification["Reply-To"].addresses[0].display_name == (
        "Eve Bcc: victim@example.org X-Evil: 1 <script>alert(1)</script>"
    )
    assert "\n" not in notification["Subject"]
    assert notification.get_content_type() == "text/plain"
    assert "<script>alert(1)</script>" in text(notification)  # plain text, inert


def test_long_names_and_subjects_are_bounded(submit, smtp_server):
    submit(MEMBERSHIP, name="N" * 100, organization="O" * 200)
    notification = notification_to(smtp_server, "jimmy@openinfra.dev")
    assert len(notification["Subject"]) <= 150
    assert notification["Subject"].endswith("…")
    assert len(notification["Reply-To"].addresses[0].display_name) <= 100


def test_without_a_mail_server_the_post_still_succeeds_and_mail_waits(submit, smtp_server, client):
    smtp_server.stop()
    response = submit(MEMBERSHIP)
    assert response.status_code == 303
    states = db.session.scalars(select(OutboxMessage.state)).all()
    assert sorted(states) == [OutboxState.PENDING, OutboxState.PENDING]


def test_the_north_america_sponsor_link_leads_to_the_portal_page(client, frozen_now):
    html = client.get("/events/openinfra-days-north-america-2025").get_data(as_text=True)
    assert f'href="{NORTH_AMERICA}"' in html
    assert "https://openinfra.dev/events/sponsorship" not in html
    summit = db.session.scalar(select(Event).where(Event.slug == "openinfra-summit-europe-2025"))
    assert summit.link(LinkKind.SPONSOR).url == SUMMIT
    assert f'href="{SUMMIT}"' in client.get("/events/openinfra-summit-europe-2025").get_data(
        as_text=True
    )


def test_without_a_configured_address_the_acknowledgement_carries_no_link(submit, smtp_server):
    """The link would come from the Host header, which whoever submits the form chooses."""
    submit(MEMBERSHIP, tier="gold")
    body = text(notification_to(smtp_server, "ada@example.org"))
    assert "http" not in body
    assert "someone entered your address in our inquiry form" in body


@pytest.mark.parametrize("settings", [{"BASE_URL": "https://events.example.org"}], indirect=False)
def test_with_a_configured_address_the_acknowledgement_links_the_form(
    app, submit, smtp_server, smtp_settings
):
    app.config.update(smtp_settings)
    submit(MEMBERSHIP, tier="gold")
    body = text(notification_to(smtp_server, "ada@example.org"))
    assert "the form at https://events.example.org/membership#tier-gold" in body
