"""`flask --app app events import`: the iCalendar import of the back office, for large files."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from portal.core.saving import Conflict, saving
from portal.events import ical
from portal.events.ical.read import COMMAND_READ_SECONDS
from portal.events.models import Project
from portal.extensions import db

events_cli = AppGroup("events", help="The event catalogue.")


@events_cli.command("import")
@click.argument("source")
@click.option("--apply", "apply_", is_flag=True, help="Import; without it, only say what would be.")
@click.option("--publish", is_flag=True, help="Publish new events (otherwise they are drafts).")
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help='Print one JSON object instead of text: {"created": [{"uid", "slug"}], "updated": '
    '[...], "unchanged": [...], "skipped": [{"uid", "summary", "reason"}], "left_out": '
    '[{"uid", "summary", "occurrences", "more"}]} (what the occurrence cap left out of a '
    "repeating event); without --apply, what would be.",
)
def import_command(source: str, apply_: bool, publish: bool, as_json: bool) -> None:
    """Import events from SOURCE, an .ics file or an http(s) address, matched by UID."""
    try:
        if source.lower().startswith(("http://", "https://", "webcal://")):
            data = ical.fetch(
                source,
                max_bytes=50 * current_app.config["IMPORT_MAX_BYTES"],
                timeout=60,
                allow_private=True,  # who runs commands already has the server
            )
        else:
            data = Path(source).read_bytes()
        projects = list(db.session.scalars(select(Project)))
        seconds = current_app.config.get("IMPORT_COMMAND_READ_SECONDS", COMMAND_READ_SECONDS)
        reading = ical.read(data, projects, seconds=seconds)
        rows = ical.plan(reading.rows)
    except (OSError, ical.FetchFailed, ical.UnreadableCalendar) as error:
        raise click.ClickException(str(error)) from None
    if not as_json:
        for note in reading.notes:
            click.echo(f"note: {note}", err=True)
        for row in rows:
            if row.action == "skip":
                click.echo(f"skip {row.uid or '(no UID)'}: {row.reason}", err=True)
        planned = {a: sum(r.action == a for r in rows) for a in ("create", "update")}
        click.echo(
            f"{len(rows)} events read: {planned['create']} to create, "
            f"{planned['update']} to update."
        )
        if reading.series and reading.window:
            first, last = reading.window
            click.echo(
                f"{reading.series} repeating events expanded from {first.isoformat()} "
                f"to {last.isoformat()}."
            )
        for capped in reading.capped:
            click.echo(
                f"left out {capped.uid}: {capped.left_out_text} occurrences past the first "
                f"{ical.MAX_OCCURRENCES}.",
                err=True,
            )
    if not apply_:
        if as_json:
            report = _report(rows, reading, planned_only=True)
            click.echo(json.dumps(report, ensure_ascii=False))
        else:
            click.echo("Nothing changed; run again with --apply to import.")
        return
    try:
        with saving():
            if as_json:
                ical.apply(rows, None, publish=publish)
            else:
                with click.progressbar(length=len(rows), label="Importing") as bar:
                    counts = ical.apply(rows, None, publish=publish, progress=bar.update)
    except Conflict as conflict:
        raise click.ClickException(f"Nothing was imported: {conflict.description}") from None
    if as_json:
        click.echo(json.dumps(_report(rows, reading), ensure_ascii=False))
        return
    for row in rows:
        if row.outcome == "skipped" and row.action != "skip":
            click.echo(f"skipped {row.uid}: {row.reason}", err=True)
    click.echo(
        ", ".join(f"{counts.get(k, 0)} {k}" for k in ("created", "updated", "unchanged", "skipped"))
        + "."
    )


def _report(rows: list[ical.ImportRow], reading: ical.Reading, planned_only: bool = False) -> dict:
    """Each row under its outcome (or, before the import, what it would be), and what the
    occurrence cap left out."""
    report: dict[str, list] = {"created": [], "updated": [], "unchanged": [], "skipped": []}
    report["left_out"] = [
        {"uid": c.uid, "summary": c.title, "occurrences": c.left_out, "more": c.more}
        for c in reading.capped
    ]
    outcome_of = {"create": "created", "update": "updated", "skip": "skipped"}
    for row in rows:
        outcome = outcome_of[row.action] if planned_only else row.outcome
        if outcome == "skipped":
            report["skipped"].append({"uid": row.uid, "summary": row.title, "reason": row.reason})
        else:
            report[outcome].append({"uid": row.uid, "slug": row.slug or None})
    return report
