"""The inbox working faster: one reference everywhere (and the search finds it), bulk actions
with CSRF and a confirmation, "Assign to me", the unassigned view for routed contacts, likely
duplicates and their merge, the CSV's helpdesk columns, and the reply templates screen."""

import csv
import io
from types import SimpleNamespace

import conftest
import pytest
from sqlalchemy import select

from portal.core.saving import saving
from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryKind, InquiryStatus, ReplyTemplate
from portal.inquiries.operations import Applicant, add_note
from portal.mail.models import OutboxMessage


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
def ask(desk):
    def submit(name="Ada Lovelace", email="ada@example.org", message="Tell me more.") -> int:
        applicant = Applicant(name, email, "Analytical Engines", message)
        return conftest.inquire(applicant, InquiryKind.MEMBERSHIP, tier=desk.gold).inquiry_id

    return submit


def status_of(number: int) -> InquiryStatus:
    db.session.expire_all()
    return db.session.get(Inquiry, number).status


def test_the_reference_is_on_every_mail_the_list_the_page_and_the_search(
    client, editor, ask, smtp_server
):
    number = ask()
    ask(name="Other Person", email="other@example.org")
    reference = f"Q-{number:06d}"
    ack = smtp_server.to("ada@example.org")[0].get_content()
    notification = smtp_server.to("members@example.org")[0].get_content()
    assert f"Your reference: {reference}" in ack
    assert f"Reference:     {reference}" in notification
    assert f"https://portal.example/staff/inquiries/{number}" in notification
    listed = client.get("/staff/inquiries/?all=1").get_data(as_text=True)
    assert f"<td>{reference}</td>" in listed
    page = client.get(f"/staff/inquiries/{number}").get_data(as_text=True)
    assert f"<title>{reference}" in page or f"{reference}: inquiry" in page
    for typed in (reference, reference.lower(), f"Q{number}", f"{number:06d}", str(number)):
        found = client.get(f"/staff/inquiries/?q={typed}").get_data(as_text=True)
        assert "Ada Lovelace" in found and "Other Person" not in found, typed


def test_bulk_actions_refuse_without_csrf_and_touch_only_the_chosen_rows(client, editor, ask):
    first, second, third = (
        ask(name="One"),
        ask(name="Two", email="b@example.org"),
        ask(name="Three", email="c@example.org"),
    )
    data = {"ids": [str(first), str(third)], "action": "spam", "confirm": "yes"}
    assert client.post("/staff/inquiries/bulk", data=data).status_code == 400
    assert status_of(first) is InquiryStatus.NEW
    token = conftest_csrf(client)
    asked = client.post("/staff/inquiries/bulk", data={**data, "confirm": "", "csrf_token": token})
    assert asked.status_code == 200
    text = asked.get_data(as_text=True)
    assert "Mark as spam: 2 inquiries?" in text and f"Q-{second:06d}" not in text
    assert status_of(first) is InquiryStatus.NEW  # asked, not done
    done = client.post("/staff/inquiries/bulk", data={**data, "csrf_token": token})
    assert done.status_code == 303
    assert [status_of(n) for n in (first, second, third)] == [
        InquiryStatus.SPAM,
        InquiryStatus.NEW,
        InquiryStatus.SPAM,
    ]


def test_bulk_assign_to_me_and_close_and_their_limits(client, editor, ask):
    first, second = ask(name="One"), ask(name="Two", email="b@example.org")
    token = conftest_csrf(client)
    post = lambda **data: client.post(  # noqa: E731
        "/staff/inquiries/bulk", data={"csrf_token": token, "confirm": "yes", **data}
    )
    assert post(ids=[str(first)], action="assign", assignee="me").status_code == 303
    db.session.expire_all()
    assert db.session.get(Inquiry, first).assignee_id == editor.id
    assert db.session.get(Inquiry, second).assignee_id is None
    assert post(ids=[str(second)], action="close").status_code == 303
    assert status_of(second) is InquiryStatus.CLOSED
    assert post(ids=[], action="close").status_code == 422
    assert post(ids=[str(n) for n in range(1, 502)], action="close").status_code == 422
    assert post(ids=["x"], action="close").status_code == 400
    assert post(ids=[str(first)], action="delete").status_code == 400
    assert post(ids=[str(first)], action="assign", assignee="999999").status_code == 422
    assert status_of(first) is InquiryStatus.NEW


def conftest_csrf(client) -> str:
    page = client.get("/staff/inquiries/?all=1").get_data(as_text=True)
    return conftest.CSRF_INPUT.search(page).group(2) or conftest.CSRF_INPUT.search(page).group(1)


def test_assign_to_me_on_the_inquirys_page(client, editor, ask):
    number = ask()
    page = client.get(f"/staff/inquiries/{number}").get_data(as_text=True)
    assert "Assign to me" in page
    token = conftest.CSRF_INPUT.search(page)
    token = next(group for group in token.groups() if group)
    answer = client.post(
        f"/staff/inquiries/{number}/assign", data={"csrf_token": token, "assignee": editor.id}
    )
    assert answer.status_code == 303
    db.session.expire_all()
    assert db.session.get(Inquiry, number).assignee_id == editor.id


def test_routed_contacts_start_from_the_unassigned_inquiries(client, make_staff, login, ask):
    ask()
    contact = make_staff("editor", email="members@example.org")
    login(contact)
    first = client.get("/staff/inquiries/")
    assert first.status_code == 302 and "assignee=none" in first.headers["Location"]
    assert client.get("/staff/inquiries/?all=1").status_code == 200
    other = make_staff("editor")
    login(other)
    assert client.get("/staff/inquiries/").status_code == 200


def test_a_repeated_inquiry_is_marked_and_merging_keeps_notes_and_mail(client, editor, ask, csrf):
    original = ask(message="First question.")
    duplicate = ask(message="Did you get my question?")
    unrelated = ask(email="someone@example.org")
    with saving():
        add_note(db.session.get(Inquiry, duplicate), "Noted on the duplicate.", editor)
    page = client.get(f"/staff/inquiries/{duplicate}").get_data(as_text=True)
    assert f'Likely duplicate of <a href="/staff/inquiries/{original}"' in page
    assert "Likely duplicate" not in client.get(f"/staff/inquiries/{unrelated}").get_data(
        as_text=True
    )
    mail_before = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.reference == f"inquiry:{duplicate}")
    )
    token = csrf(f"/staff/inquiries/{duplicate}")
    merged = client.post(f"/staff/inquiries/{duplicate}/merge", data={"csrf_token": token})
    assert merged.status_code == 303
    assert merged.headers["Location"].endswith(f"/staff/inquiries/{original}")
    assert status_of(duplicate) is InquiryStatus.CLOSED
    shown = client.get(f"/staff/inquiries/{original}").get_data(as_text=True)
    assert "Noted on the duplicate." in shown
    assert "Did you get my question?" in shown
    assert db.session.get(OutboxMessage, mail_before).reference == f"inquiry:{original}"
    assert "Merged" in shown[shown.index('id="history"') :]
    again = client.post(f"/staff/inquiries/{duplicate}/merge", data={"csrf_token": token})
    assert again.status_code == 409
    assert client.post(f"/staff/inquiries/{duplicate}/merge", data={}).status_code == 400


def test_the_csv_has_the_helpdesk_columns(client, editor, ask, csrf):
    number = ask()
    with saving():
        add_note(db.session.get(Inquiry, number), "=cmd|evil", editor)
    token = csrf(f"/staff/inquiries/{number}")
    client.post(f"/staff/inquiries/{number}/reply", data={"csrf_token": token, "reply": "Hi"})
    response = client.get("/staff/inquiries/export.csv")
    assert response.is_streamed
    [row] = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert row["reference"] == f"Q-{number:06d}"
    assert (row["tier"], row["event"], row["package"]) == ("Gold", "", "")
    assert row["notes"] == "'=cmd|evil"
    assert row["assignee"] == ""
    assert row["last_reply_utc"].startswith("20")


def test_admins_edit_reply_templates_and_editors_cannot(client, make_staff, login, csrf):
    admin = make_staff("admin")
    login(admin)
    token = csrf("/staff/inquiries/templates/")
    data = {"csrf_token": token, "kind": "membership", "name": "Welcome", "body": "Dear {name}"}
    assert client.post("/staff/inquiries/templates/", data=data).status_code == 303
    assert client.post("/staff/inquiries/templates/", data=data).status_code == 422  # same name
    bad = {**data, "name": "Other", "kind": "nonsense"}
    assert client.post("/staff/inquiries/templates/", data=bad).status_code == 422
    assert (
        client.post("/staff/inquiries/templates/", data={**data, "csrf_token": ""}).status_code
        == 400
    )
    [template] = db.session.scalars(select(ReplyTemplate))
    changed = {**data, "body": "Hello {name}"}
    assert client.post(f"/staff/inquiries/templates/{template.id}", data=changed).status_code == 303
    db.session.expire_all()
    assert db.session.get(ReplyTemplate, template.id).body == "Hello {name}"
    login(make_staff("editor"))
    assert client.get("/staff/inquiries/templates/").status_code == 403
    assert (
        client.post(
            f"/staff/inquiries/templates/{template.id}/delete", data={"csrf_token": csrf("/staff/")}
        ).status_code
        == 403
    )
    login(admin)
    gone = client.post(
        f"/staff/inquiries/templates/{template.id}/delete",
        data={"csrf_token": csrf("/staff/inquiries/templates/")},
    )
    assert gone.status_code == 303
    assert db.session.scalars(select(ReplyTemplate)).all() == []
