"""Who may reach each back-office route: every /staff rule of the app's URL map, for an
anonymous visitor, an editor and an admin, read from the map so a new route cannot escape."""

import tempfile
from datetime import date

import pytest

from portal import create_app
from portal.accounts.models import StaffRole
from portal.core.db import utcnow
from portal.extensions import db
from portal.inquiries.models import (
    Inquiry,
    InquiryKind,
    ReplyTemplate,
    RoutingRule,
    StaffContact,
)
from portal.mail.models import OutboxMessage, OutboxState
from portal.offer.models import (
    Member,
    MembershipTier,
    Sponsor,
    SponsorshipBenefit,
    SponsorshipPackage,
)
from portal.publish.models import EmbedOrigin

PUBLIC = {"staff_login.login"}  # the one staff page anonymous visitors may use


def _staff_rules() -> list[tuple[str, str, str]]:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32},
        instance_path=tempfile.mkdtemp(),
    )
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/staff"):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, rule.rule))
    return sorted(found)


RULES = _staff_rules()
IDS = [f"{method} {path}" for _, method, path in RULES]


def test_the_matrix_covers_the_whole_back_office():
    endpoints = {endpoint for endpoint, _, _ in RULES}
    assert {
        "staff.home",
        "staff_events.publish",
        "staff_audit.index",
        "staff_import.apply",
    } <= endpoints
    assert {
        "staff_inquiries.detail", "staff_inquiries.export_csv", "staff_outbox.retry",
        "staff_tiers.retire", "staff_packages.new", "staff_routing.edit",
    } <= endpoints  # fmt: skip
    assert len(RULES) >= 60


def _sales_rows(event) -> dict[str, int]:
    """A tier, member, package, contact, rule, inquiry and a failed message, by route argument."""
    tier = MembershipTier(slug="gold", name="Gold")
    package = SponsorshipPackage(event=event, slug="coffee", name="Coffee")
    contact = StaffContact(name="Sales", email="sales@example.org")
    rule = RoutingRule(name="Membership", kind=InquiryKind.MEMBERSHIP, contacts=[contact])
    inquiry = Inquiry(
        kind=InquiryKind.MEMBERSHIP, name="Ada", email="ada@example.org", organization="ACME",
        message="Tell me more.", tier=tier, topic="Gold", consented_at=utcnow(),
        contacts=[contact],
    )  # fmt: skip
    member = Member(name="ACME", tier=tier)
    benefit = SponsorshipBenefit(name="Booth")
    sponsor = Sponsor(event=event, package=package, organization="ACME")
    db.session.add_all([tier, package, contact, rule, inquiry, member, benefit, sponsor])
    db.session.flush()
    message = OutboxMessage(
        message_id="<1@portal.test>", sender="portal@example.org", recipient="ada@example.org",
        subject="Hello", raw=b"Subject: Hello\r\n\r\nHi", reference=inquiry.reference,
        state=OutboxState.FAILED, attempts=1, last_error="550 no such user",
    )  # fmt: skip
    db.session.add(message)
    template = ReplyTemplate(kind=InquiryKind.MEMBERSHIP, name="Welcome", body="Dear {name}")
    origin = EmbedOrigin(origin="https://katacontainers.io", label="Kata Containers")
    db.session.add_all([template, origin])
    db.session.commit()
    return {
        "origin_id": origin.id,
        "template_id": template.id,
        "tier_id": tier.id,
        "member_id": member.id,
        "package_id": package.id,
        "contact_id": contact.id,
        "rule_id": rule.id,
        "inquiry_id": inquiry.id,
        "message_id": message.id,
        "benefit_id": benefit.id,
        "sponsor_id": sponsor.id,
    }


@pytest.fixture
def url_for_rule(app, make_event, make_project, make_staff):
    """The rule's path with real ids in it: a draft event, a project, another account, and
    a row of each kind the sales, routing, inbox and outbox screens manage."""
    event = make_event(status="draft", starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 6))
    values = {
        "event_id": event.id,
        "project_id": make_project("zuul").id,
        "user_id": make_staff("editor", email="other@example.org").id,
        **_sales_rows(event),
    }

    def build(endpoint: str) -> str:
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        return app.url_for(endpoint, **{k: values[k] for k in rule.arguments if k in values})

    return build


def _required_role(app, endpoint):
    role = getattr(app.view_functions[endpoint], "required_role", None)
    assert role is not None or endpoint in PUBLIC, f"{endpoint} has no role check"
    return role


@pytest.mark.parametrize(("endpoint", "method", "path"), RULES, ids=IDS)
def test_anonymous_visitors_are_sent_to_sign_in(
    app, client, csrf, url_for_rule, endpoint, method, path
):
    url = url_for_rule(endpoint)
    if endpoint in PUBLIC:
        return
    _required_role(app, endpoint)
    if method == "GET":
        response = client.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/staff/login?next=")
    else:
        response = client.post(url, data={"csrf_token": csrf()})
        assert response.status_code == 303
        assert response.headers["Location"] == "/staff/login"


@pytest.mark.parametrize("role", ["editor", "admin"])
@pytest.mark.parametrize(("endpoint", "method", "path"), RULES, ids=IDS)
def test_staff_reach_what_their_role_allows(
    app, client, csrf, make_staff, login, url_for_rule, endpoint, method, path, role
):
    url = url_for_rule(endpoint)
    user = make_staff(role)
    assert login(user).status_code == 303
    required = _required_role(app, endpoint)
    allowed = required is None or user.may(required)
    if method == "GET":
        response = client.get(url)
        expected = (302,) if endpoint in PUBLIC else (200,) if allowed else (403,)
        assert response.status_code in expected
    else:
        response = client.post(url, data={"csrf_token": csrf()})
        if allowed:
            assert response.status_code < 500 and response.status_code not in (401, 403)
        else:
            assert response.status_code == 403
    if required is StaffRole.ADMIN and role == "editor":
        assert "does not have access" in response.get_data(as_text=True)


POSTS = [(endpoint, path) for endpoint, method, path in RULES if method == "POST"]


@pytest.mark.parametrize(("endpoint", "path"), POSTS, ids=[path for _, path in POSTS])
def test_every_staff_form_refuses_a_post_without_csrf_token(
    client, admin, url_for_rule, endpoint, path
):
    response = client.post(url_for_rule(endpoint), data={"title": "x", "email": "x@example.org"})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path",
    [
        "/staff/events/?page=%C2%B2",
        "/staff/audit/?page=%C2%B2",
        "/staff/audit/?object_id=%C2%B2",
        "/staff/audit/?object_id=999999999999",
        "/staff/events/?page=99999999999999999999",
    ],
)
def test_odd_numbers_in_staff_lists_are_ignored(client, admin, path):
    assert client.get(path).status_code == 200
