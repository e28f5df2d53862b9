"""The outbox page: undelivered mail worst first, and Retry, which sends a failed message
again exactly once, on a real SMTP server, and never a sent one."""

import pytest
from helpers import inquire
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.extensions import db
from portal.inquiries.models import InquiryKind
from portal.inquiries.operations import Applicant
from portal.mail.models import OutboxMessage, OutboxState


@pytest.fixture
def settings(smtp_settings):
    return smtp_settings


def messages() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def inquire_while_refused(make_contact):
    """An inquiry whose mail the server refuses for good: the notification to the one contact
    who answers everything, and the acknowledgement."""
    make_contact("members@example.org", is_default=True)

    def inquire_refused(smtp_server) -> list[OutboxMessage]:
        smtp_server.answer = "550 5.1.1 No such user"
        inquire(
            Applicant("Ada", "ada@example.org", "ACME", "Tell me more, please."),
            InquiryKind.MEMBERSHIP,
        )
        smtp_server.answer = None
        failed = messages()
        assert {message.state for message in failed} == {OutboxState.FAILED}
        assert len(failed) == 2
        return failed

    return inquire_refused


def retry(client, csrf, path: str):
    return client.post(path, data={"csrf_token": csrf("/staff/outbox/")}, follow_redirects=True)


def test_failed_mail_is_listed_first_with_its_error(
    client, editor, smtp_server, inquire_while_refused
):
    failed = inquire_while_refused(smtp_server)
    page = client.get("/staff/outbox/").get_data(as_text=True)
    assert "No such user" in page and f"{len(failed)} failed" in page
    assert page.count(">Retry</button>") == len(failed)


def test_retry_sends_a_failed_message_exactly_once(
    client, csrf, editor, smtp_server, inquire_while_refused
):
    first, *_ = inquire_while_refused(smtp_server)
    response = retry(client, csrf, f"/staff/outbox/{first.id}/retry")
    assert response.status_code == 200
    assert f"Sent to {first.recipient}" in response.get_data(as_text=True)
    assert [m["Message-ID"] for m in smtp_server.messages] == [first.message_id]
    # Pressing again (a second tab, a double click) sends nothing more.
    again = retry(client, csrf, f"/staff/outbox/{first.id}/retry")
    assert "only failed messages" in again.get_data(as_text=True)
    assert len(smtp_server.messages) == 1
    assert messages()[0].state is OutboxState.SENT
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "outbox.retry"))
    assert entry.actor_email == editor.email and entry.before["state"] == "failed"


def test_retry_all_failed_sends_each_once(client, csrf, editor, smtp_server, inquire_while_refused):
    failed = inquire_while_refused(smtp_server)
    response = retry(client, csrf, "/staff/outbox/retry-failed")
    assert f"{len(failed)} messages retried: {len(failed)} sent" in response.get_data(as_text=True)
    received = [m["Message-ID"] for m in smtp_server.messages]
    assert sorted(received) == sorted(m.message_id for m in failed)
    assert {m.state for m in messages()} == {OutboxState.SENT}


def test_a_message_refused_again_stays_failed_with_the_new_answer(
    client, csrf, editor, smtp_server, inquire_while_refused
):
    first, *_ = inquire_while_refused(smtp_server)
    smtp_server.answer = "550 5.7.1 Still refused"
    response = retry(client, csrf, f"/staff/outbox/{first.id}/retry")
    assert "Still refused" in response.get_data(as_text=True)
    assert messages()[0].state is OutboxState.FAILED
    assert smtp_server.messages == []


def test_unknown_message_and_bad_filters(client, csrf, editor):
    assert retry(client, csrf, "/staff/outbox/999/retry").status_code == 404
    for query in ("show=bogus", "page=-3", "show=sent&page=99999999"):
        assert client.get(f"/staff/outbox/?{query}").status_code == 200
