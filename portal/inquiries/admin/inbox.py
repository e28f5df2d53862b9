"""The inquiry inbox: the filtered list, its CSV export, one inquiry's page with its mail,
and what staff do there (status, assignee, notes); and its dashboard panel."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user

from portal.accounts.auth import staff_required
from portal.core import backoffice
from portal.core.saving import attempt
from portal.inquiries import export, inbox, operations
from portal.inquiries.admin.inbox_forms import AssignForm, NoteForm, StatusForm
from portal.inquiries.models import Inquiry, InquiryKind, InquiryStatus

bp = Blueprint("staff_inquiries", __name__, url_prefix="/staff/inquiries")
backoffice.menu("Inquiries", "staff_inquiries.index", order=40)


@bp.get("/")
@staff_required
def index():
    filters = inbox.InboxFilter(request.args)
    choices = inbox.choices()
    pagination = filters.listed(choices.contacts)
    return render_template(
        "inquiries/admin/inbox/list.html",
        filters=filters,
        pagination=pagination,
        mail=inbox.mail_states(pagination.items),
        choices=choices,
        kinds=InquiryKind,
        statuses=InquiryStatus,
    )


@bp.get("/export.csv")
@staff_required
def export_csv():
    batches = inbox.export_batches(inbox.InboxFilter(request.args))
    return Response(
        stream_with_context(export.lines(batches)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="inquiries.csv"'},
    )


def _inquiry(inquiry_id: int) -> Inquiry:
    inquiry = inbox.inquiry_page(inquiry_id)
    if inquiry is None:
        abort(404)
    return inquiry


def _page(inquiry: Inquiry, status: int = 200, notice: str = "", note_form=None):
    choices = inbox.choices()
    return render_template(
        "inquiries/admin/inbox/detail.html",
        inquiry=inquiry,
        messages=inbox.messages_of(inquiry),
        assign_form=AssignForm(choices.staff, inquiry, formdata=None),
        note_form=note_form or NoteForm(formdata=None),
        status_form=StatusForm(formdata=None),
        notice=notice,
    ), status


def _back(inquiry_id: int):
    return redirect(url_for(".detail", inquiry_id=inquiry_id), code=303)


@bp.get("/<int:inquiry_id>")
@staff_required
def detail(inquiry_id: int):
    return _page(_inquiry(inquiry_id))


@bp.post("/<int:inquiry_id>/status")
@staff_required
def set_status(inquiry_id: int):
    inquiry = _inquiry(inquiry_id)
    form = StatusForm()
    if not form.validate():
        return _page(inquiry, 422, "Choose a status.")
    status = InquiryStatus(form.status.data)
    _, problem = attempt(lambda: operations.set_status(inquiry, status, current_user))
    if problem:
        return _page(_inquiry(inquiry_id), 409, problem)
    flash(f"The inquiry is now {status.label.lower()}.", "info")
    return _back(inquiry_id)


@bp.post("/<int:inquiry_id>/assign")
@staff_required
def assign(inquiry_id: int):
    inquiry = _inquiry(inquiry_id)
    form = AssignForm(inbox.choices().staff)
    if not form.validate():
        return _page(inquiry, 422, "Choose an active staff member, or nobody.")
    changed, problem = attempt(lambda: operations.assign(inquiry, form.chosen(), current_user))
    if problem:
        return _page(_inquiry(inquiry_id), 409, problem)
    who = form.chosen().name if form.chosen() else "nobody"
    flash(f"Assigned to {who}." if changed else f"It was already assigned to {who}.", "info")
    return _back(inquiry_id)


@bp.post("/<int:inquiry_id>/notes")
@staff_required
def add_note(inquiry_id: int):
    inquiry = _inquiry(inquiry_id)
    form = NoteForm()
    if form.validate():
        _, problem = attempt(lambda: operations.add_note(inquiry, form.body.data, current_user))
        if not problem:
            flash("Note added.", "info")
            return _back(inquiry_id)
        form.body.errors = [*form.body.errors, problem]
    return _page(_inquiry(inquiry_id), 422, note_form=form)


@backoffice.panel("inquiries", "inquiries/admin/inbox/_panel.html", order=10)
def inquiries_panel(now: datetime) -> dict:
    return {"new_by_kind": inbox.new_by_kind(), "latest": inbox.latest()}
