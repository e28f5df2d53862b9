"""The back office's embed screen: the sites allowed to frame /embed/events (admins add and
remove them), and the snippet a project's site copies, built from the listing's filters."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectField
from wtforms.validators import NumberRange, Optional

from portal.accounts.auth import admin_required, staff_required
from portal.core import backoffice
from portal.core.forms import StaffForm, saved, text_field
from portal.core.i18n import LANGUAGES
from portal.core.regions import REGIONS
from portal.core.saving import saving
from portal.events import queries
from portal.events.models import EventFormat
from portal.extensions import db
from portal.publish import embed
from portal.publish.models import EmbedOrigin

bp = Blueprint("staff_embed", __name__, url_prefix="/staff/embed")
backoffice.menu("Embeds", "staff_embed.index", order=75)


class OriginForm(StaffForm):
    origin = text_field("Site (origin)", 200, required=True)
    label = text_field("Whose site", 200)


class SnippetForm(FlaskForm):
    """The listing's filters, read from the screen's query string."""

    class Meta:
        csrf = False

    project = SelectField("Project", choices=[], validators=[Optional()])
    format = SelectField("Format", choices=[SelectChoice("", "Any format")]
                         + [SelectChoice(f.value, f.label) for f in EventFormat],
                         validators=[Optional()])  # fmt: skip
    country = text_field("Country (ISO code)", 2)
    region = SelectField("Region", choices=[SelectChoice("", "Any region")]
                         + [SelectChoice(r.slug, str(r.words)) for r in REGIONS],
                         validators=[Optional()])  # fmt: skip
    # The listing's words, dates and country names; the API's snippet is the same in each.
    language = SelectField("Language of the listing",
                           choices=[SelectChoice("" if each is LANGUAGES[0] else each.code,
                                                 each.name) for each in LANGUAGES],
                           validators=[Optional()])  # fmt: skip
    limit = IntegerField("Events shown", default=embed.DEFAULT_LIMIT,
                         validators=[Optional(), NumberRange(1, embed.MAX_LIMIT)])  # fmt: skip


def screen(form: OriginForm, status: int = 200):
    snippet = SnippetForm(request.args)
    projects = {p.slug: p.name for p in queries.projects()}
    snippet.project.choices = [SelectChoice("", "Any project")] + [
        SelectChoice(slug, name) for slug, name in projects.items()
    ]
    filters: dict[str, str] = {}
    names = projects
    title = f"Upcoming {current_app.config['SITE_NAME']} events"
    language = ""
    if snippet.validate():
        language = snippet.language.data or ""
        if snippet.project.data:
            filters["project"] = snippet.project.data
            title = f"Upcoming {names.get(snippet.project.data, snippet.project.data)} events"
        if snippet.format.data:
            filters["format"] = snippet.format.data
        if snippet.country.data:
            filters["country"] = snippet.country.data.upper()
        if snippet.region.data:
            filters["region"] = snippet.region.data
        if snippet.limit.data and snippet.limit.data != embed.DEFAULT_LIMIT:
            filters["limit"] = str(snippet.limit.data)
    base = current_app.config.get("BASE_URL") or request.host_url.rstrip("/")
    rows = db.session.scalars(db.select(EmbedOrigin).order_by(EmbedOrigin.origin))
    return render_template(
        "publish/admin/embed.html",
        origins=list(rows),
        form=form,
        snippet=snippet,
        code=embed.snippets(base, filters, title, language=language),
    ), status


@bp.get("/")
@staff_required
def index():
    return screen(OriginForm())


@bp.post("/origins")
@admin_required
def add():
    form = OriginForm()
    row = saved(form, lambda: embed.add_origin(form.origin.data, form.label.data or "",
                                               current_user))  # fmt: skip
    if row is None:
        return screen(form, form.status)
    flash(f"{row.origin} may now show the listing in a frame.", "info")
    return redirect(url_for(".index"), code=303)


@bp.post("/origins/<int:origin_id>/delete")
@admin_required
def delete(origin_id: int):
    row = db.get_or_404(EmbedOrigin, origin_id)
    with saving():
        embed.remove_origin(row, current_user)
    flash(f"{row.origin} may no longer frame the listing.", "info")
    return redirect(url_for(".index"), code=303)
