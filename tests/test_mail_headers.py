"""No one can add a header, or a body, to the portal's mail: not a visitor through the inquiry
forms, not staff through the names they give tiers, packages and contacts. Checked on the bytes
the outbox stores and on what a real SMTP server receives.

The attack (issue 9, finding 1): RFC 2047 encoded words that decode to CR LF. Python 3.11.7's
email package decodes them in the text it is given and writes the result raw (CVE-2024-6923)."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryKind
from portal.mail.messages import HEADERS, UnsafeMessage, build_message, mailbox, verified
from portal.mail.models import OutboxMessage

ENCODED_HTML = "=?utf-8?q?=0D=0AContent-Type:_text/html=0D=0A=0D=0A<h1>Reset_now</h1>?="
ENCODED_HEADER = "=?utf-8?b?DQpYLUluamVjdGVkOiAy?="  # "\r\nX-Injected: 2"
ENCODED_BCC = "=?utf-8?q?Eve=0D=0ABcc:_victim@example.org?="
HOSTILE = [
    ENCODED_HTML,
    ENCODED_HEADER,
    ENCODED_BCC,
    "=?UTF-8?Q?=0A?=X-Evil: 1",
    "=?iso-8859-1?b?DQpYLUV2aWw6IDE=?=",
    "Eve\r\nBcc: victim@example.org",
    "Eve\u2028X-Evil: 1",
    "Eve %0d%0aX-Evil: 1",
]


@pytest.fixture
def settings(smtp_settings):
    return smtp_settings


@pytest.fixture
def membership(make_tier, make_contact, make_rule):
    contact = make_contact("jimmy@openinfra.dev", name="Jimmy McArthur", team="Membership")
    make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, [contact])
    return make_tier("gold", name="Gold")


def header_names(raw: bytes) -> list[str]:
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    return [line.split(":", 1)[0].lower() for line in head.split("\r\n") if line[:1] not in " \t"]


def assert_only_our_headers(raw: bytes) -> None:
    names = header_names(raw)
    assert len(names) == len(set(names)) and set(names) <= HEADERS, names
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\r\nContent-Type: text/plain" in head and b"text/html" not in head
    assert b"\n" not in head.replace(b"\r\n", b"") and b"\r" not in head.replace(b"\r\n", b"")


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_visitors_name_and_organization_cannot_add_headers(
    submit, smtp_server, membership, hostile
):
    response = submit("/membership", tier="gold", name=hostile, organization=hostile)
    assert response.status_code == 303
    stored = db.session.scalars(select(OutboxMessage)).all()
    assert len(stored) == 2  # the notification and the acknowledgement
    for message in stored:
        assert_only_our_headers(message.raw)
    received = smtp_server.messages
    assert len(received) == 2
    for message in received:
        assert message.get_content_type() == "text/plain"
        assert message["Bcc"] is None and message["X-Injected"] is None
    inquiry = db.session.scalar(select(Inquiry))
    assert "\r" not in inquiry.name and "\n" not in inquiry.name


def test_what_a_visitor_typed_is_stored_as_typed(submit, membership):
    submit("/membership", tier="gold", name=ENCODED_BCC, organization=ENCODED_HEADER)
    inquiry = db.session.scalar(select(Inquiry))
    assert (inquiry.name, inquiry.organization) == (ENCODED_BCC, ENCODED_HEADER)


def test_the_reply_to_of_the_notification_reads_as_the_visitor_typed(
    submit, smtp_server, membership
):
    submit("/membership", tier="gold", name=ENCODED_BCC)
    [notification] = smtp_server.to("jimmy@openinfra.dev")
    reply_to = notification["Reply-To"].addresses[0]
    assert reply_to.addr_spec == "ada@example.org"
    assert "Bcc" in reply_to.display_name and "\n" not in reply_to.display_name


@pytest.mark.parametrize("hostile", [ENCODED_HTML, ENCODED_HEADER, ENCODED_BCC])
def test_names_staff_give_tiers_and_contacts_cannot_add_headers(
    submit, smtp_server, make_tier, make_contact, make_rule, hostile
):
    contact = make_contact("sales@example.org", name=hostile, team=hostile)
    make_rule("Membership", InquiryKind.MEMBERSHIP, [contact])
    make_tier("gold", name=hostile[:80])
    assert submit("/membership", tier="gold").status_code == 303
    for message in db.session.scalars(select(OutboxMessage)):
        assert_only_our_headers(message.raw)


def test_a_message_whose_header_breaks_its_line_never_enters_the_outbox():
    envelope = build_message(
        sender=mailbox("Portal", "no-reply@example.org"),
        to=mailbox("Ada", "ada@example.org"),
        subject="Hello",
        body="Hi",
    )
    assert verified(envelope.raw) == envelope.raw
    head, body = envelope.raw.split(b"\r\n\r\n", 1)
    for broken in (
        head.replace(b"Subject: Hello", b"Subject: Hello\r\nBcc: victim@example.org"),
        head.replace(b"Subject: Hello", b"Subject: Hello\nX-Evil: 1"),
        head.replace(b"Subject: Hello", b"Subject: Hello\r\nnot a header"),
        head + b"\r\nSubject: again",
    ):
        with pytest.raises(UnsafeMessage):
            verified(broken + b"\r\n\r\n" + body)
    with pytest.raises(UnsafeMessage):
        verified(head)  # no end to the header section
