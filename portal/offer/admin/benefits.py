"""Benefits in the back office: the list staff write once and reuse, and what one package
gives of them (a box and a detail per benefit)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.accounts.auth import staff_required
from portal.core import screens
from portal.core.forms import text_field
from portal.core.row_forms import RowForm, position_field
from portal.core.saving import attempt
from portal.extensions import db
from portal.offer import queries
from portal.offer.benefits import BENEFIT, set_benefits
from portal.offer.models import SponsorshipBenefit, SponsorshipPackage

bp = Blueprint("staff_benefits", __name__, url_prefix="/staff")


class BenefitForm(RowForm):
    name = text_field("Name", 120, required=True, description="“Booth”, “Passes”, “Keynote slot”")
    position = position_field()


@bp.get("/benefits/")
@staff_required
def index():
    return render_template("offer/admin/benefits.html", benefits=queries.all_benefits())


@bp.route("/benefits/new", methods=["GET", "POST"])
@staff_required
def new():
    return screens.edit(BENEFIT, BenefitForm(), None, url_for(".index"), "New benefit")


@bp.route("/benefits/<int:benefit_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(benefit_id: int):
    benefit = db.get_or_404(SponsorshipBenefit, benefit_id)
    form = BenefitForm(obj=benefit)
    return screens.edit(BENEFIT, form, benefit, url_for(".index"), benefit.name)


@bp.route("/packages/<int:package_id>/benefits", methods=["GET", "POST"])
@staff_required
def of_package(package_id: int):
    package = db.get_or_404(SponsorshipPackage, package_id)
    benefits = queries.all_benefits()
    problem = None
    if request.method == "POST":
        given = {
            benefit: request.form.get(f"detail-{benefit.id}", "")
            for benefit in benefits
            if request.form.get(f"benefit-{benefit.id}")
        }
        changed, problem = attempt(lambda: set_benefits(package, given, current_user))
        if not problem:
            flash("Saved." if changed else "Nothing to save: no benefit changed.", "info")
            return redirect(url_for("staff_packages.of_event", event_id=package.event_id), 303)
    page = render_template(
        "offer/admin/package_benefits.html", package=package, benefits=benefits, problem=problem
    )
    return page, 422 if problem else 200
