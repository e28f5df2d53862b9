"""Bulk actions on the inbox's list: mark spam, close, assign the chosen rows (at most 500),
each asked for once more on a confirmation page before anything changes. CSRF as any form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.auth import staff_required
from portal.core.hygiene import as_id
from portal.core.saving import attempt
from portal.extensions import db
from portal.inquiries import inbox_queries, operations
from portal.inquiries.models import Inquiry
from portal.inquiries.operations import BULK_LIMIT, BulkAction

bp = Blueprint("staff_inquiry_bulk", __name__, url_prefix="/staff/inquiries")

WORDS = {
    BulkAction.SPAM: "Mark as spam",
    BulkAction.CLOSE: "Close",
    BulkAction.ASSIGN: "Assign",
}


def _refused(message: str, status: int = 422):
    return render_template("inquiries/admin/inbox/bulk.html", problem=message), status


@bp.post("/bulk")
@staff_required
def bulk():
    form = request.form
    raw_ids = form.getlist("ids")
    ids = [as_id(raw) for raw in raw_ids]
    if any(number is None for number in ids):
        return _refused("Those are not inquiries of the list.", 400)
    chosen = sorted({number for number in ids if number is not None})
    if not chosen:
        return _refused("Choose at least one inquiry in the list first.")
    if len(chosen) > BULK_LIMIT:
        return _refused(f"At most {BULK_LIMIT} inquiries at a time: choose fewer.")
    try:
        action = BulkAction(form.get("action", ""))
    except ValueError:
        return _refused("Choose what to do with them.", 400)
    assignee = None
    staff = {user.id: user for user in inbox_queries.choices().staff}
    if action is BulkAction.ASSIGN:
        wanted = form.get("assignee", "")
        if wanted == "me":
            wanted = str(current_user.id)
        if wanted and (as_id(wanted) not in staff):
            return _refused("Choose an active staff member, or nobody.")
        assignee = staff.get(as_id(wanted) or 0)
    rows = list(
        db.session.scalars(select(Inquiry).where(Inquiry.id.in_(chosen)).order_by(Inquiry.id))
    )
    if form.get("confirm") != "yes":
        return render_template(
            "inquiries/admin/inbox/bulk.html",
            rows=rows,
            action=action,
            words=WORDS[action],
            assignee=assignee,
            assignee_value=form.get("assignee", ""),
            problem=None,
        )
    done, problem = attempt(
        lambda: operations.bulk([row.id for row in rows], action, current_user, assignee)
    )
    if problem or done is None:
        return _refused(problem or "Nothing was changed.", 409)
    flash(
        f"{WORDS[action]}: {len(done.changed)} changed"
        + (f", {len(done.skipped)} left as they were" if done.skipped else "")
        + ".",
        "info",
    )
    return redirect(url_for("staff_inquiries.index"), code=303)
