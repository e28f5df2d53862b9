"""The member directory in the back office: list, create, edit; a member is listed or not."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField

from portal.accounts.auth import staff_required
from portal.core import backoffice, screens
from portal.core.errors import Refused
from portal.core.forms import StaffForm, saved
from portal.core.saving import attempt
from portal.extensions import db
from portal.offer import directory, queries
from portal.offer.admin.forms import MemberForm
from portal.offer.admin.uploads import answer_too_large, logo_field, posted_logo
from portal.offer.models import Member, MembershipTier
from portal.offer.operations import MEMBER

bp = Blueprint("staff_members", __name__, url_prefix="/staff/members")
backoffice.menu("Members", "staff_members.index", order=61)
answer_too_large(bp)


@bp.get("/")
@staff_required
def index():
    stmt = select(Member).options(selectinload(Member.tier)).order_by(Member.name)
    members = list(db.session.scalars(stmt))
    return render_template("offer/admin/members.html", members=members)


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


class MemberLogoForm(StaffForm):
    logo = logo_field()
    remove = BooleanField("Take the logo off")


@bp.route("/<int:member_id>/logo", methods=["GET", "POST"])
@staff_required
def logo(member_id: int):
    """Replace a member's logo (checked as every logo is, offer/logos.py) or take it off."""
    member = db.get_or_404(Member, member_id)
    form = MemberLogoForm()
    back = url_for(".index")

    def save() -> str:
        new = posted_logo()
        if new is None and not form.remove.data:
            raise Refused({"logo": "Choose a logo file, or tick “Take the logo off”."})
        directory.set_logo(member, None if form.remove.data else new, current_user)
        return "Logo taken off." if form.remove.data else "Logo saved."

    done = saved(form, save)
    if done is not None:
        flash(done, "info")
        return redirect(back, code=303)
    return render_template(
        "offer/admin/sponsor_form.html",
        form=form,
        title=f"Logo of {member.name}",
        back=back,
        logo_url=url_for("offer.logo", name=member.logo) if member.logo else None,
    ), form.status


@bp.post("/<int:member_id>/remove")
@staff_required
def remove(member_id: int):
    """Delete the member from the directory, and its logo's file."""
    member = db.get_or_404(Member, member_id)
    name = member.name
    _, problem = attempt(lambda: directory.remove_member(member, current_user))
    flash(problem or f"{name} is no longer in the directory.", "error" if problem else "info")
    return redirect(url_for(".index"), code=303)
