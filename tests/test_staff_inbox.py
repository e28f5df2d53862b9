"""The inquiry inbox: filters, the inquiry's page with its mail, the status workflow,
assignment, notes, the CSV export, and the dashboard panels."""

import csv
import io
from types import SimpleNamespace

import helpers
import pytest
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryKind, InquiryStatus
from portal.inquiries.operations import Applicant
from portal.mail.models import OutboxMessage, OutboxState
from portal.offer.models import MembershipTier

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def membership(make_tier, make_contact, make_rule):
    """Membership inquiries about the Gold tier, which the membership team answers by its
    rule; the events team answers other things."""
    team = make_contact("members@example.org", name="Mia Members", team="Membership")
    return SimpleNamespace(
        gold=make_tier("gold"),
        team=team,
        rule=make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, [team]),
        events=make_contact("events@example.org", name="Evan Events", team="Events"),
    )


@pytest.fixture
def inquire(membership):
    gold = membership.gold.id  # by id: count_queries empties the session

    def submit(name="Ada Lovelace", organization="Analytical Engines", message="Tell me more.",
               email="ada@example.org") -> Inquiry:  # fmt: skip
        submitted = helpers.inquire(
            Applicant(name, email, organization, message),
            InquiryKind.MEMBERSHIP,
            tier=db.session.get(MembershipTier, gold),
        )
        return db.session.get(Inquiry, submitted.inquiry_id)

    return submit


def post(client, csrf, path: str, **data):
    return client.post(path, data={"csrf_token": csrf(path.rsplit("/", 1)[0]), **data})


def test_the_inbox_lists_newest_first_with_who_it_was_routed_to(
    client, editor, inquire, membership
):
    inquire(name="First Person")
    inquire(name="Second Person")
    page = client.get("/staff/inquiries/").get_data(as_text=True)
    assert page.index("Second Person") < page.index("First Person")
    assert membership.team.name in page and "2 inquiries" in page


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=babbage", ["Charles"]),
        ("q=ENGINES", ["Ada", "Charles"]),
        ("q=100%25", []),  # LIKE wildcards are text
        ("status=new", ["Ada", "Charles"]),
        ("status=won", []),
        ("kind=sponsorship", []),
        ("assignee=none", ["Ada", "Charles"]),
        ("status=bogus&kind=nope&event=x&contact=-1&page=zz&assignee=abc", ["Ada", "Charles"]),
        ("q=" + "x" * 5000, []),
    ],
)
def test_filters_narrow_the_list_and_bad_values_are_ignored(client, editor, inquire, query, found):
    inquire(name="Ada")
    inquire(name="Charles", email="charles@babbage.example", organization="Difference Engines")
    response = client.get(f"/staff/inquiries/?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for name in ("Ada", "Charles"):
        assert (f">{name}</a>" in page) == (name in found)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("q=jose", ["José Müller"]),  # without accents
        ("q=M%C3%9CLLER", ["José Müller"]),  # in capitals, with them
        ("q=mueller", []),
        ("q=ops.example", ["Ops_Person"]),  # a part of the address
        ("q=ops_person", ["Ops_Person"]),  # "_" is a character, not a wildcard
        ("q=ops%25", []),
        ("q=x_y", []),
        ("q=straße", ["José Müller"]),  # the message, folded: "strasse"
    ],
)
def test_the_search_folds_case_and_accents_and_reads_wildcards_as_text(
    client, editor, inquire, query, found
):
    inquire(name="José Müller", message="Near the Hauptstraße, please.", email="jm@example.org")
    inquire(name="Ops_Person", email="ops@ops.example", organization="Ops")
    page = client.get(f"/staff/inquiries/?{query}").get_data(as_text=True)
    for name in ("José Müller", "Ops_Person"):
        assert (f">{name}</a>" in page) == (name in found), (query, name)


def test_past_what_it_counts_the_list_says_more_and_the_pager_goes_on(
    client, editor, inquire, monkeypatch, count_queries
):
    from portal.core import lists
    from portal.inquiries.inbox_queries import InboxFilter

    monkeypatch.setattr(lists, "COUNT_LIMIT", 5)
    monkeypatch.setattr(InboxFilter, "per_page", 2)
    for number in range(10):
        inquire(name=f"Person {number:02}", email=f"p{number}@example.org")
    with count_queries() as counted:
        first = client.get("/staff/inquiries/").get_data(as_text=True)
    # Counted as far as two pages past this one (6 rows), never the whole table.
    assert "More than 6 inquiries" in first
    count = next(s for s in counted.statements if "count(*)" in s)
    assert "LIMIT" in count.upper()
    pages = first[first.index('aria-label="Pages"') :]
    assert ">3</a>" in pages and ">5</a>" not in pages and "…" in pages
    assert 'rel="next"' in pages
    # Further on, the bound moves with the page: page 4 counts up to 12 and so all 10.
    fourth = client.get("/staff/inquiries/?page=4").get_data(as_text=True)
    assert "10 inquiries" in fourth and "More than" not in fourth
    assert ">Person 03</a>" in fourth and ">Person 02</a>" in fourth
    assert ">5</a>" in fourth[fourth.index('aria-label="Pages"') :]


def test_a_search_counts_as_far_as_the_pager_needs_and_a_last_page_not_at_all(
    client, editor, inquire, monkeypatch, count_queries
):
    from portal.inquiries.inbox_queries import InboxFilter

    monkeypatch.setattr(InboxFilter, "per_page", 2)
    for number in range(10):
        inquire(name=f"Person {number:02}", email=f"p{number}@example.org")
    assert "10 inquiries" in client.get("/staff/inquiries/").get_data(as_text=True)
    searched = client.get("/staff/inquiries/?q=person").get_data(as_text=True)
    assert "More than 6 inquiries" in searched  # two pages past the first, no further
    monkeypatch.setattr(InboxFilter, "per_page", 50)
    with count_queries() as counted:
        page = client.get("/staff/inquiries/?q=person").get_data(as_text=True)
    assert "10 inquiries" in page
    assert not [s for s in counted.statements if "count(*) AS count_1 \nFROM (" in s]  # last page


def test_filter_by_routed_contact_and_event(client, editor, inquire, membership):
    inquire(name="Member Person")
    contacts = client.get("/staff/inquiries/").get_data(as_text=True)
    assert membership.events.name in contacts  # offered though nothing was routed to them
    page = client.get(f"/staff/inquiries/?contact={membership.events.id}").get_data(as_text=True)
    assert "Member Person" not in page
    page = client.get(f"/staff/inquiries/?contact={membership.team.id}").get_data(as_text=True)
    assert "Member Person" in page


def test_the_list_runs_the_same_statements_for_few_or_many_inquiries(
    client, editor, inquire, count_queries
):
    inquire()
    with count_queries() as few:
        assert client.get("/staff/inquiries/").status_code == 200
    for number in range(12):
        inquire(name=f"Person {number}", email=f"p{number}@example.org")
    with count_queries() as many:
        assert client.get("/staff/inquiries/").status_code == 200
    assert many.total == few.total


def test_the_inquiry_page_shows_every_field_inert_and_its_mail(client, editor, inquire, membership):
    inquiry = inquire(name=HOSTILE[:100], organization=HOSTILE, message=HOSTILE + " more text")
    page = client.get(f"/staff/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    assert membership.rule.name in page  # the rule that routed it
    assert membership.team.email in page and "ada@example.org" in page
    assert page.count("<td>sent</td>") == 2  # the notification and the acknowledgement


def test_an_unknown_inquiry_is_404(client, editor):
    assert client.get("/staff/inquiries/999").status_code == 404


def test_the_status_workflow_is_enforced(client, csrf, editor, inquire):
    inquiry = inquire()
    path = f"/staff/inquiries/{inquiry.id}"
    refused = post(client, csrf, f"{path}/status", status="won")
    assert refused.status_code == 409
    assert "cannot become won" in refused.get_data(as_text=True)
    assert post(client, csrf, f"{path}/status", status="in_progress").status_code == 303
    assert post(client, csrf, f"{path}/status", status="won").status_code == 303
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).status is InquiryStatus.WON
    assert post(client, csrf, f"{path}/status", status="nonsense").status_code == 422
    assert post(client, csrf, f"{path}/status", status="in_progress").status_code == 303


def test_assigning_to_staff_and_back_to_nobody(client, csrf, editor, make_staff, inquire):
    colleague = make_staff("editor")
    inquiry = inquire()
    path = f"/staff/inquiries/{inquiry.id}/assign"
    assert post(client, csrf, path, assignee=str(colleague.id)).status_code == 303
    page = client.get(f"/staff/inquiries/?assignee={colleague.id}").get_data(as_text=True)
    assert "Ada Lovelace" in page
    assert post(client, csrf, path, assignee="99999").status_code == 422
    assert post(client, csrf, path, assignee="").status_code == 303
    db.session.expire_all()
    assert db.session.get(Inquiry, inquiry.id).assignee is None


def test_notes_are_appended_with_author_and_refused_when_empty_or_too_long(
    client, csrf, editor, inquire
):
    inquiry = inquire()
    path = f"/staff/inquiries/{inquiry.id}/notes"
    assert post(client, csrf, path, body="Called them, " + HOSTILE).status_code == 303
    assert post(client, csrf, path, body="Second note").status_code == 303
    page = client.get(f"/staff/inquiries/{inquiry.id}").get_data(as_text=True)
    assert page.index("Called them") < page.index("Second note")
    assert editor.name in page and "<script>alert" not in page
    for body in ("", "   ", "x" * 10_000):
        response = post(client, csrf, path, body=body)
        assert response.status_code == 422
        assert 'class="error"' in response.get_data(as_text=True)
    assert len(db.session.get(Inquiry, inquiry.id).notes) == 2


def test_inbox_changes_are_in_the_audit_log(client, csrf, editor, admin, login, inquire):
    inquiry = inquire()
    assert login(editor).status_code == 303
    post(client, csrf, f"/staff/inquiries/{inquiry.id}/status", status="in_progress")
    post(client, csrf, f"/staff/inquiries/{inquiry.id}/notes", body="Looks promising")
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"inquiry.status", "inquiry.note"} <= actions
    assert login(admin).status_code == 303
    page = client.get("/staff/audit/?object_type=inquiry").get_data(as_text=True)
    assert "inquiry.status" in page and "Looks promising" in page


def test_csv_export_neutralises_formulas_and_keeps_accents(client, editor, inquire):
    inquire(name="=HYPERLINK(\"http://evil\")", organization="+cmd|' /C calc'!A0",
            message="-2+3 then @SUM(A1)", email="ada@example.org")  # fmt: skip
    inquire(name="José Müller", organization="\tTabbed", message="Ordinary message")
    response = client.get("/staff/inquiries/export.csv?kind=membership")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    by_message = {row["message"]: row for row in rows}
    hostile = by_message["'-2+3 then @SUM(A1)"]
    assert hostile["name"] == '\'=HYPERLINK("http://evil")'
    assert hostile["organization"].startswith("'+cmd")
    assert by_message["Ordinary message"]["name"] == "José Müller"
    assert by_message["Ordinary message"]["organization"] == "'\tTabbed"
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_csv_export_follows_the_filters(client, editor, inquire):
    inquire(name="Kept")
    inquire(name="Dropped", email="d@example.org", organization="Other")
    text = client.get("/staff/inquiries/export.csv?q=Kept").get_data().decode("utf-8-sig")
    assert "Kept" in text and "Dropped" not in text


def test_dashboard_shows_new_inquiries_latest_and_undelivered_mail(client, editor, inquire):
    inquire(name="Newest Person")
    message = db.session.scalars(select(OutboxMessage)).first()
    message.state, message.sent_at, message.last_error = OutboxState.FAILED, None, "550 no"
    db.session.commit()
    page = client.get("/staff/").get_data(as_text=True)
    assert "1 membership" in page and "0 sponsorship" in page
    assert "Newest Person" in page
    assert "1 failed" in page and 'href="/staff/outbox/?show=failed"' in page


def test_the_dashboard_counts_new_inquiries_as_far_as_the_lists_do(
    client, editor, inquire, monkeypatch
):
    from portal.core import lists

    monkeypatch.setattr(lists, "COUNT_LIMIT", 2)
    for number in range(3):
        inquire(name=f"Person {number}", email=f"p{number}@example.org")
    page = client.get("/staff/").get_data(as_text=True)
    assert "more than 2 membership" in page and "0 sponsorship" in page


@pytest.mark.parametrize("name", ["event", "contact", "assignee"])
def test_odd_digits_in_inbox_filters_are_ignored(client, editor, name):
    for path in (f"/staff/inquiries/?{name}=%C2%B2", f"/staff/inquiries/export.csv?{name}=%C2%B2"):
        assert client.get(path).status_code == 200


def test_a_note_of_many_lines_counts_a_line_end_as_one_character(client, csrf, editor, inquire):
    inquiry = inquire()
    path = f"/staff/inquiries/{inquiry.id}/notes"
    assert post(client, csrf, path, body="a\r\n" * 2400).status_code == 303


def test_open_sponsorship_inquiries_of_a_cancelled_event_are_flagged(
    client, editor, membership, make_event, make_package
):
    from datetime import date

    from portal.core.saving import saving
    from portal.events import operations

    event = make_event(title="Days 2031", starts_on=date(2031, 3, 6), ends_on=date(2031, 3, 6))
    package = make_package(event, "coffee", price=250_000)
    helpers.inquire(
        Applicant("Ada Lovelace", "ada@example.org", "Engines", "Coffee, please."),
        InquiryKind.SPONSORSHIP,
        event=event,
        package=package,
    )
    assert "Event cancelled" not in client.get("/staff/inquiries/").get_data(as_text=True)
    with saving():
        operations.cancel(event, None, "The venue closed.")
    listing = client.get("/staff/inquiries/").get_data(as_text=True)
    assert '<span class="badge badge-cancelled">Event cancelled</span>' in listing
    inquiry = db.session.scalar(select(Inquiry))
    page = client.get(f"/staff/inquiries/{inquiry.id}").get_data(as_text=True)
    assert "Event cancelled: The venue closed." in page
