"""The privacy screen of the back office (/staff/privacy/, admins): the retention setting, a
purge now, the export of an address as a JSON download and its erasure."""

import json
from datetime import UTC, timedelta

import helpers
import pytest
import time_machine
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.core.db import utcnow
from portal.extensions import db
from portal.inquiries import privacy
from portal.inquiries.models import Inquiry, InquiryKind, InquiryStatus
from portal.inquiries.operations import Applicant
from portal.mail.models import OutboxMessage

PAGE = "/staff/privacy/"
ADA = Applicant("Ada Lovelace", "Ada@Example.org", "Analytical Engines", "Tell me about gold.")
CHARLES = Applicant("Charles Babbage", "charles@example.org", "Difference Engines", "Silver?")


@pytest.fixture
def make_inquiry(routed_gold):
    def make(applicant=ADA, status=InquiryStatus.NEW, days_ago: int = 0) -> int:
        moment = utcnow() - timedelta(days=days_ago)
        with time_machine.travel(moment.replace(tzinfo=UTC), tick=False):
            submitted = helpers.inquire(applicant, InquiryKind.MEMBERSHIP, tier=routed_gold)
            found = db.session.get(Inquiry, submitted.inquiry_id)
            found.status = status
            db.session.commit()
        return submitted.inquiry_id

    return make


def post(client, csrf, path: str, **data):
    return client.post(path, data={"csrf_token": csrf(PAGE), **data})


def held(inquiry_id: int) -> bool:
    db.session.expire_all()
    return db.session.get(Inquiry, inquiry_id).email != ""


def audit_text() -> str:
    entries = db.session.scalars(select(AuditEntry))
    return json.dumps([[e.object_label, e.before, e.after] for e in entries]).lower()


def test_editors_may_not_see_or_use_the_privacy_screen(client, csrf, editor, make_inquiry):
    number = make_inquiry()
    assert client.get(PAGE).status_code == 403
    token = csrf("/staff/")
    for path, data in [
        ("purge", {"days": "1"}),
        ("export", {"email": ADA.email}),
        ("erase", {"email": ADA.email, "confirm": "y"}),
    ]:
        response = client.post(PAGE + path, data={"csrf_token": token, **data})
        assert response.status_code == 403
    assert held(number)
    assert "Privacy" not in client.get("/staff/").get_data(as_text=True)


def test_admins_see_the_setting_and_the_three_forms(client, admin):
    page = client.get(PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "No retention period is set" in text
    for label in ("Purge now", "Export", "Erase", 'name="csrf_token"'):
        assert label in text
    assert f'href="{PAGE}"' in client.get("/staff/").get_data(as_text=True)


class TestWithRetention:
    @pytest.fixture
    def settings(self):
        return {"INQUIRY_RETENTION_DAYS": 730}

    def test_the_page_says_how_long_data_is_kept(self, client, admin):
        text = client.get(PAGE).get_data(as_text=True)
        assert "<strong>730 days</strong>" in text
        assert 'value="730"' in text  # the purge form starts from the setting


@pytest.mark.parametrize("path", ["purge", "export", "erase"])
def test_a_post_without_csrf_token_is_refused(client, admin, make_inquiry, path):
    number = make_inquiry(status=InquiryStatus.CLOSED, days_ago=400)
    data = {"days": "1", "email": ADA.email, "confirm": "y"}
    response = client.post(PAGE + path, data=data)
    assert response.status_code == 400
    assert held(number)


def test_purge_now_removes_old_finished_inquiries(client, csrf, admin, make_inquiry):
    old = make_inquiry(status=InquiryStatus.CLOSED, days_ago=400)
    recent = make_inquiry(status=InquiryStatus.CLOSED, days_ago=10)
    response = post(client, csrf, PAGE + "purge", days="365")
    assert response.status_code == 303
    assert response.headers["Location"] == PAGE
    assert "Purged: 1 inquiry, 0 notes, 2 messages." in client.get(PAGE).get_data(as_text=True)
    assert not held(old) and held(recent)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "inquiry.purge"))
    assert entry.actor_email == admin.email


@pytest.mark.parametrize("days", ["0", "", "lots", "36501"])
def test_purge_now_shows_what_is_wrong_with_the_days(client, csrf, admin, make_inquiry, days):
    number = make_inquiry(status=InquiryStatus.CLOSED, days_ago=400)
    response = post(client, csrf, PAGE + "purge", days=days)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert 'id="purge-days-error"' in text and 'aria-invalid="true"' in text
    assert held(number)


def test_export_downloads_json_and_is_audited_without_the_address(
    client, csrf, admin, make_inquiry
):
    make_inquiry()
    make_inquiry(CHARLES)
    response = post(client, csrf, PAGE + "export", email="ada@EXAMPLE.org")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    found = json.loads(response.get_data(as_text=True))
    assert [item["name"] for item in found["inquiries"]] == [ADA.name]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "inquiry.export"))
    assert entry.actor_email == admin.email and entry.after["inquiries"] == 1
    assert "ada@" not in json.dumps([entry.object_label, entry.after]).lower()


def test_export_wants_an_address(client, csrf, admin):
    response = post(client, csrf, PAGE + "export", email="  ")
    assert response.status_code == 422
    assert 'id="export-email-error"' in response.get_data(as_text=True)


def test_erase_wants_the_box_ticked(client, csrf, admin, make_inquiry):
    number = make_inquiry()
    response = post(client, csrf, PAGE + "erase", email=ADA.email)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Tick the box to confirm the erasure." in text and 'id="form-problems"' in text
    assert held(number)


def test_erase_removes_the_address_and_keeps_the_others(client, csrf, admin, make_inquiry):
    ada = make_inquiry(status=InquiryStatus.IN_PROGRESS)
    charles = make_inquiry(CHARLES)
    response = post(client, csrf, PAGE + "erase", email="ADA@example.ORG", confirm="y")
    assert response.status_code == 303
    page = client.get(PAGE).get_data(as_text=True)
    assert "Erased: 1 inquiry, 0 notes, 2 messages." in page
    assert not held(ada) and held(charles)
    references = set(db.session.scalars(select(OutboxMessage.reference)))
    assert references == {f"inquiry:{charles}"}
    assert db.session.get(Inquiry, ada).name == privacy.REMOVED_NAME
    text = audit_text()
    assert "ada@example.org" not in text and "ada lovelace" not in text
    assert "analytical" not in text

    again = post(client, csrf, PAGE + "erase", email=ADA.email, confirm="y")
    assert again.status_code == 303
    assert "Nothing was held about that address." in client.get(PAGE).get_data(as_text=True)
