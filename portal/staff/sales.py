"""Membership tiers and the member directory in the back office: list, create, edit; tiers
are retired and restored, members listed or not."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.inquiries.models import Member, MembershipTier
from portal.inquiries.sales_operations import MEMBER, TIER
from portal.staff import managed
from portal.staff.auth import staff_required
from portal.staff.sales_forms import MemberForm, TierForm

bp = Blueprint("staff_sales", __name__, url_prefix="/staff")


def _tiers() -> list[MembershipTier]:
    stmt = select(MembershipTier).order_by(
        MembershipTier.retired_at.is_not(None), MembershipTier.position, MembershipTier.id
    )
    return list(db.session.scalars(stmt))


@bp.get("/tiers/")
@staff_required
def tiers():
    return render_template("staff/sales/tiers.html", tiers=_tiers())


@bp.route("/tiers/new", methods=["GET", "POST"])
@staff_required
def new_tier():
    return managed.edit(TIER, TierForm(), None, url_for(".tiers"), "New membership tier")


@bp.route("/tiers/<int:tier_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_tier(tier_id: int):
    tier = db.get_or_404(MembershipTier, tier_id)
    return managed.edit(TIER, TierForm(obj=tier), tier, url_for(".tiers"), tier.name)


managed.add_retire_routes(
    bp, TIER, "/tiers", "tier_id", "_tier", staff_required, lambda _: url_for(".tiers")
)


@bp.get("/members/")
@staff_required
def members():
    stmt = select(Member).options(selectinload(Member.tier)).order_by(Member.name)
    return render_template("staff/sales/members.html", members=list(db.session.scalars(stmt)))


def _member_tiers(member: Member | None) -> list[MembershipTier]:
    """Tiers on offer, and the member's own even if it was retired since."""
    return [t for t in _tiers() if not t.is_retired or (member is not None and member.tier is t)]


@bp.route("/members/new", methods=["GET", "POST"])
@staff_required
def new_member():
    form = MemberForm(tiers=_member_tiers(None), data={"tier": request.args.get("tier")})
    return managed.edit(MEMBER, form, None, url_for(".members"), "New member")


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@staff_required
def edit_member(member_id: int):
    member = db.get_or_404(Member, member_id)
    form = MemberForm(obj=member, tiers=_member_tiers(member))
    return managed.edit(MEMBER, form, member, url_for(".members"), member.name)
