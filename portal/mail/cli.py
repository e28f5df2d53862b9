"""`flask outbox deliver [--all] [--loop]`: the command a cron job or a worker process runs."""

from __future__ import annotations

import signal
import time

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
    try:
        while not stopping:
            _one_round(app, include_waiting)
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    click.echo("Outbox worker stopped.")


def _one_round(app, include_waiting: bool) -> None:
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
