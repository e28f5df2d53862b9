"""The outbox page: mail that has not gone out, worst first, and sending failed mail again;
and the dashboard panel that points there."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.auth import staff_required
from portal.core import backoffice
from portal.core.db import as_naive_utc
from portal.core.saving import saving
from portal.extensions import db
from portal.mail import operations, queries
from portal.mail.delivery import deliver_now
from portal.mail.models import OutboxMessage, OutboxState

bp = Blueprint("staff_outbox", __name__, url_prefix="/staff/outbox")
backoffice.menu("Outbox", "staff_outbox.index", order=50)


@bp.get("/")
@staff_required
def index():
    filters = queries.OutboxFilter(request.args)
    pagination = filters.paginate()
    return render_template(
        "mail/admin/list.html",
        filters=filters,
        pagination=pagination,
        views=queries.VIEWS,
        counts=queries.undelivered(as_naive_utc(datetime.now().astimezone())),
    )


def _retry(work) -> list[int]:
    """Queue the failed messages again, commit, then try to send them at once."""
    with saving():
        ids = work()
    # current_app is a LocalProxy, which Flask types as the Flask it stands for.
    deliver_now(current_app._get_current_object(), ids)  # type: ignore[attr-defined]
    db.session.expire_all()  # show what delivery recorded
    return ids


def _report(ids: list[int]) -> None:
    """Tell staff what the immediate attempt gave: the answer for one message, counts for more
    (a flash per message would overflow the session cookie)."""
    if not ids:
        flash("Nothing to retry: only failed messages can be sent again.", "error")
        return
    messages = list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(ids))))
    if len(messages) == 1:
        message = messages[0]
        if message.state is OutboxState.SENT:
            flash(f"Sent to {message.recipient}.", "info")
        elif message.state is OutboxState.FAILED:
            flash(f"Failed again for {message.recipient}: {message.last_error}", "error")
        else:
            flash(f"Queued for {message.recipient}: {message.last_error or 'sent soon'}.", "info")
        return
    states = Counter(message.state for message in messages)
    flash(
        f"{len(messages)} messages retried: {states[OutboxState.SENT]} sent, "
        f"{states[OutboxState.FAILED]} failed again, the rest queued.",
        "error" if states[OutboxState.FAILED] else "info",
    )


@bp.post("/<int:message_id>/retry")
@staff_required
def retry(message_id: int):
    db.get_or_404(OutboxMessage, message_id)
    _report(_retry(lambda: operations.retry([message_id], current_user)))
    return redirect(url_for(".index"), code=303)


@bp.post("/retry-failed")
@staff_required
def retry_failed():
    _report(_retry(lambda: operations.retry_all_failed(current_user)))
    return redirect(url_for(".index"), code=303)


@backoffice.panel("outbox", "mail/admin/_panel.html", order=15)
def outbox_panel(now: datetime) -> dict:
    return {"undelivered": queries.undelivered(as_naive_utc(now))}
