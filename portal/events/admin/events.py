"""The events back office: list, create, edit, preview, and the status actions."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal.accounts.auth import staff_required
from portal.core import backoffice
from portal.core.forms import saved
from portal.core.saving import attempt, saving
from portal.events import operations
from portal.events.admin.forms import EventForm
from portal.events.models import Event, EventStatus, Project
from portal.events.queries import StaffEventFilter
from portal.events.rules import timezones
from portal.events.views import page_context
from portal.extensions import db

bp = Blueprint("staff_events", __name__, url_prefix="/staff/events")
backoffice.menu("Manage events", "staff_events.index", order=10)


@bp.get("/")
@staff_required
def index():
    filters = StaffEventFilter(request.args)
    return render_template(
        "events/admin/list.html",
        filters=filters,
        pagination=filters.paginate(),
        statuses=EventStatus,
    )


def _projects_for(event: Event | None) -> list[Project]:
    """Active projects, and the retired ones the event already names."""
    chosen = set(event.projects) if event else set()
    everything = db.session.scalars(select(Project).order_by(Project.position, Project.name))
    return [p for p in everything if not p.is_retired or p in chosen]


def _render_form(form: EventForm, event: Event | None, status: int = 200, notice: str = ""):
    return render_template(
        "events/admin/form.html",
        form=form,
        event=event,
        timezones=sorted(timezones()),
        notice=notice,
    ), status


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    form = EventForm(projects=_projects_for(None))
    event = saved(form, lambda: operations.create_event(form.values(), current_user))
    if event is not None:
        flash(f"Draft “{event.title}” created.", "info")
        return redirect(url_for(".edit", event_id=event.id), code=303)
    if request.method == "GET":
        form.timezone.data = form.timezone.data or "UTC"
    return _render_form(form, None, form.status)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = EventForm(projects=_projects_for(event), event=event)
    changed = saved(form, lambda: operations.update_event(event, form.values(), current_user))
    if changed is not None:
        flash("Saved." if changed else "Nothing to save: no field changed.", "info")
        return redirect(url_for(".edit", event_id=event.id), code=303)
    return _render_form(form, event, form.status)


@bp.get("/<int:event_id>/preview")
@staff_required
def preview(event_id: int):
    """The event exactly as its public page shows it, drafts included."""
    event = db.get_or_404(Event, event_id)
    return render_template("events/admin/preview.html", **page_context(event))


def _act(event_id: int, operation, done: str, to_list: bool = False):
    """Run a status action; a refusal or a lost race shows the event again with the reason
    (409)."""
    event = db.get_or_404(Event, event_id)
    title = event.title
    _, problem = attempt(lambda: operation(event, current_user))
    if problem:
        event = db.get_or_404(Event, event_id)
        form = EventForm(projects=_projects_for(event), event=event, formdata=None)
        return _render_form(form, event, 409, notice=problem)
    flash(done.format(title=title), "info")
    target = url_for(".index") if to_list else url_for(".edit", event_id=event_id)
    return redirect(target, code=303)


STATUS_ACTIONS = {
    "publish": (operations.publish, "“{title}” is published."),
    "postpone": (operations.postpone, "“{title}” is marked postponed."),
    "cancel": (operations.cancel, "“{title}” is marked cancelled."),
}


@staff_required
def change_status(event_id: int, action: str):
    operation, done = STATUS_ACTIONS[action]
    return _act(event_id, operation, done)


# One URL per action (/staff/events/<id>/publish, ...), so each button names what it does.
for _action in STATUS_ACTIONS:
    bp.add_url_rule(
        f"/<int:event_id>/{_action}",
        endpoint=_action,
        view_func=change_status,
        methods=["POST"],
        defaults={"action": _action},
    )


@bp.post("/<int:event_id>/duplicate")
@staff_required
def duplicate(event_id: int):
    event = db.get_or_404(Event, event_id)
    with saving():
        copy = operations.duplicate(event, current_user)
    flash(f"Draft “{copy.title}” created from “{event.title}”.", "info")
    return redirect(url_for(".edit", event_id=copy.id), code=303)


@bp.post("/<int:event_id>/delete")
@staff_required
def delete(event_id: int):
    return _act(event_id, operations.delete_draft, "Draft “{title}” deleted.", to_list=True)


@backoffice.panel("events", "events/admin/_panel.html", order=20)
def events_panel(now: datetime) -> dict:
    counts = dict(
        db.session.execute(select(Event.status, func.count()).group_by(Event.status)).all()
    )
    upcoming = db.session.scalars(
        select(Event)
        .where(Event.ends_at > now.astimezone(UTC).replace(tzinfo=None))
        .order_by(Event.starts_at, Event.id)
        .limit(8)
    )
    return {"counts": {s: counts.get(s, 0) for s in EventStatus}, "upcoming": list(upcoming)}
