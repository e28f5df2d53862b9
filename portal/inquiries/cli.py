"""`flask --app app inquiries purge` and `flask --app app privacy export|erase`: how long
inquiries keep their personal data, and what a person may ask about theirs (privacy.py);
`flask --app app inquiries remind`: the reminders and escalations that are due (reminders.py)."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import click
from flask.cli import AppGroup

from portal.core.db import utcnow
from portal.core.errors import Refused
from portal.core.saving import Conflict, saving
from portal.inquiries import privacy, reminders

inquiries_cli = AppGroup("inquiries", help="Membership and sponsorship inquiries.")
privacy_cli = AppGroup(
    "privacy", help="What the portal holds about an email address: export it, erase it."
)


def _run(work):
    try:
        with saving():
            return work()
    except Refused as refused:
        raise click.ClickException(str(refused)) from None
    except Conflict as conflict:
        raise click.ClickException(conflict.description) from None


@inquiries_cli.command("remind")
def remind_command() -> None:
    """Enqueue the reminders and escalations of inquiries left new (the outbox worker does it
    every hour); each is sent once, however often this runs."""
    from flask import current_app

    sent = reminders.send_nudges(current_app.config[reminders.SETTING], utcnow())
    reminded, escalated = sent[reminders.NudgeKind.REMINDER], sent[reminders.NudgeKind.ESCALATION]
    click.echo(f"Inquiries: {reminded} reminder(s), {escalated} escalation(s) enqueued.")


@inquiries_cli.command("purge")
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(1, privacy.MAX_DAYS),
    required=True,
    metavar="DAYS",
    help="Remove the personal data of inquiries that are over (won, lost, closed or spam) "
    "and have not changed for more than DAYS days.",
)
def purge_command(days: int) -> None:
    """Remove the personal data (name, address, organization, message, notes, sent and failed
    mail) of inquiries that ended long enough ago. Kind, status, topic and dates stay, so
    counts and reports still add up. Running it again removes nothing more."""
    removed = _run(lambda: privacy.purge(timedelta(days=days), utcnow()))
    click.echo(f"Purged: {removed}.")


@privacy_cli.command("export")
@click.argument("email")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the JSON to this file (readable by its owner only) instead of printing it.",
)
def export_command(email: str, output: str | None) -> None:
    """Print, as one JSON object, everything held about EMAIL (any case): its inquiries with
    their notes and mail, and the staff contacts and accounts with that address."""

    def work():
        found = privacy.export(email)
        privacy.audit_export(found)
        return found

    text = json.dumps(_run(work), indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
        return
    descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text + "\n")
    click.echo(f"Written to {output}.", err=True)


@privacy_cli.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(email: str, yes: bool) -> None:
    """Remove the personal data of every inquiry from EMAIL (any case), whatever its status,
    with its notes and its mail (but a message being sent at this moment). Cannot be undone.
    Staff contacts and accounts with that address are left: change them in the back office."""
    if not yes:
        click.confirm(
            f"Erase the personal data of every inquiry from {email}? This cannot be undone.",
            abort=True,
        )
    removed = _run(lambda: privacy.erase(email))
    click.echo(f"Erased: {removed}." if removed else "Nothing held about that address.")
    click.echo(privacy.BEYOND_REACH)


def retention_job(app) -> str | None:
    """The daily purge of the outbox worker, when INQUIRY_RETENTION_DAYS is set."""
    days = app.config["INQUIRY_RETENTION_DAYS"]
    with saving():
        removed = privacy.purge(timedelta(days=days), utcnow())
    return f"Retention ({days} days): purged {removed}." if removed else None
