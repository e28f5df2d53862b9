"""Personal data of inquiries: the retention purge, the export and the erasure of an address,
their commands, and the outbox worker's daily purge."""

import json
import os
from datetime import UTC, datetime, timedelta

import helpers
import pytest
import time_machine
from sqlalchemy import func, select

from portal import create_app
from portal.core import signals
from portal.core.audit import AuditEntry
from portal.core.db import utcnow
from portal.core.errors import Refused
from portal.core.saving import saving
from portal.extensions import db
from portal.inquiries import privacy
from portal.inquiries.models import Inquiry, InquiryKind, InquiryNote, InquiryStatus, search_text_of
from portal.inquiries.operations import Applicant, add_note, set_status
from portal.mail.cli import DailyJobs, _one_round
from portal.mail.models import OutboxMessage, OutboxState

S = InquiryStatus
YEAR = timedelta(days=365)
ADA = Applicant("Ada Lovelace", "ada@example.org", "Analytical Engines", "Tell me about gold.")
CHARLES = Applicant("Charles Babbage", "charles@example.org", "Difference Engines", "Silver?")
NOTE = "Called Ada back about the fees"


def at(moment: datetime):
    """Run what follows at `moment` (naive UTC)."""
    return time_machine.travel(moment.replace(tzinfo=UTC), tick=False)


@pytest.fixture
def boss(make_staff):
    return make_staff("admin", email="boss@example.org")


@pytest.fixture
def long_ago() -> datetime:
    return utcnow() - timedelta(days=400)


@pytest.fixture
def make_inquiry(routed_gold, boss):
    """`make_inquiry(when, status, applicant, note=...)`: an inquiry sent at `when` and moved
    to `status` through the workflow at `when`, its mail sent (the file backend)."""

    def make(when: datetime, status: S = S.NEW, applicant: Applicant = ADA, note=None) -> int:
        with at(when):
            submitted = helpers.inquire(applicant, InquiryKind.MEMBERSHIP, tier=routed_gold)
            inquiry = db.session.get(Inquiry, submitted.inquiry_id)
            with saving():
                if note:
                    add_note(inquiry, note, boss)
                if status in (S.IN_PROGRESS, S.WON, S.LOST):
                    set_status(inquiry, S.IN_PROGRESS, boss)
                if status not in (S.NEW, S.IN_PROGRESS):
                    set_status(inquiry, status, boss)
        return inquiry.id

    return make


def inquiry(inquiry_id: int) -> Inquiry:
    return db.session.get(Inquiry, inquiry_id)


def mail_of(inquiry_id: int) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.reference == f"inquiry:{inquiry_id}")
    return list(db.session.scalars(stmt.order_by(OutboxMessage.id)))


def notes_of(inquiry_id: int) -> list[InquiryNote]:
    return list(db.session.scalars(select(InquiryNote).filter_by(inquiry_id=inquiry_id)))


def is_removed(inquiry_id: int) -> bool:
    found = inquiry(inquiry_id)
    removed = (found.name, found.email, found.organization, found.message) == (
        privacy.REMOVED_NAME, "", "", "",
    )  # fmt: skip
    # What the inbox searches goes too: the name and address can no longer be found.
    searchable = found.search_text == search_text_of(privacy.REMOVED_NAME, found.topic)
    return removed and searchable and not notes_of(inquiry_id)


def set_state(message: OutboxMessage, state: OutboxState) -> None:
    message.state = state
    message.claim_token = "claimed" if state is OutboxState.SENDING else None
    message.claimed_at = utcnow() if state is OutboxState.SENDING else None
    message.sent_at = utcnow() if state is OutboxState.SENT else None


def audit_text(*where) -> str:
    entries = db.session.scalars(select(AuditEntry).where(*where))
    return json.dumps([[e.actor_email, e.object_label, e.before, e.after] for e in entries]).lower()


def assert_nothing_of(applicant: Applicant) -> None:
    text = audit_text()
    for value in (applicant.email, applicant.name, applicant.organization, NOTE):
        assert value.lower() not in text


# --- purge ---------------------------------------------------------------------------------


def test_purge_removes_old_finished_inquiries_and_leaves_recent_and_open_ones(
    make_inquiry, long_ago, boss
):
    purged = [
        make_inquiry(long_ago, S.CLOSED, note=NOTE),
        make_inquiry(long_ago, S.WON),
        make_inquiry(long_ago, S.SPAM),
    ]
    kept = [
        make_inquiry(long_ago, S.NEW, note=NOTE),  # nobody answered it yet
        make_inquiry(long_ago, S.IN_PROGRESS),
        make_inquiry(utcnow() - timedelta(days=10), S.LOST, note=NOTE),  # over, but lately
    ]
    kept.append(make_inquiry(long_ago, S.CLOSED))
    with at(utcnow() - timedelta(days=30)), saving():  # reopened and closed again lately
        set_status(inquiry(kept[-1]), S.IN_PROGRESS, boss)
        set_status(inquiry(kept[-1]), S.CLOSED, boss)
    topics = {number: (inquiry(number).topic, inquiry(number).created_at) for number in purged}
    by_status = _counts_by_status()

    with saving():
        removed = privacy.purge(YEAR, utcnow())

    assert removed == privacy.Removed(inquiries=3, notes=1, messages=6)
    for number in purged:
        assert is_removed(number)
        assert mail_of(number) == []
        found = inquiry(number)
        assert (found.topic, found.created_at) == topics[number]
        assert found.kind is InquiryKind.MEMBERSHIP and found.tier.slug == "gold"
        assert [contact.email for contact in found.contacts] == ["members@example.org"]
    for number in kept:
        found = inquiry(number)
        assert (found.name, found.email) == (ADA.name, ADA.email)
        assert found.message == ADA.message and found.organization == ADA.organization
        assert [m.state for m in mail_of(number)] == [OutboxState.SENT] * 2
    assert [note.body for number in kept for note in notes_of(number)] == [NOTE, NOTE]
    assert _counts_by_status() == by_status  # reports still add up

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "inquiry.purge"))
    assert entry.after["inquiries"] == 3 and entry.after["messages"] == 6
    assert entry.after["older_than_days"] == 365


def _counts_by_status() -> dict:
    stmt = select(Inquiry.status, func.count()).group_by(Inquiry.status)
    return dict(db.session.execute(stmt).all())


def test_a_second_purge_counts_nothing_again_and_writes_no_entry(make_inquiry, long_ago):
    make_inquiry(long_ago, S.CLOSED)
    with saving():
        assert privacy.purge(YEAR, utcnow()).inquiries == 1
    with saving():
        assert privacy.purge(YEAR, utcnow()) == privacy.Removed()
    with saving():  # the purge changed the row: still nothing to count years later
        assert privacy.purge(YEAR, utcnow() + 2 * YEAR) == privacy.Removed()
    stmt = select(func.count()).where(AuditEntry.action == "inquiry.purge")
    assert db.session.scalar(stmt) == 1


def test_purge_leaves_mail_still_to_be_sent_and_deletes_it_once_sent(make_inquiry, long_ago):
    number = make_inquiry(long_ago, S.CLOSED)
    notification, acknowledgement = mail_of(number)
    set_state(notification, OutboxState.PENDING)
    set_state(acknowledgement, OutboxState.SENDING)
    db.session.commit()

    with saving():
        assert privacy.purge(YEAR, utcnow()) == privacy.Removed(inquiries=1, messages=0)
    assert [m.state for m in mail_of(number)] == [OutboxState.PENDING, OutboxState.SENDING]

    set_state(mail_of(number)[0], OutboxState.FAILED)
    set_state(mail_of(number)[1], OutboxState.SENT)
    db.session.commit()
    with saving():
        assert privacy.purge(YEAR, utcnow()) == privacy.Removed(messages=2)
    assert mail_of(number) == []


def test_purge_takes_the_inquiry_out_of_the_audit_log_but_keeps_who_did_what(
    make_inquiry, long_ago
):
    number = make_inquiry(long_ago, S.CLOSED, note=NOTE)
    assert ADA.name.lower() in audit_text() and NOTE.lower() in audit_text()
    with saving():
        privacy.purge(YEAR, utcnow())
    assert_nothing_of(ADA)
    actions = db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.object_type == "inquiry", AuditEntry.object_id == number)
        .order_by(AuditEntry.id)
    )
    assert list(actions) == ["inquiry.submit", "inquiry.note", "inquiry.status"]


def test_purge_refuses_less_than_a_day(app):
    with pytest.raises(Refused):
        privacy.purge(timedelta(hours=5), utcnow())


# --- export --------------------------------------------------------------------------------


def test_export_finds_an_address_in_any_case_and_is_json(make_inquiry, make_contact, long_ago):
    mixed = Applicant("Ada Lovelace", "Ada.Lovelace@Example.ORG", "AE", "Tell me about gold.")
    first = make_inquiry(long_ago, S.WON, mixed, note=NOTE)
    second = make_inquiry(utcnow(), S.NEW, mixed)
    make_inquiry(utcnow(), S.NEW, CHARLES)
    make_contact("ada.lovelace@example.org", name="Ada at the office")

    found = privacy.export("ADA.LOVELACE@example.org")

    assert json.loads(json.dumps(found)) == found
    assert [item["id"] for item in found["inquiries"]] == [first, second]
    item = found["inquiries"][0]
    assert (item["name"], item["email"], item["status"]) == (mixed.name, mixed.email, "won")
    assert item["message"] == mixed.message and item["organization"] == "AE"
    assert [note["body"] for note in item["notes"]] == [NOTE]
    assert {m["recipient"] for m in item["messages"]} == {
        "members@example.org", "Ada.Lovelace@Example.ORG",
    }  # fmt: skip
    assert all(set(m) == {"recipient", "subject", "state", "created_at", "sent_at"}
               for m in item["messages"])  # fmt: skip
    assert [contact["name"] for contact in found["staff_contacts"]] == ["Ada at the office"]
    assert "charles" not in json.dumps(found).lower()


def test_export_finds_an_address_typed_with_an_international_domain(make_inquiry):
    make_inquiry(utcnow(), S.NEW, Applicant("Ada", "ada@xn--bcher-kva.de", "AE", "Hello there"))
    assert len(privacy.export("Ada@Bücher.de")["inquiries"]) == 1


def test_export_of_an_unknown_address_is_empty(app):
    found = privacy.export("nobody@example.org")
    assert (found["inquiries"], found["staff_contacts"], found["staff_accounts"]) == ([], [], [])


# --- erase ---------------------------------------------------------------------------------


def test_erase_removes_everything_of_the_address_and_nothing_of_others(
    make_inquiry, long_ago, boss
):
    upper = Applicant("Ada Lovelace", "ADA@example.org", "Analytical Engines", "Gold, please.")
    ada = [make_inquiry(utcnow(), S.NEW, ADA, note=NOTE), make_inquiry(long_ago, S.WON, upper)]
    charles = make_inquiry(utcnow(), S.NEW, CHARLES, note="Charles wants silver")
    waiting, being_sent = mail_of(ada[0])
    set_state(waiting, OutboxState.PENDING)  # not sent yet: it must never go
    set_state(being_sent, OutboxState.SENDING)  # a deliverer holds it: left to finish
    db.session.commit()

    with saving():
        removed = privacy.erase("Ada@Example.org", actor=boss)

    assert removed == privacy.Removed(inquiries=2, notes=1, messages=3)
    assert all(is_removed(number) for number in ada)
    assert [m.state for m in mail_of(ada[0])] == [OutboxState.SENDING]
    assert mail_of(ada[1]) == []
    assert inquiry(charles).email == CHARLES.email and inquiry(charles).name == CHARLES.name
    assert [note.body for note in notes_of(charles)] == ["Charles wants silver"]
    assert len(mail_of(charles)) == 2
    assert privacy.export(ADA.email)["inquiries"] == []
    assert_nothing_of(ADA)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "inquiry.erase"))
    assert entry.actor_email == "boss@example.org" and entry.after["inquiries"] == 2


def test_erase_wants_an_address(app):
    with pytest.raises(Refused):
        privacy.erase("  ")


# --- commands ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["inquiries", "purge", "--help"], "--older-than DAYS"),
        (["privacy", "export", "--help"], "--output"),
        (["privacy", "erase", "--help"], "--yes"),
        (["privacy", "--help"], "erase"),
    ],
)
def test_the_commands_explain_themselves(runner, args, says):
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert says in result.output


@pytest.mark.parametrize("days", ["0", "36501", "soon"])
def test_purge_refuses_days_out_of_range(runner, days):
    result = runner.invoke(args=["inquiries", "purge", "--older-than", days])
    assert result.exit_code == 2


def test_purge_command_prints_what_it_removed(runner, make_inquiry, long_ago):
    number = make_inquiry(long_ago, S.LOST, note=NOTE)
    result = runner.invoke(args=["inquiries", "purge", "--older-than", "365"])
    assert result.exit_code == 0, result.output
    assert "Purged: 1 inquiry, 1 note, 2 messages." in result.output
    assert is_removed(number)


def test_export_command_prints_one_json_object_or_writes_a_file(runner, make_inquiry, tmp_path):
    make_inquiry(utcnow(), S.NEW, note=NOTE)
    result = runner.invoke(args=["privacy", "export", "ADA@EXAMPLE.ORG"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert found["inquiries"][0]["notes"][0]["body"] == NOTE

    path = tmp_path / "ada.json"
    result = runner.invoke(args=["privacy", "export", "ada@example.org", "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(path.read_text())["inquiries"][0]["email"] == ADA.email
    assert os.stat(path).st_mode & 0o077 == 0  # personal data: its owner's only
    exports = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "inquiry.export"))
    assert [entry.after["inquiries"] for entry in exports] == [1, 1]
    assert ADA.email not in audit_text(AuditEntry.action == "inquiry.export")


def test_erase_command_asks_first(runner, make_inquiry):
    number = make_inquiry(utcnow(), S.NEW)
    result = runner.invoke(args=["privacy", "erase", "ada@example.org"], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output
    assert not is_removed(number)

    result = runner.invoke(args=["privacy", "erase", "ada@example.org"], input="y\n")
    assert result.exit_code == 0, result.output
    assert "Erased: 1 inquiry, 0 notes, 2 messages." in result.output
    assert is_removed(number)

    result = runner.invoke(args=["privacy", "erase", "ada@example.org", "--yes"])
    assert result.exit_code == 0 and "Nothing held about that address." in result.output


# --- the outbox worker's daily purge -------------------------------------------------------


class TestDailyPurge:
    @pytest.fixture
    def settings(self):
        return {"INQUIRY_RETENTION_DAYS": 365}

    def test_the_worker_purges_once_a_day(self, app, make_inquiry, capsys):
        start = utcnow()
        first = make_inquiry(start - timedelta(days=400), S.CLOSED)
        daily = DailyJobs()
        with at(start):
            _one_round(app, False, daily)
        assert is_removed(first)
        assert "Retention (365 days): purged 1 inquiry" in capsys.readouterr().err

        second = make_inquiry(start - timedelta(days=400), S.CLOSED)
        with at(start + timedelta(hours=23, minutes=59)):
            _one_round(app, False, daily)
        assert not is_removed(second)  # not a day yet

        with at(start + timedelta(hours=24)):
            _one_round(app, False, daily)
        assert is_removed(second)

    def test_a_failing_job_is_tried_again_an_hour_later(self, app, capsys):
        calls = []

        def broken(_app):
            calls.append(utcnow())
            raise RuntimeError("boom")

        daily = DailyJobs()
        start = datetime(2026, 1, 1, 12, 0)
        with signals.daily_job_due.connected_to(broken, sender=app):
            for minutes in (0, 30, 59, 60, 90):
                with at(start + timedelta(minutes=minutes)):
                    _one_round(app, False, daily)
        assert calls == [start, start + timedelta(minutes=60)]
        assert "Daily job broken failed (RuntimeError: boom)" in capsys.readouterr().err


def test_without_the_setting_the_worker_does_not_purge(app):
    from portal.inquiries.cli import retention_job

    assert app.config["INQUIRY_RETENTION_DAYS"] is None
    assert retention_job not in list(signals.daily_job_due.receivers_for(app))


@pytest.mark.parametrize(
    ("value", "days"), [(None, None), ("", None), (730, 730), ("730", 730), (1, 1)]
)
def test_the_retention_setting_is_a_number_of_days(value, days):
    assert privacy.retention_days(value) == days


@pytest.mark.parametrize("value", [0, -5, 36501, "two years", True, 1.5])
def test_a_wrong_retention_setting_stops_the_app_from_starting(tmp_path, value):
    settings = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x" * 32}
    with pytest.raises(ValueError, match="PORTAL_INQUIRY_RETENTION_DAYS"):
        create_app({**settings, "INQUIRY_RETENTION_DAYS": value}, instance_path=str(tmp_path))
