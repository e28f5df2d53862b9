"""The two inquiry forms as a visitor and a bot meet them: success, refusals, CSRF, the
honeypot, hostile input and the rate limits."""

import os
import re
import uuid
from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryKind
from portal.mail.models import OutboxMessage

# Sponsorship is sold for events still to come (a past one sells only its next edition's).
UPCOMING = {"starts_on": date(2031, 3, 6), "ends_on": date(2031, 3, 7)}

EVENT = "openinfra-days-north-america-2025"
MEMBERSHIP = "/membership"
SPONSOR = f"/events/{EVENT}/sponsor"
FORMS = [MEMBERSHIP, SPONSOR]


@pytest.fixture
def on_offer(make_tier, make_event, make_package, make_contact, make_rule):
    """Both forms open: tiers on /membership, an event selling Spotlight (Headline sold out),
    and the membership and events teams answering their kinds of inquiry."""
    offer = SimpleNamespace(
        gold=make_tier("gold"),
        silver=make_tier("silver"),
        event=make_event(**UPCOMING, slug=EVENT, title="OpenInfra Days North America 2025"),
        membership=make_contact("members@example.org", name="Mia Members", team="Membership"),
        events=make_contact("events@example.org", name="Evan Events", team="Events"),
    )
    offer.headline = make_package(offer.event, "headline", available=0)
    offer.spotlight = make_package(offer.event, "spotlight", price=250_000, available=5)
    make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, [offer.membership])
    make_rule("Event sponsorship", InquiryKind.SPONSORSHIP, [offer.events])
    return offer


pytestmark = pytest.mark.usefixtures("on_offer")


def stored() -> tuple[int, int]:
    inquiries = db.session.scalar(select(func.count()).select_from(Inquiry))
    messages = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    return inquiries, messages


def error_of(html: str, field: str) -> str:
    """The error shown right under `field`, which the control names in aria-describedby."""
    control = re.search(rf'<(?:input|select|textarea)[^>]*\bname="{field}"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in control
    described = re.search(r'aria-describedby="([^"]+)"', control).group(1)
    assert f"{field}-error" in described.split()
    return re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html).group(1)


def test_membership_inquiry_is_stored_and_redirects_to_a_thank_you_naming_who_answers(
    client, submit, on_offer
):
    response = submit(MEMBERSHIP, tier="gold")
    assert response.status_code == 303
    assert response.headers["Location"] == "/membership/thanks"
    inquiry = db.session.scalar(select(Inquiry))
    assert (inquiry.kind, inquiry.tier, inquiry.email) == (
        InquiryKind.MEMBERSHIP,
        on_offer.gold,
        "ada@example.org",
    )
    team = on_offer.membership
    assert [c.email for c in inquiry.contacts] == [team.email]
    assert stored() == (1, 2)  # in the outbox once the redirect is sent
    thanks = client.get("/membership/thanks").get_data(as_text=True)
    assert f"{team.label}</strong> will answer you" in thanks


def test_sponsorship_inquiry_is_stored_and_thanks_name_the_events_team(client, submit, on_offer):
    response = submit(SPONSOR, package="spotlight")
    assert response.status_code == 303
    assert response.headers["Location"] == SPONSOR + "/thanks"
    inquiry = db.session.scalar(select(Inquiry))
    event, team = on_offer.event, on_offer.events
    assert inquiry.kind is InquiryKind.SPONSORSHIP
    assert inquiry.event == event
    assert inquiry.package == on_offer.spotlight
    assert inquiry.topic == f"{event.title}: {on_offer.spotlight.name}"
    assert [c.email for c in inquiry.contacts] == [team.email]
    thanks = client.get(SPONSOR + "/thanks").get_data(as_text=True)
    assert f"{team.label}</strong> will answer you" in thanks
    assert f"about {event.title}" in thanks
    assert f"(reference <strong>Q-{inquiry.id:06d}</strong>)" in thanks
    assert f"sent a confirmation to <strong>{inquiry.email}</strong>" in thanks


def test_a_team_already_in_the_contact_name_is_not_repeated(make_contact):
    assert make_contact("summit@example.org", name="OpenInfra Summit", team="Summit").label == (
        "OpenInfra Summit"
    )
    assert make_contact("e@example.org", name="Events", team="Summit").label == "Events (Summit)"


@pytest.mark.parametrize("path", FORMS)
def test_a_post_without_csrf_token_answers_400_and_stores_nothing(client, path):
    data = {
        "name": "Ada",
        "email": "ada@example.org",
        "organization": "X",
        "message": "Hello there, friends",
        "consent": "y",
    }
    assert client.post(path, data=data).status_code == 400
    assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 400
    assert stored() == (0, 0)


@pytest.mark.parametrize("path", FORMS)
def test_a_refused_form_comes_back_with_each_error_next_to_its_field(submit, path):
    response = submit(path, name="", email="not-an-address", message="short", consent=None)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Your inquiry was not sent. Please correct the 4 fields marked below." in html
    assert error_of(html, "name") == "Tell us your name."
    assert "@-sign" in error_of(html, "email")
    assert error_of(html, "message") == "Write between 10 and 5,000 characters."
    assert error_of(html, "consent") == "We can only answer if you agree to this."
    assert 'value="Analytical Engines Ltd"' in html  # what was right stays filled in
    assert stored() == (0, 0)


def test_an_unknown_tier_or_package_is_refused(submit):
    assert submit(MEMBERSHIP, tier="diamond").status_code == 422
    assert submit(SPONSOR, package="gold-plated").status_code == 422
    assert stored() == (0, 0)


def test_a_sold_out_package_is_refused_with_a_reason(submit):
    response = submit(SPONSOR, package="headline")
    assert response.status_code == 422
    assert "This package is sold out." in error_of(response.get_data(as_text=True), "package")
    assert stored() == (0, 0)


def test_a_tier_is_optional_and_preselected_from_the_link(client, submit):
    html = client.get("/membership?tier=silver").get_data(as_text=True)
    assert '<option selected value="silver">Silver</option>' in html  # not the first tier
    assert submit(MEMBERSHIP, tier="").status_code == 303
    assert db.session.scalar(select(Inquiry.topic)) == "Tier not chosen"


@pytest.mark.parametrize("path", FORMS)
def test_a_filled_honeypot_looks_like_success_but_stores_and_sends_nothing(
    client, submit, smtp_server, path
):
    response = submit(path, website="https://spam.example")
    assert response.status_code == 303
    assert response.headers["Location"] == path + "/thanks"
    assert "will answer you" in client.get(path + "/thanks").get_data(as_text=True)
    assert stored() == (0, 0)
    assert smtp_server.received == []


def test_the_honeypot_is_hidden_from_people(client):
    html = client.get(MEMBERSHIP).get_data(as_text=True)
    assert re.search(r'<div class="hp" aria-hidden="true">', html)
    assert re.search(r'<input autocomplete="off" id="website" name="website" tabindex="-1"', html)


HOSTILE = "<script>alert('x')</script>"


@pytest.mark.parametrize("path", FORMS)
def test_html_in_every_field_is_stored_as_text_and_rendered_inert(client, submit, path):
    response = submit(
        path,
        name=f"Eve {HOSTILE}",
        organization=f"Evil {HOSTILE} Corp",
        message=f"Hello {HOSTILE} and <b>bold</b>",
    )
    assert response.status_code == 303
    inquiry = db.session.scalar(select(Inquiry))
    assert inquiry.name == f"Eve {HOSTILE}"
    html = client.get(path + "/thanks").get_data(as_text=True)
    assert "<script>alert" not in html
    refused = submit(path, name=HOSTILE, email=HOSTILE, message=HOSTILE).get_data(as_text=True)
    assert "<script>alert" not in refused
    assert "&lt;script&gt;alert" in refused


@pytest.mark.parametrize("field", ["name", "organization"])
def test_cr_lf_in_one_line_fields_is_folded_into_spaces(submit, field):
    assert submit(MEMBERSHIP, **{field: "Eve\r\nBcc: victim@example.org"}).status_code == 303
    assert getattr(db.session.scalar(select(Inquiry)), field) == "Eve Bcc: victim@example.org"


def test_cr_lf_in_the_address_is_refused(submit):
    response = submit(MEMBERSHIP, email="eve@example.org\r\nBcc: victim@example.org")
    assert response.status_code == 422
    assert stored() == (0, 0)


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize("field", ["name", "email", "organization", "message", "tier", "package"])
def test_ten_thousand_characters_in_any_field_are_refused_clearly(submit, path, field):
    response = submit(path, **{field: "x" * 10_000})
    if (field, path) in (("tier", SPONSOR), ("package", MEMBERSHIP)):
        assert response.status_code == 303  # not a field of this form: ignored
        return
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, field)
    assert stored() == (0, 0)


def test_a_message_of_exactly_5000_characters_with_windows_newlines_is_accepted(submit):
    message = ("y" * 99 + "\r\n") * 50  # 5,050 characters sent, 5,000 once CR LF is LF
    assert submit(MEMBERSHIP, message=message).status_code == 303
    assert len(db.session.scalar(select(Inquiry.message))) == 4999  # trailing newline trimmed


def test_addresses_are_checked_for_syntax_only_and_kept_in_ascii(submit):
    assert submit(MEMBERSHIP, email="Ada@Bücher.example").status_code == 303
    assert db.session.scalar(select(Inquiry.email)) == "Ada@xn--bcher-kva.example"


class TestRateLimits:
    @pytest.fixture
    def settings(self):
        return {
            "INQUIRY_RATELIMIT_PER_EMAIL": "2 per hour",
            "INQUIRY_RATELIMIT_PER_IP": "4 per hour",
        }

    def test_one_address_may_send_a_few_inquiries_then_gets_a_readable_429(self, submit):
        assert submit(MEMBERSHIP).status_code == 303
        assert submit(SPONSOR).status_code == 303  # both forms share the budget
        response = submit(MEMBERSHIP)
        assert response.status_code == 429
        assert "several inquiries from you in a short time" in response.get_data(as_text=True)
        assert stored() == (2, 4)
        assert submit(MEMBERSHIP, email="grace@example.org").status_code == 303

    def test_one_client_may_not_rotate_addresses_for_ever(self, submit):
        for number in range(4):
            assert submit(MEMBERSHIP, email=f"user{number}@example.org").status_code == 303
        assert submit(MEMBERSHIP, email="user9@example.org").status_code == 429

    def test_reading_the_pages_is_not_limited(self, client):
        for _ in range(10):
            assert client.get(MEMBERSHIP).status_code == 200


REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL")


@pytest.mark.redis
class TestRateLimitsInRedis:
    @pytest.fixture
    def prefix(self):
        import redis

        prefix = f"portal-test-{uuid.uuid4().hex}"
        yield prefix
        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)

    @pytest.fixture
    def settings(self, prefix):
        return {
            "RATELIMIT_STORAGE_URI": REDIS_URL,
            "RATELIMIT_KEY_PREFIX": prefix,
            "INQUIRY_RATELIMIT_PER_EMAIL": "1 per hour",
        }

    def test_the_limit_is_counted_in_redis(self, submit, prefix):
        import redis

        assert submit(MEMBERSHIP).status_code == 303
        assert submit(MEMBERSHIP).status_code == 429
        keys = list(redis.Redis.from_url(REDIS_URL).scan_iter(f"*{prefix}*"))
        assert any(b"inquiry-email" in key and b"ada@example.org" in key for key in keys)


def test_public_pages_do_not_send_cookie_deletions(client):
    """Visitors of public pages are nobody to Flask-Login: no user is loaded for them, so no
    'remember me' cookie is cleared on every page."""
    client.get("/membership")  # a CSRF token now sits in the session
    for path in ("/membership", "/events", "/"):
        cookies = client.get(path).headers.getlist("Set-Cookie")
        assert not any("remember_token=;" in cookie for cookie in cookies), (path, cookies)
