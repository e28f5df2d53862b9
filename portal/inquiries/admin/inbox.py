"""The inquiry inbox: the filtered list, its CSV export, one inquiry's page with its mail and
history, and what staff do there (status, assignee, notes, replies); and its dashboard panel."""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
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
from portal.core.hygiene import as_id
from portal.core.saving import attempt
from portal.inquiries import export, helpdesk, inbox_queries, operations, timeline
from portal.inquiries.admin.inbox_forms import AssignForm, NoteForm, ReplyForm, StatusForm
from portal.inquiries.models import Inquiry, InquiryKind, InquiryStatus
from portal.mail.delivery import deliver_now

bp = Blueprint("staff_inquiries", __name__, url_prefix="/staff/inquiries")
backoffice.menu("Inquiries", "staff_inquiries.index", order=40)


@bp.get("/")
@staff_required
def index():
    if not request.args and helpdesk.is_routed_contact(current_user):
        # Who answers inquiries starts from those nobody has taken ("Clear" shows them all).
        return redirect(url_for(".index", assignee=inbox_queries.UNASSIGNED))
    filters = inbox_queries.InboxFilter(request.args)
    choices = inbox_queries.choices()
    pagination = filters.listed(choices.contacts)
    return render_template(
        "inquiries/admin/inbox/list.html",
        filters=filters,
        pagination=pagination,
        mail=inbox_queries.mail_states(pagination.items),
        choices=choices,
        kinds=InquiryKind,
        statuses=InquiryStatus,
    )


@bp.get("/export.csv")
@staff_required
def export_csv():
    batches = inbox_queries.export_batches(inbox_queries.InboxFilter(request.args))
    return Response(
        stream_with_context(export.lines(batches)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="inquiries.csv"'},
    )


def _inquiry(inquiry_id: int) -> Inquiry:
    inquiry = inbox_queries.inquiry_page(inquiry_id)
    if inquiry is None:
        abort(404)
    return inquiry


def _page(inquiry: Inquiry, status: int = 200, notice: str = "", note_form=None, reply_form=None):
    choices = inbox_queries.choices()
    messages = inbox_queries.messages_of(inquiry)
    if reply_form is None:
        reply_form = ReplyForm(formdata=None)
        chosen = as_id(request.args.get("template", ""))
        template = next((t for t in helpdesk.templates_for(inquiry) if t.id == chosen), None)
        if template is not None:
            reply_form.reply.data = helpdesk.fill_template(template, inquiry, current_user)
    return render_template(
        "inquiries/admin/inbox/detail.html",
        inquiry=inquiry,
        messages=messages,
        mail_by_id={message.message_id: message for message in messages},
        steps=timeline.history(inquiry, messages),
        assign_form=AssignForm(choices.staff, inquiry, formdata=None),
        note_form=note_form or NoteForm(formdata=None),
        status_form=StatusForm(formdata=None),
        reply_form=reply_form,
        reply_refusal=helpdesk.reply_refusal(inquiry, current_user),
        reply_templates=helpdesk.templates_for(inquiry),
        duplicates=helpdesk.duplicates_of(inquiry),
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
    form = AssignForm(inbox_queries.choices().staff)
    if not form.validate():
        return _page(inquiry, 422, "Choose an active staff member, or nobody.")
    changed, problem = attempt(lambda: operations.assign(inquiry, form.chosen(), current_user))
    if problem:
        return _page(_inquiry(inquiry_id), 409, problem)
    chosen = form.chosen()
    who = chosen.name if chosen else "nobody"
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


@bp.post("/<int:inquiry_id>/reply")
@staff_required
def reply(inquiry_id: int):
    """Answer the submitter by mail through the outbox; 403 for who may not (helpdesk.py)."""
    inquiry = _inquiry(inquiry_id)
    form = ReplyForm()
    refusal = helpdesk.reply_refusal(inquiry, current_user)
    if refusal:
        return _page(inquiry, 403, refusal, reply_form=form)
    if form.validate():
        done, problem = attempt(lambda: operations.reply(inquiry, form.reply.data, current_user))
        if not problem and done is not None:
            # current_app is a LocalProxy, which Flask types as the Flask it stands for.
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            deliver_now(app, [done[1]])
            flash(f"Reply sent to {inquiry.email}.", "info")
            return _back(inquiry_id)
        form.reply.errors = [*form.reply.errors, problem]
    return _page(_inquiry(inquiry_id), 422, reply_form=form)


@bp.post("/<int:inquiry_id>/merge")
@staff_required
def merge(inquiry_id: int):
    """Merge this likely duplicate into the inquiry it repeats (operations.merge)."""
    inquiry = _inquiry(inquiry_id)
    original, problem = attempt(lambda: operations.merge(inquiry, current_user))
    if problem or original is None:
        return _page(_inquiry(inquiry_id), 409, problem or "")
    flash(f"{inquiry.number} merged into this inquiry, and closed.", "info")
    return _back(original.id)


@backoffice.panel("inquiries", "inquiries/admin/inbox/_panel.html", order=10)
def inquiries_panel(now: datetime) -> dict:
    return {
        "new_by_kind": inbox_queries.new_by_kind(),
        "latest": inbox_queries.latest(),
        "waiting": inbox_queries.waiting_longest(),
    }
