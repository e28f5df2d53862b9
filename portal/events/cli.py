"""`flask --app app events import`: the iCalendar import of the back office, for large files."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.core.saving import Conflict, saving
from portal.events import ical_fetch, ical_import, operations
from portal.events.models import Project
from portal.extensions import db

events_cli = AppGroup("events", help="The event catalogue.")


@events_cli.command("import")
@click.argument("source")
@click.option("--apply", "apply_", is_flag=True, help="Import; without it, only say what would be.")
@click.option("--publish", is_flag=True, help="Publish new events (otherwise they are drafts).")
def import_command(source: str, apply_: bool, publish: bool) -> None:
    """Import events from SOURCE, an .ics file or an http(s) address, matched by UID."""
    try:
        if source.lower().startswith(("http://", "https://", "webcal://")):
            data = ical_fetch.fetch(
                source,
                max_bytes=50 * current_app.config["IMPORT_MAX_BYTES"],
                timeout=60,
                allow_private=True,  # who runs commands already has the server
            )
        else:
            data = Path(source).read_bytes()
        projects = list(db.session.scalars(select(Project)))
        rows = ical_import.plan(ical_import.parse(data, projects))
    except (OSError, ical_fetch.FetchFailed, ical_import.UnreadableCalendar) as error:
        raise click.ClickException(str(error)) from None
    for row in rows:
        if row.action == "skip":
            click.echo(f"skip {row.uid or '(no UID)'}: {' '.join(row.problems)}", err=True)
    planned = {action: sum(r.action == action for r in rows) for action in ("create", "update")}
    click.echo(
        f"{len(rows)} events read: {planned['create']} to create, {planned['update']} to update."
    )
    if not apply_:
        click.echo("Nothing changed; run again with --apply to import.")
        return
    try:
        with click.progressbar(length=len(rows), label="Importing") as bar, saving():
            counts = operations.import_events(rows, None, publish=publish, progress=bar.update)
    except Conflict as conflict:
        raise click.ClickException(f"Nothing was imported: {conflict.description}") from None
    click.echo(
        ", ".join(f"{counts.get(k, 0)} {k}" for k in ("created", "updated", "unchanged", "skipped"))
        + "."
    )
