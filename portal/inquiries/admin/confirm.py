"""The inbox's "Confirm sponsor" and "Confirm member": a won inquiry recorded as a sponsor of
its event or a member of the directory, with its logo (editors and admins)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from portal.accounts.auth import staff_required
from portal.core.forms import saved
from portal.extensions import db
from portal.inquiries import confirm
from portal.inquiries.models import Inquiry, InquiryKind, InquiryStatus
from portal.offer import queries
from portal.offer.admin.forms import ConfirmMemberForm, SponsorForm
from portal.offer.admin.uploads import answer_too_large, posted_logo

bp = Blueprint("staff_confirm", __name__, url_prefix="/staff/inquiries")
answer_too_large(bp)


def _done(message: str, inquiry_id: int):
    flash(message, "info")
    return redirect(url_for("staff_inquiries.detail", inquiry_id=inquiry_id), code=303)


def _page(form, inquiry: Inquiry, title: str, intro: str):
    back = url_for("staff_inquiries.detail", inquiry_id=inquiry.id)
    return render_template(
        "offer/admin/sponsor_form.html",
        form=form, title=title, intro=intro, back=back, submit=title,
    ), form.status  # fmt: skip


def _elsewhere(inquiry: Inquiry):
    """The other kind's button was followed (an old link): say what this inquiry confirms."""
    if inquiry.status is InquiryStatus.WON or inquiry.status is InquiryStatus.SPAM:
        abort(409, description="This inquiry has nothing left to confirm.")
    return render_template("inquiries/admin/inbox/confirm_elsewhere.html", inquiry=inquiry)


@bp.route("/<int:inquiry_id>/confirm-sponsor", methods=["GET", "POST"])
@staff_required
def sponsor(inquiry_id: int):
    inquiry = db.get_or_404(Inquiry, inquiry_id)
    if inquiry.kind is not InquiryKind.SPONSORSHIP or inquiry.event is None:
        return _elsewhere(inquiry)
    data = {"organization": inquiry.organization, "package": inquiry.package}
    form = SponsorForm(data=data, packages=queries.packages_of(inquiry.event.id))

    def save() -> str:
        found = confirm.confirm_sponsor(inquiry, form.sponsor_values(), posted_logo(), current_user)
        return f"{found.organization} sponsors {found.event.title} ({found.package.name})."

    done = saved(form, save)
    if done is not None:
        return _done(done, inquiry_id)
    intro = f"{inquiry.event.title}. The inquiry becomes won, and the package one fewer left."
    return _page(form, inquiry, "Confirm sponsor", intro)


@bp.route("/<int:inquiry_id>/confirm-member", methods=["GET", "POST"])
@staff_required
def member(inquiry_id: int):
    inquiry = db.get_or_404(Inquiry, inquiry_id)
    if inquiry.kind is not InquiryKind.MEMBERSHIP:
        return _elsewhere(inquiry)
    tiers = [tier for tier in queries.all_tiers() if not tier.is_retired]
    form = ConfirmMemberForm(data={"name": inquiry.organization, "tier": inquiry.tier}, tiers=tiers)

    def save() -> str:
        found = confirm.confirm_member(inquiry, form.member_values(), posted_logo(), current_user)
        return f"{found.name} is a {found.tier.name} member."

    done = saved(form, save)
    if done is not None:
        return _done(done, inquiry_id)
    intro = "The inquiry becomes won, and the organization is listed in the member directory."
    return _page(form, inquiry, "Confirm member", intro)
