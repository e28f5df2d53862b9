"""Staff accounts, for admins: the list, a new account, deactivating and reactivating."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts import operations
from portal.accounts.auth import admin_required
from portal.accounts.forms import StaffAccountForm
from portal.accounts.models import StaffRole, StaffUser
from portal.core import backoffice
from portal.core.forms import saved
from portal.core.saving import attempt
from portal.extensions import db

bp = Blueprint("staff_accounts", __name__, url_prefix="/staff/accounts")
backoffice.menu("Accounts", "staff_accounts.index", order=90, admin_only=True)


@bp.get("/")
@admin_required
def index():
    users = db.session.scalars(select(StaffUser).order_by(StaffUser.active.desc(), StaffUser.email))
    return render_template("accounts/admin/list.html", users=list(users))


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    form = StaffAccountForm()
    user = saved(
        form,
        lambda: operations.add_staff(
            form.email.data,
            form.name.data,
            StaffRole(form.role.data),
            form.password.data,
            actor=current_user,
        ),
    )
    if user is not None:
        flash(f"Account {user.email} created.", "info")
        return redirect(url_for(".index"), code=303)
    return render_template("accounts/admin/form.html", form=form), form.status


@bp.post("/<int:user_id>/deactivate")
@admin_required
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.post("/<int:user_id>/activate")
@admin_required
def activate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):
    user = db.get_or_404(StaffUser, user_id)
    _, problem = attempt(lambda: operations.set_active(user, active, actor=current_user))
    if problem:
        flash(problem, "error")
    else:
        flash(f"{user.email} is {'active' if active else 'deactivated'}.", "info")
    return redirect(url_for(".index"), code=303)
