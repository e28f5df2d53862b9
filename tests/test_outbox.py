"""The outbox: nothing lost when the mail server is down, retries with backoff, permanent
failures recorded, and each message sent once however many deliverers run."""

import re
import threading
from datetime import UTC, datetime, timedelta
from email import policy
from email.parser import BytesParser

import pytest
from helpers import inquire
from sqlalchemy import event, select, update

from portal.core import signals
from portal.core.audit import AuditEntry
from portal.core.db import utcnow
from portal.extensions import db
from portal.inquiries.models import InquiryKind
from portal.inquiries.operations import Applicant
from portal.mail import delivery
from portal.mail.delivery import CLAIM_TIMEOUT, MAX_ATTEMPTS, deliver, retry_delay
from portal.mail.health import oldest_claim_age
from portal.mail.models import OutboxMessage, OutboxState


@pytest.fixture
def settings(smtp_settings):
    # Mail waits in the outbox until a deliverer runs, as when the server is slow or down.
    return {**smtp_settings, "MAIL_DELIVER_INLINE": False}


@pytest.fixture
def contact(make_contact):
    """The one person who answers every inquiry: each makes two messages, the notification
    to them and the acknowledgement to whoever wrote."""
    return make_contact("members@example.org", name="Mia Members", is_default=True)


@pytest.fixture
def make_inquiries(contact):
    def make(count: int) -> None:
        for number in range(count):
            applicant = Applicant(
                f"Person {number}", f"person{number}@example.org", "ACME", "Tell me more, please."
            )
            inquire(applicant, InquiryKind.MEMBERSHIP)

    return make


def outbox() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def states() -> dict[str, int]:
    found: dict[str, int] = {}
    for message in outbox():
        found[message.state.value] = found.get(message.state.value, 0) + 1
    return found


def received_ids(smtp_server) -> list[str]:
    return [message["Message-ID"] for message in smtp_server.messages]


def assert_each_sent_once(smtp_server) -> None:
    stored = [message.message_id for message in outbox()]
    received = received_ids(smtp_server)
    assert len(received) == len(set(received)), "a message was sent twice"
    assert sorted(received) == sorted(stored), "a message is missing"
    assert states() == {"sent": len(stored)}


class TestServerDownThenBack:
    @pytest.fixture
    def settings(self, smtp_settings):
        return smtp_settings  # the forms try to send at once, as in production

    @pytest.mark.usefixtures("contact")
    def test_every_message_arrives_exactly_once(self, submit, smtp_server, runner):
        smtp_server.stop()
        for number in range(5):
            assert submit("/membership", email=f"p{number}@example.org").status_code == 303
        assert states() == {"pending": 10}

        result = runner.invoke(args=["outbox", "deliver"])
        assert result.exit_code == 0, result.output
        assert "sent 0" in result.output  # the forms' own attempt failed: retry in a minute
        result = runner.invoke(args=["outbox", "deliver", "--all"])
        assert result.exit_code == 0, result.output
        assert "mail server unreachable: ConnectionRefusedError" in result.output
        assert states() == {"pending": 10}

        smtp_server.start()
        result = runner.invoke(args=["outbox", "deliver"])
        assert "sent 0" in result.output  # what failed waits for its retry time
        result = runner.invoke(args=["outbox", "deliver", "--all"])
        assert result.exit_code == 0
        assert "sent 10, to retry 0, failed 0" in result.output
        result = runner.invoke(args=["outbox", "deliver", "--all"])
        assert "sent 0" in result.output
        assert_each_sent_once(smtp_server)


def test_messages_are_stored_whole_and_sent_as_stored(app, smtp_server, make_inquiries):
    make_inquiries(1)
    before = {message.message_id: message.raw for message in outbox()}
    deliver(app)
    for _, _, content in smtp_server.received:
        parsed = BytesParser(policy=policy.default).parsebytes(content)
        assert content.replace(b"\r\n", b"\n") == before[parsed["Message-ID"]].replace(
            b"\r\n", b"\n"
        )


def test_a_temporary_refusal_is_retried_with_growing_delays(
    app, smtp_server, travel, runner, make_inquiries
):
    start = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
    travel(start)
    make_inquiries(1)
    smtp_server.answer = "451 4.3.0 Try again later"
    deliver(app)
    first = outbox()[0]
    assert (first.state, first.attempts) == (OutboxState.PENDING, 1)
    assert first.last_error == "451 4.3.0 Try again later"
    assert first.next_attempt_at == utcnow() + timedelta(minutes=1)

    travel(start + timedelta(seconds=61))
    deliver(app)
    first = outbox()[0]
    assert first.attempts == 2
    assert first.next_attempt_at == utcnow() + timedelta(minutes=2)

    smtp_server.answer = None
    travel(start + timedelta(seconds=90))
    assert deliver(app).sent == 0  # not yet due
    travel(start + timedelta(minutes=4))
    report = deliver(app)
    assert report.sent == 2
    assert_each_sent_once(smtp_server)


def test_backoff_doubles_and_is_capped():
    delays = [retry_delay(attempts) for attempts in (1, 2, 3, 10, 30)]
    assert delays == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(hours=6),
        timedelta(hours=6),
    ]


def test_a_permanent_refusal_is_recorded_with_the_servers_answer(
    smtp_server, runner, make_inquiries
):
    make_inquiries(1)
    smtp_server.answer = "550 5.1.1 No such user here"
    result = runner.invoke(args=["outbox", "deliver", "--all"])
    assert result.exit_code == 0
    assert "failed 2" in result.output
    for message in outbox():
        assert message.state is OutboxState.FAILED
        assert message.last_error == "550 5.1.1 No such user here"
        assert message.attempts == 1
    smtp_server.answer = None
    runner.invoke(args=["outbox", "deliver", "--all"])
    assert smtp_server.received == []  # given up for good


def test_a_message_failing_for_days_is_given_up(app, smtp_server, make_inquiries):
    make_inquiries(1)
    db.session.execute(update(OutboxMessage).values(attempts=MAX_ATTEMPTS - 1))
    db.session.commit()
    smtp_server.answer = "421 4.7.0 Too busy"
    deliver(app, include_waiting=True)
    assert all(m.state is OutboxState.FAILED for m in outbox())
    assert outbox()[0].last_error == f"gave up after {MAX_ATTEMPTS} attempts: 421 4.7.0 Too busy"


def test_two_deliverers_at_once_send_each_message_once(app, smtp_server, make_inquiries):
    make_inquiries(30)
    smtp_server.delay = 0.005
    reports = []

    def run():
        with app.app_context():
            reports.append(deliver(app, batch=3))
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(report.sent for report in reports) == 60
    assert sum(1 for report in reports if report.sent) >= 2, reports
    assert_each_sent_once(smtp_server)


def test_a_claim_left_by_a_crashed_deliverer_is_taken_over_after_a_while(
    app, smtp_server, make_inquiries
):
    make_inquiries(1)
    crashed, recent = outbox()
    ages = ((crashed, CLAIM_TIMEOUT + timedelta(seconds=1)), (recent, CLAIM_TIMEOUT / 2))
    for message, age in ages:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(
                state=OutboxState.SENDING,
                claim_token="dead" * 8,
                claimed_at=utcnow() - age,
            )
        )
    db.session.commit()
    assert deliver(app, include_waiting=True).sent == 1
    assert received_ids(smtp_server) == [crashed.message_id]
    assert outbox()[1].state is OutboxState.SENDING


def test_the_worker_loop_delivers_until_stopped(smtp_server, runner, monkeypatch, make_inquiries):
    make_inquiries(2)

    def stop(_seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr("portal.mail.cli.time.sleep", stop)
    result = runner.invoke(args=["outbox", "deliver", "--loop"])
    assert result.exit_code == 0
    assert "Outbox: sent 4" in result.output
    assert "Outbox worker stopped." in result.output
    assert_each_sent_once(smtp_server)


class TestFileBackend:
    @pytest.fixture
    def settings(self):
        return {}  # the default: .eml files in the instance folder

    def test_each_message_is_an_eml_file_in_the_instance_folder(
        self, app, submit, contact, make_tier
    ):
        assert app.config["MAIL_BACKEND"] == "file"
        make_tier("silver")
        assert submit("/membership", tier="silver").status_code == 303
        files = sorted((app.instance_path + "/mail/" + name) for name in _eml_names(app))
        assert len(files) == 2
        recipients = set()
        for path in files:
            with open(path, "rb") as handle:
                recipients.add(BytesParser(policy=policy.default).parse(handle)["To"])
        assert recipients == {f"{contact.name} <{contact.email}>", "ada@example.org"}
        assert states() == {"sent": 2}


def _eml_names(app) -> list[str]:
    import os

    return [name for name in os.listdir(app.instance_path + "/mail") if name.endswith(".eml")]


class TestConsoleBackend:
    @pytest.fixture
    def settings(self):
        return {"MAIL_BACKEND": "console"}

    def test_messages_are_printed(self, submit, capsys, contact):
        submit("/membership")
        printed = capsys.readouterr().out
        assert f"----- mail from no-reply@openinfra.dev to {contact.email}" in printed
        assert "Subject: [Membership inquiry] Tier not chosen" in printed
        assert states() == {"sent": 2}


def test_a_deliverer_whose_claim_was_taken_over_does_not_send(app, smtp_server, make_inquiries):
    """A slow server can make a live claim look stale; the first deliverer renews its claim
    before each message and skips what another one took meanwhile."""
    from portal.mail.backends import open_backend
    from portal.mail.delivery import DeliveryReport, _send_one, claim

    make_inquiries(1)
    slow = claim(10, run_started=utcnow() - timedelta(seconds=1), include_waiting=True)
    assert len(slow.messages) == 2
    # The claim ages past CLAIM_TIMEOUT and a second deliverer takes it over and sends.
    stale = utcnow() - CLAIM_TIMEOUT - timedelta(seconds=1)
    db.session.execute(update(OutboxMessage).values(claimed_at=stale))
    db.session.commit()
    assert deliver(app, include_waiting=True).sent == 2
    backend = open_backend(app, None)
    report = DeliveryReport()
    for message in slow.messages:
        _send_one(backend, message, slow.token, report)
    backend.close()
    assert report.sent == 0
    assert_each_sent_once(smtp_server)


def test_the_inline_attempt_stops_at_its_deadline(app, smtp_server, make_inquiries):
    import time

    make_inquiries(1)
    report = deliver(app, deadline=time.monotonic() - 1)
    assert report.sent == 0 and report.postponed == 2
    assert states() == {"pending": 2}
    assert smtp_server.messages == []


def test_an_address_smtplib_cannot_write_fails_for_good_and_the_rest_is_sent(
    app, smtp_server, make_inquiries
):
    make_inquiries(1)
    first = outbox()[0]
    db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id == first.id).values(recipient="jörg@bücher.de")
    )
    db.session.commit()
    report = deliver(app)
    assert (report.sent, report.failed) == (1, 1)
    failed = outbox()[0]
    assert failed.state is OutboxState.FAILED and failed.last_error.startswith("unsendable")


# --- claims: short, renewed while a live deliverer sends --------------------------------------


def test_a_claim_times_out_after_a_minute():
    assert CLAIM_TIMEOUT.total_seconds() == 60


@pytest.fixture
def short_claims(monkeypatch):
    """Claims that time out in 0.6 s (renewed every 0.2 s), so a test can outlast one."""
    monkeypatch.setattr(delivery, "CLAIM_TIMEOUT", timedelta(seconds=0.6))
    return delivery.CLAIM_TIMEOUT


def deliver_in_a_thread(app, **options):
    reports = []

    def run():
        with app.app_context():
            reports.append(deliver(app, **options))
            db.session.remove()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, reports


def wait_for(condition, seconds: float = 10) -> None:
    import time

    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.02)


def test_a_live_deliverer_keeps_its_claim_through_a_send_longer_than_the_timeout(
    app, smtp_server, make_inquiries, short_claims
):
    import time

    make_inquiries(1)
    smtp_server.delay = 1.5  # each message: well past the claim's timeout
    first, reports = deliver_in_a_thread(app)
    wait_for(lambda: states().get("sending") == 2)
    time.sleep(short_claims.total_seconds() * 1.5)  # the first message is on the wire
    assert deliver(app, include_waiting=True).sent == 0  # nothing looks abandoned
    age = oldest_claim_age()
    assert age is not None and age < short_claims
    first.join(timeout=30)
    assert reports[0].sent == 2
    assert_each_sent_once(smtp_server)
    assert oldest_claim_age() is None


def test_a_dead_deliverers_batch_is_taken_over_once_its_claim_times_out(
    app, smtp_server, make_inquiries, short_claims
):
    """A deliverer killed mid-batch renews nothing: its claim ages and the next one sends."""
    import time

    make_inquiries(2)
    dead = delivery.claim(10, run_started=utcnow(), include_waiting=True)
    assert len(dead.messages) == 4
    assert deliver(app, include_waiting=True).sent == 0  # still fresh
    time.sleep(short_claims.total_seconds() + 0.1)
    assert oldest_claim_age() > short_claims
    assert deliver(app, include_waiting=True).sent == 4
    assert_each_sent_once(smtp_server)


def test_the_oldest_claim_age_is_that_of_the_least_recently_renewed(app, make_inquiries):
    assert oldest_claim_age() is None
    make_inquiries(2)
    now = utcnow()
    for message, seconds in zip(outbox(), (5, 95, 30), strict=False):
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message.id)
            .values(
                state=OutboxState.SENDING,
                claim_token=f"{seconds:032d}",
                claimed_at=now - timedelta(seconds=seconds),
            )
        )
    db.session.commit()
    assert oldest_claim_age(now) == timedelta(seconds=95)


# --- how long sent mail stays -------------------------------------------------------------


def age_sent_mail(days_ago: dict[int, float]) -> None:
    """Give the messages (by position in the outbox) a sent_at so many days ago."""
    messages = outbox()
    for position, days in days_ago.items():
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == messages[position].id)
            .values(sent_at=utcnow() - timedelta(days=days))
        )
    db.session.commit()


def test_sent_mail_is_kept_90_days_by_default_and_the_worker_purges_it(
    app, smtp_server, make_inquiries, capsys
):
    from portal.mail.cli import DailyJobs, _one_round
    from portal.mail.retention import retention_job

    assert app.config["OUTBOX_SENT_RETENTION_DAYS"] == 90
    assert retention_job in list(signals.daily_job_due.receivers_for(app))
    make_inquiries(3)
    deliver(app)
    age_sent_mail({0: 120, 1: 91, 2: 89, 3: 10})
    waiting, failed = outbox()[4:6]
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == failed.id)
        .values(state=OutboxState.FAILED, sent_at=None, last_error="550 no", created_at=utcnow())
    )
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == waiting.id)
        .values(state=OutboxState.PENDING, sent_at=None, next_attempt_at=utcnow() + timedelta(1))
    )
    db.session.commit()
    kept = [message.id for message in outbox()[2:]]

    _one_round(app, False, DailyJobs())
    assert [message.id for message in outbox()] == kept  # failed and waiting mail stays
    (line,) = [line for line in capsys.readouterr().err.splitlines() if "retention" in line]
    assert re.search(
        r"Z INFO \[\d+\] \[[^\]]+\] portal.mail.worker: "
        r"Outbox retention \(90 days\): deleted 2 sent message\(s\)\.$",
        line,
    )
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "outbox.purge")).one()
    assert entry.after["messages"] == 2 and entry.after["older_than_days"] == 90


def test_the_purge_command_deletes_in_batches(
    app, smtp_server, make_inquiries, runner, monkeypatch
):
    from portal.mail import retention

    make_inquiries(4)
    deliver(app)
    age_sent_mail({position: 40 for position in range(7)})
    monkeypatch.setattr(retention, "BATCH", 3)
    statements = []

    def listen(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    result = runner.invoke(args=["outbox", "purge", "--older-than", "30"])
    event.remove(db.engine, "before_cursor_execute", listen)
    assert result.exit_code == 0, result.output
    assert "Outbox: deleted 7 sent message(s) older than 30 days." in result.output
    assert len(outbox()) == 1
    assert sum(1 for s in statements if s.lstrip().upper().startswith("DELETE")) == 3  # 3+3+1
    result = runner.invoke(args=["outbox", "purge", "--older-than", "30"])
    assert "deleted 0 sent" in result.output


def test_the_purge_command_wants_a_number_of_days(runner):
    result = runner.invoke(args=["outbox", "purge", "--older-than", "0"])
    assert result.exit_code != 0 and "--older-than" in result.output


def test_after_the_purge_the_privacy_export_lists_no_mail(app, smtp_server, contact, runner):
    from portal.inquiries.privacy import export

    inquire(Applicant("Ada", "ada@example.org", "ACME", "Hello"), InquiryKind.MEMBERSHIP)
    deliver(app)
    assert [len(found["messages"]) for found in export("ada@example.org")["inquiries"]] == [2]
    age_sent_mail({0: 100, 1: 100})
    runner.invoke(args=["outbox", "purge", "--older-than", "90"])
    assert [len(found["messages"]) for found in export("ada@example.org")["inquiries"]] == [0]


class TestKeepingSentMail:
    @pytest.fixture
    def settings(self, smtp_settings):
        return {**smtp_settings, "OUTBOX_SENT_RETENTION_DAYS": "keep"}

    def test_keep_turns_the_daily_purge_off(self, app):
        from portal.mail.retention import retention_job

        assert app.config["OUTBOX_SENT_RETENTION_DAYS"] is None
        assert retention_job not in list(signals.daily_job_due.receivers_for(app))


@pytest.mark.parametrize(
    ("value", "days"),
    [(None, None), ("", None), ("keep", None), ("KEEP", None), (30, 30), ("365", 365)],
)
def test_the_sent_mail_retention_setting(value, days):
    from portal.mail.retention import sent_retention_days

    assert sent_retention_days(value) == days


@pytest.mark.parametrize("value", [0, -1, 36501, "forever", True, 1.5])
def test_a_wrong_sent_mail_retention_stops_the_app_from_starting(tmp_path, value):
    from portal import create_app

    settings = {"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}
    with pytest.raises(ValueError, match="PORTAL_OUTBOX_SENT_RETENTION_DAYS"):
        create_app({**settings, "OUTBOX_SENT_RETENTION_DAYS": value}, instance_path=str(tmp_path))
