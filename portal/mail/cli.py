"""`flask outbox deliver [--all] [--loop]`: the command a cron job or a worker process runs;
`flask outbox purge --older-than DAYS`: sent mail out of the outbox.

With `--loop` the worker also sends `daily_job_due` (core/signals.py) to each of its receivers
once a day, and `hourly_job_due` once an hour, without this package knowing them (the
inquiries' retention purge is one, their reminders another). A
worker's lines are log lines (`portal.mail.worker`, with their time and level, in the format of
PORTAL_LOG_FORMAT, on standard error); a single run prints its report."""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from portal.core import signals
from portal.core.db import utcnow
from portal.extensions import db
from portal.mail.delivery import deliver
from portal.mail.retention import MAX_DAYS, purge_sent

outbox = AppGroup("outbox", help="The outgoing mail queue.")
log = logging.getLogger("portal.mail.worker")


@outbox.command("deliver")
@click.option("--all", "include_waiting", is_flag=True, help="Also send what waits for a retry.")
@click.option("--loop", is_flag=True, help="Keep running as a worker until stopped.")
@click.option(
    "--interval",
    type=click.FloatRange(0.1, 3600),
    default=5.0,
    show_default=True,
    help="With --loop: seconds between two looks at the outbox.",
)
def deliver_command(include_waiting: bool, loop: bool, interval: float) -> None:
    """Send the mail that is due. Exits 0 whether or not the mail server answered: what could
    not be sent stays in the outbox for the next run."""
    # current_app is a LocalProxy, which Flask types as the Flask it stands for.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not loop:
        click.echo(f"Outbox: {deliver(app, include_waiting=include_waiting)}.")
        return
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    log.info("Outbox worker: delivering every %g s; stop with Ctrl-C or SIGTERM.", interval)
    daily = DailyJobs()
    hourly = HourlyJobs()
    periodic = PeriodicJobs(timedelta(seconds=float(app.config["OUTBOX_PERIODIC_SECONDS"])))
    try:
        while not stopping:
            _one_round(app, include_waiting, daily, periodic)
            hourly.run_due(app)
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    log.info("Outbox worker stopped.")


@outbox.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(1, MAX_DAYS),
    required=True,
    metavar="DAYS",
    help="Delete the messages sent more than DAYS days ago.",
)
def purge_command(days: int) -> None:
    """Delete sent mail older than DAYS days from the outbox, in batches. Failed messages stay
    until staff act on them, and mail still waiting is not touched. An inquiry's page and the
    privacy export no longer list the messages deleted."""
    deleted = purge_sent(timedelta(days=days), utcnow())
    click.echo(f"Outbox: deleted {deleted} sent message(s) older than {days} days.")


class DailyJobs:
    """Calls each receiver of `daily_job_due` for the app at most once every 24 hours: in the
    worker's first round, then a day after its last run. A job that fails is tried again an
    hour later; the worker and the other jobs go on either way."""

    EVERY = timedelta(hours=24)
    AFTER_FAILURE = timedelta(hours=1)
    SIGNAL = signals.daily_job_due

    def __init__(self) -> None:
        self.due: dict[Callable, datetime] = {}

    def run_due(self, app) -> None:
        for job in list(self.SIGNAL.receivers_for(app)):
            now = datetime.now(UTC)
            if self.due.get(job, now) > now:
                continue
            try:
                said = job(app)
            except Exception as error:  # one bad job must not stop the mail
                db.session.rollback()
                self.due[job] = now + self.AFTER_FAILURE
                name = getattr(job, "__name__", repr(job))
                log.error(
                    "Daily job %s failed (%s: %s); trying again in an hour.",
                    name,
                    type(error).__name__,
                    error,
                    exc_info=True,
                )
                continue
            self.due[job] = now + self.EVERY
            if said:
                log.info("%s", said)


class HourlyJobs(DailyJobs):
    """The receivers of `hourly_job_due`, each at most once an hour (the inquiries' reminders)."""

    EVERY = timedelta(hours=1)
    AFTER_FAILURE = timedelta(hours=1)
    SIGNAL = signals.hourly_job_due


class PeriodicJobs(DailyJobs):
    """The receivers of `periodic_job_due`, every PORTAL_OUTBOX_PERIODIC_SECONDS (the alerts);
    one that fails is tried again at its next turn."""

    SIGNAL = signals.periodic_job_due

    def __init__(self, every: timedelta) -> None:
        super().__init__()
        self.EVERY = self.AFTER_FAILURE = every


def _one_round(
    app, include_waiting: bool, daily: DailyJobs | None = None, periodic: DailyJobs | None = None
) -> None:
    """The periodic jobs that are due (their mail goes out in this same round), one look at
    the outbox, then the daily jobs that are due."""
    if periodic is not None:
        periodic.run_due(app)
    _deliver_round(app, include_waiting)
    if daily is not None:
        daily.run_due(app)


def _deliver_round(app, include_waiting: bool) -> None:
    """A worker outlives a database restart: it says so and tries again next round."""
    try:
        report = deliver(app, include_waiting=include_waiting)
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("Outbox: database unavailable (%s); trying again.", type(error).__name__)
        return
    except Exception as error:  # a worker must outlive any one bad round
        db.session.rollback()
        log.error("Outbox: a round failed (%s: %s); trying again.", type(error).__name__, error)
        return
    if report.sent or report.failed or report.retrying or report.unreachable:
        log.info("Outbox: %s.", report)
