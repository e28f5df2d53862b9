"""The back office's "In other languages" screen of an event: its title and summary as staff
write them for each language of the portal (events/localized.py)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.accounts.auth import staff_required
from portal.core.forms import StaffForm, saved, text_field
from portal.core.i18n import BY_CODE
from portal.events import localized
from portal.events.localized import field_name
from portal.events.models import Event
from portal.extensions import db

bp = Blueprint("staff_event_languages", __name__, url_prefix="/staff/events")


class LanguagesForm(StaffForm):
    """A title and a summary per language; blank means "the English one"."""

    def values(self) -> dict[str, dict[str, str]]:
        return {
            language.code: {
                kind: self[field_name(kind, language.code)].data or "" for kind in localized.FIELDS
            }
            for language in localized.languages()
        }


for _language in localized.languages():
    setattr(
        LanguagesForm,
        field_name("title", _language.code),
        text_field(f"Title in {_language.name}", localized.FIELDS["title"]),
    )
    setattr(
        LanguagesForm,
        field_name("summary", _language.code),
        text_field(f"Summary in {_language.name}", localized.FIELDS["summary"]),
    )


@bp.route("/<int:event_id>/languages", methods=["GET", "POST"])
@staff_required
def edit(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = LanguagesForm(
        data={
            field_name(kind, code): texts.get(kind, "")
            for code, texts in (event.localized or {}).items()
            for kind in localized.FIELDS
        }
    )
    changed = saved(form, lambda: localized.set_localized(event, form.values(), current_user))
    if changed is not None:
        flash("Saved." if changed else "Nothing to save: no field changed.", "info")
        return redirect(url_for(".edit", event_id=event.id), code=303)
    rows = [
        (
            language,
            form[field_name("title", language.code)],
            form[field_name("summary", language.code)],
        )
        for language in localized.languages()
    ]
    return render_template(
        "events/admin/languages.html", form=form, event=event, rows=rows, offered=BY_CODE
    ), form.status
