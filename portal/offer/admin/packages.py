"""Sponsorship packages in the back office: the events that sell them, one event's packages,
create, edit, retire and restore."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from sqlalchemy import func, select

from portal.accounts.auth import staff_required
from portal.core import backoffice, screens
from portal.events.models import Event
from portal.extensions import db
from portal.offer.admin.forms import PackageForm
from portal.offer.models import SponsorshipPackage
from portal.offer.operations import PACKAGE

bp = Blueprint("staff_packages", __name__, url_prefix="/staff")
backoffice.menu("Packages", "staff_packages.index", order=62)


@bp.get("/packages/")
@staff_required
def index():
    counts = (
        select(SponsorshipPackage.event_id, func.count().label("packages"))
        .where(SponsorshipPackage.retired_at.is_(None))
        .group_by(SponsorshipPackage.event_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Event, func.coalesce(counts.c.packages, 0))
        .outerjoin(counts, counts.c.event_id == Event.id)
        .order_by(Event.starts_on.desc(), Event.id.desc())
    ).all()
    return render_template("offer/admin/package_events.html", rows=rows)


@bp.get("/events/<int:event_id>/packages")
@staff_required
def of_event(event_id: int):
    event = db.get_or_404(Event, event_id)
    packages = db.session.scalars(
        select(SponsorshipPackage)
        .where(SponsorshipPackage.event_id == event.id)
        .order_by(
            SponsorshipPackage.retired_at.is_not(None),
            SponsorshipPackage.position,
            SponsorshipPackage.id,
        )
    )
    return render_template("offer/admin/packages.html", event=event, packages=list(packages))


@bp.route("/events/<int:event_id>/packages/new", methods=["GET", "POST"])
@staff_required
def new(event_id: int):
    event = db.get_or_404(Event, event_id)
    back = url_for(".of_event", event_id=event.id)
    return screens.edit(
        PACKAGE, PackageForm(), None, back, f"New package for {event.title}", event=event
    )


@bp.route("/packages/<int:package_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(package_id: int):
    package = db.get_or_404(SponsorshipPackage, package_id)
    back = url_for(".of_event", event_id=package.event_id)
    title = f"{package.event.title}: {package.name}"
    return screens.edit(PACKAGE, PackageForm(obj=package), package, back, title)


screens.add_retire_routes(
    bp,
    PACKAGE,
    "package_id",
    staff_required,
    lambda package: url_for(".of_event", event_id=package.event_id),
    path="/packages",
)
