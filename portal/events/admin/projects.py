"""Projects in the back office: list, create, edit, retire and restore."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from sqlalchemy import select
from wtforms import IntegerField, URLField
from wtforms.validators import Length, NumberRange, Optional

from portal.accounts.auth import staff_required
from portal.core import backoffice, screens
from portal.core.forms import StaffForm, none_if_blank, text_field
from portal.events.models import Project
from portal.events.operations import PROJECT
from portal.extensions import db

bp = Blueprint("staff_projects", __name__, url_prefix="/staff/projects")
backoffice.menu("Projects", "staff_projects.index", order=20)


class ProjectForm(StaffForm):
    name = text_field("Name", 100, required=True)
    slug = text_field("Slug", 60, required=True, description="/events?project=<slug>")
    url = URLField("Website", validators=[Optional(), Length(max=500)], filters=[none_if_blank])
    position = IntegerField("Position in lists", default=0, validators=[NumberRange(0, 10_000)])


@bp.get("/")
@staff_required
def index():
    projects = db.session.scalars(
        select(Project).order_by(Project.retired_at.is_not(None), Project.position, Project.name)
    )
    return render_template("events/admin/projects/list.html", projects=list(projects))


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    return screens.edit(PROJECT, ProjectForm(), None, url_for(".index"), "New project")


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(project_id: int):
    project = db.get_or_404(Project, project_id)
    form = ProjectForm(obj=project)
    return screens.edit(PROJECT, form, project, url_for(".index"), project.name)


screens.add_retire_routes(bp, PROJECT, "project_id", staff_required, lambda _: url_for(".index"))
