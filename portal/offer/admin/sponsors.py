"""Sponsors in the back office: the sales of every event (the pipeline), one event's sponsors,
adding, editing (hiding) and removing one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.accounts.auth import staff_required
from portal.core import backoffice
from portal.core.forms import saved
from portal.core.saving import attempt
from portal.events.models import Event
from portal.extensions import db
from portal.offer import pipeline, queries, sponsors
from portal.offer.admin.forms import SponsorEditForm, SponsorForm
from portal.offer.admin.uploads import answer_too_large, posted_logo
from portal.offer.models import Sponsor

bp = Blueprint("staff_sponsors", __name__, url_prefix="/staff")
backoffice.menu("Sponsors", "staff_sponsors.index", order=63)
answer_too_large(bp)


@bp.get("/sponsors/")
@staff_required
def index():
    return render_template(
        "offer/admin/pipeline.html",
        sales=pipeline.event_sales(),
        tiers=pipeline.tier_members(),
    )


@bp.get("/events/<int:event_id>/sponsors")
@staff_required
def of_event(event_id: int):
    event = db.get_or_404(Event, event_id)
    return render_template(
        "offer/admin/sponsors.html",
        event=event,
        sponsors=sponsors.sponsors_of_event(event.id),
        logo_url=sponsors.logo_url,
    )


@bp.route("/events/<int:event_id>/sponsors/new", methods=["GET", "POST"])
@staff_required
def new(event_id: int):
    event = db.get_or_404(Event, event_id)
    form = SponsorForm(packages=queries.packages_of(event.id))
    back = url_for(".of_event", event_id=event.id)

    def save() -> str:
        values = form.sponsor_values()
        sponsor = sponsors.add_sponsor(event, values, posted_logo(), current_user)
        return f"{sponsor.organization} sponsors {event.title}."

    done = saved(form, save)
    if done is not None:
        flash(done, "info")
        return redirect(back, code=303)
    title = f"New sponsor of {event.title}"
    return render_template(
        "offer/admin/sponsor_form.html", form=form, title=title, back=back
    ), form.status


@bp.route("/sponsors/<int:sponsor_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(sponsor_id: int):
    sponsor = db.get_or_404(Sponsor, sponsor_id)
    packages = queries.packages_of(sponsor.event_id)
    if sponsor.package not in packages:
        packages.append(sponsor.package)
    form = SponsorEditForm(obj=sponsor, packages=packages)
    back = url_for(".of_event", event_id=sponsor.event_id)

    def save() -> str:
        values = form.sponsor_values()
        hidden = bool(form.is_hidden.data)
        sponsors.update_sponsor(sponsor, values, posted_logo(), hidden, current_user)
        return "Saved."

    done = saved(form, save)
    if done is not None:
        flash(done, "info")
        return redirect(back, code=303)
    return render_template(
        "offer/admin/sponsor_form.html",
        form=form,
        title=f"{sponsor.organization}, sponsor of {sponsor.event.title}",
        back=back,
        logo_url=sponsors.logo_url(sponsor.logo),
    ), form.status


@bp.post("/sponsors/<int:sponsor_id>/remove")
@staff_required
def remove(sponsor_id: int):
    sponsor = db.get_or_404(Sponsor, sponsor_id)
    event_id, name = sponsor.event_id, sponsor.organization
    _, problem = attempt(lambda: sponsors.remove_sponsor(sponsor, current_user))
    flash(problem or f"{name} is no longer a sponsor.", "error" if problem else "info")
    return redirect(url_for(".of_event", event_id=event_id), code=303)
