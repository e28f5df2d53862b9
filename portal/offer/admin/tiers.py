"""Membership tiers in the back office: list, create, edit, retire and restore."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from portal.accounts.auth import staff_required
from portal.core import backoffice, screens
from portal.extensions import db
from portal.offer import queries
from portal.offer.admin.forms import TierForm
from portal.offer.models import MembershipTier
from portal.offer.operations import TIER

bp = Blueprint("staff_tiers", __name__, url_prefix="/staff/tiers")
backoffice.menu("Tiers", "staff_tiers.index", order=60)


@bp.get("/")
@staff_required
def index():
    return render_template("offer/admin/tiers.html", tiers=queries.all_tiers())


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    return screens.edit(TIER, TierForm(), None, url_for(".index"), "New membership tier")


@bp.route("/<int:tier_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(tier_id: int):
    tier = db.get_or_404(MembershipTier, tier_id)
    return screens.edit(TIER, TierForm(obj=tier), tier, url_for(".index"), tier.name)


screens.add_retire_routes(bp, TIER, "tier_id", staff_required, lambda _: url_for(".index"))
