"""Importing events from an iCalendar file or address: a preview first, then the import.

The file is parsed once: its reading (the rows, not yet planned) waits between the two steps
in the instance folder under a random name tied to the staff member, so the preview's form
carries only that name, never the events themselves, and the import plans those rows again
against the catalogue as it is then.
"""

from __future__ import annotations

import re
import secrets
import time
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, URLField
from wtforms.validators import Length, Optional

from portal.accounts.auth import staff_required
from portal.core import backoffice
from portal.core.saving import saving
from portal.events import ical
from portal.events.ical import stash
from portal.events.models import Project
from portal.extensions import db

bp = Blueprint("staff_import", __name__, url_prefix="/staff/import")
backoffice.menu("Import", "staff_import.upload", order=30)

TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")
KEEP_SECONDS = 24 * 3600


class UploadForm(FlaskForm):
    file = FileField("iCalendar file (.ics)")
    url = URLField("or its address", validators=[Optional(), Length(max=2000)])
    publish = BooleanField("Publish new events at once (otherwise they are drafts)")


class ApplyForm(FlaskForm):
    token = HiddenField(validators=[Length(max=64)])
    publish = HiddenField()


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(exist_ok=True)
    return folder


def _stash(reading: ical.Reading) -> str:
    """Keep the reading for the apply step; forget those older than a day on the way."""
    folder = _folder()
    for old in [*folder.glob("*.ics"), *folder.glob("*.json")]:
        if time.time() - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    (folder / f"{current_user.id}-{token}.json").write_bytes(stash.dumps(reading))
    return token


def _stashed(token: str) -> Path:
    if not TOKEN.fullmatch(token or ""):
        abort(400, description="This import is not known; upload the file again.")
    path = _folder() / f"{current_user.id}-{token}.json"
    if not path.exists():
        abort(410, description="This import has expired or was done; upload the file again.")
    return path


def _read(form: UploadForm) -> bytes:
    limit = current_app.config["IMPORT_MAX_BYTES"]
    upload = form.file.data
    if upload and getattr(upload, "filename", ""):
        data = upload.stream.read(limit + 1)
        if len(data) > limit:
            raise ical.FetchFailed(f"The file is larger than {limit // 1024} KiB.")
        return data
    if form.url.data:
        return ical.fetch(
            form.url.data,
            max_bytes=limit,
            timeout=current_app.config["IMPORT_FETCH_TIMEOUT"],
            allow_private=current_app.config["IMPORT_ALLOW_PRIVATE_URLS"],
        )
    raise ical.FetchFailed("Choose a file or give an address.")


def _projects() -> list[Project]:
    return list(db.session.scalars(select(Project)))


@bp.route("/", methods=["GET", "POST"])
@staff_required
def upload():
    form = UploadForm()
    if form.validate_on_submit():
        try:
            reading = ical.read(_read(form), _projects())
        except (ical.FetchFailed, ical.UnreadableCalendar) as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            token = _stash(reading)  # before planning: the import plans again
            ical.plan(reading.rows)
            apply = ApplyForm(formdata=None, token=token, publish="1" if form.publish.data else "")
            return render_template(
                "events/admin/import/preview.html",
                rows=reading.rows,
                reading=reading,
                form=apply,
                counts=_count(reading.rows),
                publish=form.publish.data,
                max_occurrences=ical.MAX_OCCURRENCES,
            )
    status = 422 if form.errors else 200
    return render_template("events/admin/import/upload.html", form=form), status


@bp.post("/apply")
@staff_required
def apply():
    form = ApplyForm()
    if not form.validate():
        abort(400, description="This import could not be read; upload the file again.")
    path = _stashed(form.token.data)
    try:
        rows = ical.plan(stash.loads(path.read_bytes(), _projects()).rows)
    except (ValueError, TypeError, KeyError):
        abort(410, description="This import was kept by an older version; upload it again.")
    with saving():
        counts = ical.apply(rows, current_user, publish=form.publish.data == "1")
    path.unlink(missing_ok=True)
    # The preview said why it skips what it skips; say why anything else was not imported.
    for row in [r for r in rows if r.outcome == "skipped" and r.action != "skip"][:20]:
        flash(f"Not imported: {row.title or row.uid}: {row.reason}", "error")
    flash(
        "Import done: {created} created, {updated} updated, {unchanged} unchanged, "
        "{skipped} skipped.".format(
            **{k: counts.get(k, 0) for k in ("created", "updated", "unchanged", "skipped")}
        ),
        "info",
    )
    return redirect(url_for("staff_events.index"), code=303)


def _count(rows: list[ical.ImportRow]) -> dict[str, int]:
    counts = {"create": 0, "update": 0, "skip": 0}
    for row in rows:
        counts[row.action] += 1
    return counts
