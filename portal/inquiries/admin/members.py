"""The member directory in the back office: list, create, edit; a member is listed or not."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.auth import staff_required
from portal.core import backoffice, screens
from portal.extensions import db
from portal.inquiries import queries
from portal.inquiries.admin.forms import MemberForm
from portal.inquiries.models import Member, MembershipTier
from portal.inquiries.sales_operations import MEMBER

bp = Blueprint("staff_members", __name__, url_prefix="/staff/members")
backoffice.menu("Members", "staff_members.index", order=61)


@bp.get("/")
@staff_required
def index():
    stmt = select(Member).options(selectinload(Member.tier)).order_by(Member.name)
    members = list(db.session.scalars(stmt))
    return render_template("inquiries/admin/sales/members.html", members=members)


def _tiers_for(member: Member | None) -> list[MembershipTier]:
    """Tiers on offer, and the member's own even if it was retired since."""
    return [
        tier
        for tier in queries.all_tiers()
        if not tier.is_retired or (member is not None and member.tier is tier)
    ]


@bp.route("/new", methods=["GET", "POST"])
@staff_required
def new():
    form = MemberForm(tiers=_tiers_for(None), data={"tier": request.args.get("tier")})
    return screens.edit(MEMBER, form, None, url_for(".index"), "New member")


@bp.route("/<int:member_id>/edit", methods=["GET", "POST"])
@staff_required
def edit(member_id: int):
    member = db.get_or_404(Member, member_id)
    form = MemberForm(obj=member, tiers=_tiers_for(member))
    return screens.edit(MEMBER, form, member, url_for(".index"), member.name)
