"""/staff/inquiries/templates: the reply templates of each kind of inquiry, for admins. Staff
start a reply from one on an inquiry's page, filled with the inquiry's fields."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.auth import admin_required
from portal.core import backoffice
from portal.core.saving import attempt
from portal.extensions import db
from portal.inquiries import helpdesk, operations
from portal.inquiries.models import InquiryKind, ReplyTemplate

bp = Blueprint("staff_reply_templates", __name__, url_prefix="/staff/inquiries/templates")
backoffice.menu("Reply templates", "staff_reply_templates.index", order=42, admin_only=True)


def _page(status: int = 200, problem: str = "", values: dict | None = None):
    templates = db.session.scalars(
        select(ReplyTemplate).order_by(ReplyTemplate.kind, ReplyTemplate.name)
    )
    return render_template(
        "inquiries/admin/templates.html",
        templates=list(templates),
        kinds=InquiryKind,
        fields=helpdesk.TEMPLATE_FIELDS,
        problem=problem,
        values=values or {},
    ), status


@bp.get("/")
@admin_required
def index():
    return _page()


def _save(template: ReplyTemplate | None):
    form = request.form
    try:
        kind = InquiryKind(form.get("kind", ""))
    except ValueError:
        return _page(422, "Choose the kind of inquiry.", form)
    name, body = form.get("name", ""), form.get("body", "")
    _, problem = attempt(lambda: operations.save_template(template, kind, name, body, current_user))
    if problem:
        return _page(422, problem, form)
    flash("Template saved.", "info")
    return redirect(url_for(".index"), code=303)


@bp.post("/")
@admin_required
def create():
    return _save(None)


@bp.post("/<int:template_id>")
@admin_required
def update(template_id: int):
    return _save(db.get_or_404(ReplyTemplate, template_id))


@bp.post("/<int:template_id>/delete")
@admin_required
def delete(template_id: int):
    template = db.get_or_404(ReplyTemplate, template_id)
    _, problem = attempt(lambda: operations.delete_template(template, current_user))
    if problem:
        abort(409, description=problem)
    flash("Template deleted.", "info")
    return redirect(url_for(".index"), code=303)
