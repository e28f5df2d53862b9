"""Replying from an inquiry's page: the mail reaches the submitter on a real SMTP server,
threaded to the acknowledgement, Reply-To the staff member, exactly once through an outage;
hostile text stays in the body; who may reply; templates; the history of the inquiry."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from portal.core.saving import saving
from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryKind, InquiryStatus, ReplyTemplate
from portal.mail.models import OutboxMessage, OutboxState

MEMBERSHIP = "/membership"
SENDER = "OpenInfra Foundation <no-reply@openinfra.dev>"


@pytest.fixture
def settings(smtp_settings):
    return {**smtp_settings, "BASE_URL": "https://portal.example"}


@pytest.fixture
def desk(make_tier, make_contact, make_rule):
    team = make_contact("members@example.org", name="Mia Members", team="Membership")
    return SimpleNamespace(
        gold=make_tier("gold"),
        team=team,
        rule=make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, [team]),
    )


@pytest.fixture
def inquiry(submit, desk, client):
    assert submit(MEMBERSHIP, tier="gold").status_code == 303
    return db.session.scalar(select(Inquiry))


def page_of(inquiry) -> str:
    return f"/staff/inquiries/{inquiry.id}"


def send_reply(client, csrf, inquiry, text, **extra):
    token = csrf(page_of(inquiry))
    return client.post(
        f"{page_of(inquiry)}/reply", data={"csrf_token": token, "reply": text, **extra}
    )


def acknowledgement(smtp_server):
    [message] = [m for m in smtp_server.to("ada@example.org") if "Re:" not in m["Subject"]]
    return message


def replies(smtp_server):
    return [m for m in smtp_server.to("ada@example.org") if m["Subject"].startswith("Re: ")]


def test_a_reply_reaches_the_submitter_threaded_to_the_acknowledgement(
    client, csrf, inquiry, editor, smtp_server
):
    answered = send_reply(client, csrf, inquiry, "Dear Ada,\n\nGold suits you.\n")
    assert answered.status_code == 303
    [message] = replies(smtp_server)
    ack = acknowledgement(smtp_server)
    assert message["From"] == SENDER
    assert message["To"] == "Ada Lovelace <ada@example.org>"
    assert message["Reply-To"] == f"{editor.name} <{editor.email}>"
    assert message["Subject"] == f"Re: {ack['Subject']}"
    assert message["In-Reply-To"] == ack["Message-ID"]
    assert message["References"] == ack["Message-ID"]
    assert message["Message-ID"] != ack["Message-ID"]
    assert message["Auto-Submitted"] is None  # a person wrote it
    body = message.get_content().replace("\r\n", "\n")
    assert body.startswith("Dear Ada,\n\nGold suits you.\n")
    assert "your inquiry Q-" in body
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).status is InquiryStatus.IN_PROGRESS
    shown = client.get(page_of(inquiry)).get_data(as_text=True)
    assert "Gold suits you." in shown
    assert 'class="badge mail-state mail-sent"' in shown


def test_a_second_reply_refers_to_the_acknowledgement_and_the_first_reply(
    client, csrf, inquiry, editor, smtp_server
):
    send_reply(client, csrf, inquiry, "First answer.")
    send_reply(client, csrf, inquiry, "Second answer.")
    first, second = replies(smtp_server)
    ack = acknowledgement(smtp_server)
    assert second["In-Reply-To"] == ack["Message-ID"]
    assert second["References"].split() == [ack["Message-ID"], first["Message-ID"]]


def test_a_reply_is_delivered_exactly_once_through_an_outage(
    client, csrf, inquiry, editor, smtp_server, runner
):
    smtp_server.answer = "451 4.3.0 Try again later"
    assert send_reply(client, csrf, inquiry, "Sent during an outage.").status_code == 303
    assert replies(smtp_server) == []
    shown = client.get(page_of(inquiry)).get_data(as_text=True)
    assert "mail-pending" in shown
    smtp_server.answer = None
    for _ in range(3):
        assert runner.invoke(args=["outbox", "deliver", "--all"]).exit_code == 0
    [message] = replies(smtp_server)
    assert "Sent during an outage." in message.get_content()
    db.session.expire_all()
    reply_mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.message_id == message["Message-ID"])
    )
    assert (reply_mail.state, reply_mail.tries) == (OutboxState.SENT, 2)
    # The inquiry's page and the outbox count the same attempts for it.
    inquiry_page = client.get(page_of(inquiry)).get_data(as_text=True)
    assert "sent" in inquiry_page and "2 attempts" in inquiry_page


@pytest.mark.parametrize(
    "hostile",
    [
        "Hello\r\nBcc: victim@example.net\r\n\r\nbody",
        "Hello\nBcc: victim@example.net",
        "\r\nSubject: forged\r\n",
        "=?utf-8?q?=0D=0ABcc:victim@example.net?=",
        "Hello\u2028Bcc: victim@example.net\x0bX-Evil: 1",
    ],
)
def test_hostile_text_in_a_reply_cannot_add_a_header(
    client, csrf, inquiry, editor, smtp_server, hostile
):
    assert send_reply(client, csrf, inquiry, hostile).status_code == 303
    [message] = replies(smtp_server)
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert message["Subject"].startswith("Re: We received your")
    [(_, recipients, _)] = [r for r in smtp_server.received if b"Re: " in r[2]]
    assert recipients == ["ada@example.org"]


def test_a_reply_without_csrf_or_with_bad_text_is_refused_and_sends_nothing(
    client, csrf, inquiry, editor, smtp_server
):
    path = f"{page_of(inquiry)}/reply"
    assert client.post(path, data={"reply": "No token."}).status_code == 400
    assert send_reply(client, csrf, inquiry, "   \r\n  ").status_code == 422
    assert send_reply(client, csrf, inquiry, "x" * 10_001).status_code == 422
    assert send_reply(client, csrf, inquiry, "nul\x00byte").status_code == 400
    assert client.post("/staff/inquiries/999999/reply", data={}).status_code in (400, 404)
    assert replies(smtp_server) == []
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).status is InquiryStatus.NEW


def test_only_staff_who_may_answer_can_reply(client, csrf, inquiry, make_staff, login, smtp_server):
    path = f"{page_of(inquiry)}/reply"
    anonymous = client.post(path, data={"reply": "Hi"})
    assert anonymous.status_code in (302, 303, 400)
    owner, other, admin = make_staff("editor"), make_staff("editor"), make_staff("admin")
    from portal.inquiries.operations import assign

    with saving():
        assign(db.session.get(Inquiry, inquiry.id), owner, owner)
    login(other)
    refused = send_reply(client, csrf, inquiry, "Not mine to answer.")
    assert refused.status_code == 403
    assert f"assigned to {owner.name}" in refused.get_data(as_text=True)
    login(admin)
    assert send_reply(client, csrf, inquiry, "An admin answers.").status_code == 303
    login(owner)
    assert send_reply(client, csrf, inquiry, "The owner answers.").status_code == 303
    assert [m.get_content().splitlines()[0] for m in replies(smtp_server)] == [
        "An admin answers.",
        "The owner answers.",
    ]
    assert replies(smtp_server)[0]["Reply-To"] == f"{admin.name} <{admin.email}>"


def test_a_routed_contact_may_answer_an_inquiry_assigned_to_someone_else(
    client, csrf, inquiry, make_staff, login, smtp_server
):
    owner = make_staff("editor")
    contact = make_staff("editor", email="members@example.org")
    from portal.inquiries.operations import assign

    with saving():
        assign(db.session.get(Inquiry, inquiry.id), owner, owner)
    login(contact)
    assert send_reply(client, csrf, inquiry, "As the routed contact.").status_code == 303
    assert len(replies(smtp_server)) == 1


def test_spam_cannot_be_answered(client, csrf, inquiry, editor, smtp_server):
    from portal.inquiries.operations import set_status

    with saving():
        set_status(db.session.get(Inquiry, inquiry.id), InquiryStatus.SPAM, editor)
    page = client.get(page_of(inquiry)).get_data(as_text=True)
    assert 'name="reply"' not in page
    assert send_reply(client, csrf, inquiry, "Hi spammer").status_code == 403
    assert replies(smtp_server) == []


def test_a_reply_template_is_filled_with_the_inquirys_fields(client, inquiry, editor):
    template = ReplyTemplate(
        kind=InquiryKind.MEMBERSHIP,
        name="Welcome",
        body="Dear {name}, thank you for {topic} ({reference}). {unknown} {name.__class__}\n"
        "{staff_name}",
    )
    db.session.add(template)
    db.session.commit()
    page = client.get(f"{page_of(inquiry)}?template={template.id}").get_data(as_text=True)
    assert (
        f"Dear Ada Lovelace, thank you for Gold (Q-{inquiry.id:06d}). {{unknown}} "
        "{name.__class__}\n" + editor.name
    ) in page.replace("&#34;", '"')
    other = client.get(f"{page_of(inquiry)}?template=abc")
    assert other.status_code == 200


def test_the_history_shows_every_step_who_and_when(client, csrf, inquiry, editor, smtp_server):
    detail = page_of(inquiry)
    token = csrf(detail)
    client.post(f"{detail}/assign", data={"csrf_token": token, "assignee": str(editor.id)})
    client.post(f"{detail}/notes", data={"csrf_token": token, "body": "Called them."})
    send_reply(client, csrf, inquiry, "Here is our answer.")
    page = client.get(detail).get_data(as_text=True)
    history = page[page.index('id="history"') :]
    for words in (
        "Received",
        "Routed",
        "to members@example.org, by the rule “Membership inquiries”",
        "Assigned",
        f"to {editor.email}",
        "Note added",
        "Called them.",
        "Replied",
        "Here is our answer.",
        "Status changed",
        "new → in progress",
        "the public form",
        editor.name,
    ):
        assert words in history, words
    # The notification, the acknowledgement and the reply, each with its state.
    assert history.count("<td>Mail</td>") == 3
    assert history.count('<span class="badge mail-sent">') == 3
    assert f"<title>Q-{inquiry.id:06d}" in page or f"Q-{inquiry.id:06d}: inquiry" in page


def test_a_staff_name_with_line_breaks_cannot_add_a_header_either(
    client, csrf, inquiry, make_staff, login, smtp_server
):
    user = make_staff("admin")
    user.name = "Eve\r\nBcc: victim@example.net"
    db.session.commit()
    login(user)
    assert send_reply(client, csrf, inquiry, "Hello").status_code == 303
    [message] = replies(smtp_server)
    assert message["Bcc"] is None
    assert message["Reply-To"] == f"Eve Bcc: victim@example.net <{user.email}>" or (
        message["Reply-To"].addresses[0].addr_spec == user.email
    )
    [(_, recipients, _)] = [r for r in smtp_server.received if b"Re: " in r[2]]
    assert recipients == ["ada@example.org"]
