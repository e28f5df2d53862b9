"""One way to write: an operation flushes, the view or command commits once, and a save that
loses a race to the database answers 409 with nothing written, on every back-office screen.

The race is real: the rules' uniqueness check is made to miss a row that is already stored,
as it would when another person saved it between our check and our write, and the database's
own constraint then refuses the second write."""

from dataclasses import replace

import pytest
from sqlalchemy import func, select
from test_staff_events import form_data

from portal.accounts import operations as account_operations
from portal.accounts.models import StaffUser
from portal.core.audit import AuditEntry
from portal.core.saving import Conflict, saving
from portal.events import operations as event_operations
from portal.events import rules
from portal.events.admin import projects as project_screens
from portal.events.models import Event, LinkKind, LinkState, Project
from portal.extensions import db
from portal.inquiries.models import InquiryKind
from portal.offer.models import SponsorshipPackage

pytestmark = pytest.mark.usefixtures("frozen_now")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_saving_turns_a_unique_violation_into_a_conflict_and_writes_nothing(app, make_project):
    make_project("openstack")
    with pytest.raises(Conflict), saving():
        db.session.add(Project(slug="zuul", name="Zuul"))
        db.session.add(Project(slug="openstack", name="Again"))
    assert count(Project) == 1  # not even the first of the two


def test_a_new_event_that_loses_the_race_for_its_address_answers_409(
    client, editor, csrf, make_event, monkeypatch
):
    make_event(slug="openinfra-days-berlin-2025")
    monkeypatch.setattr(rules, "event_errors", lambda values, event=None: {})
    before = count(Event)
    response = client.post(
        "/staff/events/new", data=form_data(csrf("/staff/events/new"))
    )  # the same slug
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "conflicting change" in page
    assert 'value="OpenInfra Days Berlin 2025"' in page  # what was typed is still there
    assert count(Event) == before


def test_a_project_that_loses_the_race_for_its_slug_answers_409(
    client, editor, csrf, make_project, monkeypatch
):
    make_project("kata")
    blind = replace(event_operations.PROJECT, errors=lambda values, row: {})
    monkeypatch.setattr(project_screens, "PROJECT", blind)
    data = {
        "name": "Kata",
        "slug": "kata",
        "position": "0",
        "csrf_token": csrf("/staff/projects/new"),
    }
    response = client.post("/staff/projects/new", data=data)
    assert response.status_code == 409
    assert "conflicting change" in response.get_data(as_text=True)
    assert count(Project) == 1


def test_an_account_that_loses_the_race_for_its_address_answers_409(
    client, admin, csrf, make_staff, monkeypatch
):
    make_staff("editor", email="grace@example.org")
    monkeypatch.setattr(account_operations, "by_email", lambda email: None)
    accounts = count(StaffUser)
    response = client.post(
        "/staff/accounts/new",
        data={
            "email": "grace@example.org",
            "name": "Grace",
            "role": "editor",
            "password": "another long password",
            "confirm": "another long password",
            "csrf_token": csrf("/staff/accounts/new"),
        },
    )
    assert response.status_code == 409
    assert "conflicting change" in response.get_data(as_text=True)
    assert count(StaffUser) == accounts


def test_a_refusal_of_the_whole_change_is_shown_above_the_form(client, editor, csrf, monkeypatch):
    monkeypatch.setattr(
        rules, "event_errors", lambda values, event=None: {"": "The catalogue is frozen today."}
    )
    response = client.post("/staff/events/new", data=form_data(csrf("/staff/events/new")))
    assert response.status_code == 422
    assert "The catalogue is frozen today." in response.get_data(as_text=True)


def test_the_error_summary_links_each_field_that_needs_a_correction(client, editor, csrf):
    data = form_data(
        csrf("/staff/events/new"), timezone="Mars/Olympus", **{"register-url": "ftp://x"}
    )
    page = client.post("/staff/events/new", data=data).get_data(as_text=True)
    assert '<a href="#timezone">Time zone</a>' in page
    assert '<a href="#register-url">Register Address</a>' in page


def test_a_package_that_opens_the_sponsor_link_leaves_an_audit_entry(
    client, editor, csrf, make_event
):
    event = make_event(links=((LinkKind.SPONSOR, LinkState.COMING_SOON, None),))
    path = f"/staff/events/{event.id}/packages/new"
    data = {"name": "Coffee", "slug": "coffee", "currency": "USD", "position": "0"}
    response = client.post(path, data={**data, "csrf_token": csrf(path)})
    assert response.status_code == 303
    db.session.expire_all()
    link = db.session.get(Event, event.id).link(LinkKind.SPONSOR)
    assert (link.state, link.url) == (LinkState.OPEN, f"/events/{event.slug}/sponsor")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "event.sponsor_link"))
    assert entry.actor_email == editor.email and entry.object_id == event.id
    assert entry.before == {"links": ["sponsor: coming_soon"]}
    assert entry.after == {"links": [f"sponsor: open /events/{event.slug}/sponsor"]}

    package = db.session.scalar(select(SponsorshipPackage))
    retire = f"/staff/packages/{package.id}/retire"
    client.post(retire, data={"csrf_token": csrf(f"/staff/events/{event.id}/packages")})
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "event.sponsor_link").order_by(AuditEntry.id)
    ).all()
    assert entries[-1].after == {"links": [f"sponsor: closed /events/{event.slug}/sponsor"]}


def test_a_submitted_inquiry_is_in_the_audit_log_without_who_sent_it(
    submit, make_tier, make_contact, make_rule
):
    gold = make_tier("gold")
    team = make_contact("members@example.org", team="Membership")
    rule = make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, [team])
    response = submit("/membership", tier="gold", name="Ada Lovelace", email="ada@example.org")
    assert response.status_code == 303
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "inquiry.submit"))
    assert entry.actor_email == "public form"
    assert entry.after["topic"] == gold.name
    assert entry.after["rule"] == rule.name
    assert entry.after["contacts"] == [team.email]
    stored = f"{entry.object_label} {entry.after}"
    assert "Ada" not in stored and "ada@example.org" not in stored
