"""Projects in the back office: list, create, edit, retire and restore."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import IntegerField, StringField, URLField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from portal.accounts.auth import staff_required
from portal.core import backoffice
from portal.core.forms import StaffForm, saved
from portal.core.saving import saving
from portal.events import operations
from portal.events.models import Project
from portal.extensions import db

bp = Blueprint("staff_projects", __name__, url_prefix="/staff/projects")
backoffice.menu("Projects", "staff_projects.index", order=20)


class ProjectForm(StaffForm):
    slug = StringField("Slug", validators=[DataRequired(), Length(max=60)])
    name = StringField("Name", validators=[DataRequired(), Length(max=100)])
    url = URLField("Website", validators=[Optional(), Length(max=500)])
    position = IntegerField("Position in lists", default=0, validators=[NumberRange(0, 10_000)])

    def values(self) -> dict:
        return {
            "slug": self.slug.data.strip(),
            "name": self.name.data.strip(),
            "url": (self.url.data or "").strip() or None,
            "position": self.position.data or 0,
        }


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
    return _edit(None)


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(project_id: int):
    return _edit(db.get_or_404(Project, project_id))


def _edit(project: Project | None):
    form = ProjectForm(obj=project)

    def save() -> Project:
        if project is None:
            return operations.create_project(form.values(), current_user)
        operations.update_project(project, form.values(), current_user)
        return project

    done = saved(form, save)
    if done is not None:
        flash(f"Project {done.name} saved.", "info")
        return redirect(url_for(".index"), code=303)
    page = render_template("events/admin/projects/form.html", form=form, project=project)
    return page, form.status


@bp.post("/<int:project_id>/retire")
@staff_required
def retire(project_id: int):
    project = db.get_or_404(Project, project_id)
    if not project.is_retired:
        with saving():
            operations.retire_project(project, current_user)
    flash(f"{project.name} is retired: it leaves the public filters.", "info")
    return redirect(url_for(".index"), code=303)


@bp.post("/<int:project_id>/restore")
@staff_required
def restore(project_id: int):
    project = db.get_or_404(Project, project_id)
    if project.is_retired:
        with saving():
            operations.restore_project(project, current_user)
    flash(f"{project.name} is active again.", "info")
    return redirect(url_for(".index"), code=303)
