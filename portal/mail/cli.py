"""`flask outbox deliver [--all] [--loop]`: the command a cron job or a worker process runs.

With `--loop` the worker also runs the daily jobs that features registered, without this
package importing them: callables taking the app, in `app.extensions["daily_jobs"]`, each
returning a line to print or None (the inquiries' retention purge is one)."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.mail.delivery import deliver

outbox = AppGroup("outbox", help="The outgoing mail queue.")


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
    app = current_app._get_current_object()
    if not loop:
        click.echo(f"Outbox: {deliver(app, include_waiting=include_waiting)}.")
        return
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo(f"Outbox worker: delivering every {interval:g} s; stop with Ctrl-C or SIGTERM.")
    daily = DailyJobs()
    try:
        while not stopping:
            _one_round(app, include_waiting, daily)
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    click.echo("Outbox worker stopped.")


class DailyJobs:
    """Runs each of `app.extensions["daily_jobs"]` at most once every 24 hours: in the
    worker's first round, then a day after its last run. A job that fails is tried again an
    hour later; the worker goes on either way."""

    EVERY = timedelta(hours=24)
    AFTER_FAILURE = timedelta(hours=1)

    def __init__(self) -> None:
        self.due: dict[Callable, datetime] = {}

    def run_due(self, app) -> None:
        for job in list(app.extensions.get("daily_jobs", [])):
            now = datetime.now(UTC)
            if self.due.get(job, now) > now:
                continue
            try:
                said = job(app)
            except Exception as error:  # one bad job must not stop the mail
                db.session.rollback()
                self.due[job] = now + self.AFTER_FAILURE
                name = getattr(job, "__name__", repr(job))
                click.echo(
                    f"Daily job {name} failed ({type(error).__name__}: {error}); "
                    "trying again in an hour.",
                    err=True,
                )
                continue
            self.due[job] = now + self.EVERY
            if said:
                click.echo(said)


def _one_round(app, include_waiting: bool, daily: DailyJobs | None = None) -> None:
    """One look at the outbox, then the daily jobs that are due."""
    _deliver_round(app, include_waiting)
    if daily is not None:
        daily.run_due(app)


def _deliver_round(app, include_waiting: bool) -> None:
    """A worker outlives a database restart: it says so and tries again next round."""
    try:
        report = deliver(app, include_waiting=include_waiting)
    except SQLAlchemyError as error:
        db.session.rollback()
        problem = type(error).__name__
        click.echo(f"Outbox: database unavailable ({problem}); trying again.", err=True)
        return
    except Exception as error:  # a worker must outlive any one bad round
        db.session.rollback()
        click.echo(
            f"Outbox: a round failed ({type(error).__name__}: {error}); trying again.", err=True
        )
        return
    if report.sent or report.failed or report.retrying or report.unreachable:
        click.echo(f"Outbox: {report}.")
