"""`flask --app app alerts send`: what a cron job runs (the outbox worker runs it too, every
few minutes, through `periodic_job_due`)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.alerts import digest
from portal.core.saving import saving

alerts_cli = AppGroup("alerts", help="Email alerts about events.")
log = logging.getLogger(__name__)


NO_ADDRESS = (
    "Set PORTAL_BASE_URL (the portal's https address): alert mail carries absolute links, and "
    "a command has no request to take the address from."
)


def run_once() -> digest.SendReport:
    if not (current_app.config.get("BASE_URL") or current_app.config.get("SERVER_NAME")):
        raise click.ClickException(NO_ADDRESS)
    with saving():
        return digest.send(datetime.now(UTC))


@alerts_cli.command("send")
def send_command() -> None:
    """Find what changed in the catalogue and put the alerts that are due now in the outbox
    (`flask outbox deliver` sends them). Running it twice in a row queues nothing more."""
    click.echo(f"Alerts: {run_once()}.")


def alerts_job(app: Flask) -> str | None:
    """The outbox worker's periodic job (core.signals.periodic_job_due)."""
    report = run_once()
    return f"Alerts: {report}." if report.alerts or report.forgotten else None
