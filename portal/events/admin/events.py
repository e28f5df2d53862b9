"""The events back office: list, create, edit, preview, and the status actions."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.auth import staff_required
from portal.core import backoffice
from portal.core.forms import saved
from portal.core.lists import bounded_count
from portal.core.saving import attempt
from portal.events import operations
from portal.events import queries as event_queries
from portal.events.admin.forms import EventForm, NewDatesForm, NextEditionForm, StatusChangeForm
from portal.events.models import Event, EventStatus, Project
from portal.events.queries import StaffEventFilter
from portal.events.rules import country_timezones
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
        country_zones=country_timezones(form.country.data),
        next_edition=event_queries.next_edition(event, public=False) if event else None,
        previous_edition=(
            db.session.get(Event, event.previous_edition_id)
            if event and event.previous_edition_id
            else None
        ),
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


@bp.post("/<int:event_id>/publish")
@staff_required
def publish(event_id: int):
    return _act(event_id, operations.publish, "“{title}” is published.")


@bp.route("/<int:event_id>/publish-again", methods=["GET", "POST"])
@staff_required
def publish_again(event_id: int):
    """A postponed event whose new dates were to be announced is published again on new
    dates, asked for here (the dates it was postponed from are refused)."""
    event = db.get_or_404(Event, event_id)
    if not (event.is_postponed and event.dates_to_be_announced):
        if request.method == "POST":
            return redirect(url_for(".edit", event_id=event_id), code=303)
        return render_template(
            "events/admin/publish_again.html",
            form=None,
            event=event,
            notice="This event has its dates: publish it again from its page.",
        )
    form = NewDatesForm()
    title = event.title

    def work() -> bool:
        operations.publish_with_dates(event, current_user, form.starts_on.data, form.ends_on.data)
        return True

    if saved(form, work):
        flash(f"“{title}” is published again on its new dates.", "info")
        return redirect(url_for(".edit", event_id=event_id), code=303)
    return render_template("events/admin/publish_again.html", form=form, event=event), form.status


PAST = {"postpone": "postponed", "cancel": "cancelled"}
STATUS_CHANGES = {
    "postpone": ("Postpone", "“{title}” is marked postponed."),
    "cancel": ("Cancel", "“{title}” is marked cancelled."),
}


@staff_required
def change_status(event_id: int, action: str):
    """Postpone or cancel after a confirmation that asks for the reason the public reads."""
    event = db.get_or_404(Event, event_id)
    form = StatusChangeForm()
    if action not in event.status.actions:
        if request.method == "GET":  # say why there is nothing to confirm
            return render_template(
                "events/admin/status_change.html",
                form=None,
                event=event,
                action=action,
                verb=STATUS_CHANGES[action][0],
                notice=f"A {event.status.label.lower()} event cannot be {PAST[action]}.",
            )
        return _act(event_id, lambda e, actor: operations.change_status(e, action, actor), "")

    def work() -> bool:
        announced = action == "postpone" and form.dates_to_be_announced.data
        operations.change_status(event, action, current_user, form.reason.data, announced)
        return True

    title = event.title
    if saved(form, work):
        flash(STATUS_CHANGES[action][1].format(title=title), "info")
        return redirect(url_for(".edit", event_id=event_id), code=303)
    verb = STATUS_CHANGES[action][0]
    return render_template(
        "events/admin/status_change.html", form=form, event=event, action=action, verb=verb
    ), form.status


# One URL per action (/staff/events/<id>/postpone, ...), so each button names what it does;
# GET asks for the confirmation and the reason, POST does it.
for _action in STATUS_CHANGES:
    bp.add_url_rule(
        f"/<int:event_id>/{_action}",
        endpoint=_action,
        view_func=change_status,
        methods=["GET", "POST"],
        defaults={"action": _action},
    )


@bp.route("/<int:event_id>/next-edition", methods=["GET", "POST"])
@staff_required
def next_edition(event_id: int):
    """The next edition's dates (a year later on the same weekdays unless staff say
    otherwise), then a draft that copies the projects, links and sponsorship packages."""
    event = db.get_or_404(Event, event_id)
    form = NextEditionForm()
    if request.method == "GET":
        form.starts_on.data, form.ends_on.data = operations.next_edition_dates(event)
    edition = saved(
        form,
        lambda: operations.next_edition(
            event,
            current_user,
            form.starts_on.data,
            form.ends_on.data,
            dates_to_be_confirmed=form.dates_to_be_confirmed.data,
        ),
    )
    if edition is not None:
        flash(f"Draft “{edition.title}” created as the next edition of “{event.title}”.", "info")
        return redirect(url_for(".edit", event_id=edition.id), code=303)
    return render_template("events/admin/next_edition.html", form=form, event=event), form.status


@bp.post("/<int:event_id>/duplicate")
@staff_required
def duplicate(event_id: int):
    """Kept for the links and scripts that post here: the next edition on its default dates,
    or the dates form when those are already over."""
    event = db.get_or_404(Event, event_id)
    copy, problem = attempt(lambda: operations.duplicate(event, current_user))
    if problem or copy is None:
        return redirect(url_for(".next_edition", event_id=event_id), code=303)
    flash(f"Draft “{copy.title}” created from “{event.title}”.", "info")
    return redirect(url_for(".edit", event_id=copy.id), code=303)


@bp.post("/<int:event_id>/delete")
@staff_required
def delete(event_id: int):
    return _act(event_id, operations.delete_draft, "Draft “{title}” deleted.", to_list=True)


@backoffice.panel("events", "events/admin/_panel.html", order=20)
def events_panel(now: datetime) -> dict:
    # A statement a status, each reading at most COUNT_LIMIT entries of its index.
    counts = {
        status: bounded_count(select(Event.id).where(Event.status == status))
        for status in EventStatus
    }
    upcoming = db.session.scalars(
        select(Event)
        .where(Event.ends_at > now.astimezone(UTC).replace(tzinfo=None))
        .order_by(Event.starts_at, Event.id)
        .limit(8)
    )
    return {"counts": counts, "upcoming": list(upcoming)}
