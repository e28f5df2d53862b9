"""Nothing sits: an inquiry left new sends one reminder to its routed contacts after the
reminder hours and one escalation to the default contact after twice that, through the outbox
worker and a real SMTP server, never more; the timeline and the dashboard show it."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from conftest import inquire
from sqlalchemy import select

from portal import create_app
from portal.core.saving import saving
from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryKind, InquiryStatus
from portal.inquiries.operations import Applicant, set_status
from portal.mail.cli import HourlyJobs

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings(smtp_settings):
    return {**smtp_settings, "BASE_URL": "https://portal.example", "INQUIRY_REMINDER_HOURS": 24}


@pytest.fixture
def desk(make_tier, make_contact, make_rule):
    team = make_contact("members@example.org", name="Mia Members", team="Membership")
    boss = make_contact("boss@example.org", name="Bea Boss", team="Management", is_default=True)
    return SimpleNamespace(
        gold=make_tier("gold"),
        team=team,
        boss=boss,
        rule=make_rule("Membership inquiries", InquiryKind.MEMBERSHIP, [team]),
    )


def ask(desk, name="Ada Lovelace") -> int:
    applicant = Applicant(name, "ada@example.org", "Analytical Engines", "Tell me more.")
    return inquire(applicant, InquiryKind.MEMBERSHIP, tier=desk.gold).inquiry_id


def worker_hour(app, runner, travel, at: datetime) -> None:
    """The outbox worker's round at `at`: its hourly jobs (a fresh worker each time, so the
    jobs are due), then the delivery of what they enqueued."""
    travel(at)
    HourlyJobs().run_due(app)
    assert runner.invoke(args=["outbox", "deliver"]).exit_code == 0


def nudges(smtp_server, word: str):
    return [m for m in smtp_server.messages if m["Subject"].startswith(f"[{word}]")]


def test_a_new_inquiry_left_alone_is_reminded_once_then_escalated_once(
    app, runner, travel, smtp_server, desk, client, make_staff, login
):
    travel(T0)
    number = ask(desk)
    for hours in (1, 23, 23.9):
        worker_hour(app, runner, travel, T0 + timedelta(hours=hours))
    assert nudges(smtp_server, "Reminder") == []
    for hours in (24.1, 25, 30, 47.9):
        worker_hour(app, runner, travel, T0 + timedelta(hours=hours))
    [reminder] = nudges(smtp_server, "Reminder")
    assert reminder["To"] == "Mia Members <members@example.org>"
    assert f"Q-{number:06d}" in reminder["Subject"]
    body = reminder.get_content()
    assert f"https://portal.example/staff/inquiries/{number}" in body
    assert "more than 24 hours" in body
    assert nudges(smtp_server, "Escalation") == []
    for hours in (48.1, 49, 100, 1000):
        worker_hour(app, runner, travel, T0 + timedelta(hours=hours))
    [escalation] = nudges(smtp_server, "Escalation")
    assert escalation["To"] == "Bea Boss <boss@example.org>"
    assert "more than 48 hours" in escalation.get_content()
    assert len(nudges(smtp_server, "Reminder")) == 1
    assert login(make_staff("editor")).status_code == 303
    page = client.get(f"/staff/inquiries/{number}").get_data(as_text=True)
    history = page[page.index('id="history"') :]
    assert "Reminder sent" in history and "to members@example.org" in history
    assert "Escalated" in history and "to boss@example.org" in history
    assert "[Reminder]" in history and "[Escalation]" in history


def test_the_command_and_the_worker_send_each_nudge_once_between_them(
    app, runner, travel, smtp_server, desk
):
    travel(T0)
    ask(desk)
    travel(T0 + timedelta(hours=50))
    said = runner.invoke(args=["inquiries", "remind"])
    assert "1 reminder(s), 1 escalation(s)" in said.output
    assert "0 reminder(s), 0 escalation(s)" in runner.invoke(args=["inquiries", "remind"]).output
    worker_hour(app, runner, travel, T0 + timedelta(hours=51))
    assert len(nudges(smtp_server, "Reminder")) == 1
    assert len(nudges(smtp_server, "Escalation")) == 1


def test_an_inquiry_someone_started_on_is_never_reminded(
    app, runner, travel, smtp_server, desk, make_staff
):
    travel(T0)
    started, spam = ask(desk, "Started"), ask(desk, "Spammer")
    staff = make_staff("editor")
    with saving():
        set_status(db.session.get(Inquiry, started), InquiryStatus.IN_PROGRESS, staff)
        set_status(db.session.get(Inquiry, spam), InquiryStatus.SPAM, staff)
    worker_hour(app, runner, travel, T0 + timedelta(hours=200))
    assert nudges(smtp_server, "Reminder") == nudges(smtp_server, "Escalation") == []


def test_the_dashboard_lists_the_inquiries_waiting_longest(
    app, client, travel, desk, make_staff, login
):
    travel(T0)
    oldest = ask(desk, "Oldest Asker")
    travel(T0 + timedelta(hours=5))
    ask(desk, "Newer Asker")
    answered = ask(desk, "Answered Asker")
    admin = make_staff("admin")
    with saving():
        set_status(db.session.get(Inquiry, answered), InquiryStatus.IN_PROGRESS, admin)
    travel(T0 + timedelta(hours=30))
    assert login(admin).status_code == 303
    page = client.get("/staff/").get_data(as_text=True)
    waiting = page[page.index("Waiting longest") :]
    waiting = waiting[: waiting.index("</ol>")]
    assert waiting.index("Oldest Asker") < waiting.index("Newer Asker")
    assert f"Q-{oldest:06d}" in waiting and "30 h" in waiting
    assert "Answered Asker" not in waiting


@pytest.mark.parametrize("value", [0, -1, "soon", 10**9, True])
def test_a_reminder_setting_that_is_not_whole_hours_is_refused(value, tmp_path):
    with pytest.raises(ValueError, match="PORTAL_INQUIRY_REMINDER_HOURS"):
        create_app(
            {"INQUIRY_REMINDER_HOURS": value, "SQLALCHEMY_DATABASE_URI": "sqlite://"},
            instance_path=str(tmp_path),
        )


def test_the_inbox_ids_of_nudged_mail_are_the_inquirys(app, runner, travel, smtp_server, desk):
    from portal.mail.models import OutboxMessage

    travel(T0)
    number = ask(desk)
    worker_hour(app, runner, travel, T0 + timedelta(hours=25))
    references = set(db.session.scalars(select(OutboxMessage.reference)))
    assert references == {f"inquiry:{number}"}
