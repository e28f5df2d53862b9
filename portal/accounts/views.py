"""Signing in to the back office and out of it: /staff/login, /staff/logout."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from portal.accounts import devices
from portal.accounts.auth import safe_next, staff_required
from portal.accounts.forms import LoginForm
from portal.accounts.operations import (
    authenticate,
    close_session,
    normalize_email,
    open_session,
)
from portal.core.saving import saving
from portal.extensions import limiter

bp = Blueprint("staff_login", __name__, url_prefix="/staff")

WRONG = "Wrong email or password."  # the same words whatever was wrong


def _email() -> str:
    return normalize_email(request.form.get("email", ""))[:254]


def _login_account_key() -> str:
    return "staff-login:" + _email()


def _login_device_key() -> str:
    return f"staff-login-device:{_email()}:{devices.device_of(_email())}"


def _from_known_device() -> bool:
    return devices.device_of(_email()) is not None


def _failed(response) -> bool:
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["STAFF_LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    scope="staff-login-address",
    error_message="Too many sign-in attempts from your address. Wait a few minutes and try again.",
)
@limiter.limit(
    lambda: current_app.config["STAFF_LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_login_account_key,
    methods=["POST"],
    scope="staff-login-account",
    deduct_when=_failed,  # only failures count against an account
    # Failures from a browser that signed in to this account before count apart (below):
    # whoever floods the account with wrong passwords does not lock its owner out.
    exempt_when=_from_known_device,
    error_message="Too many failed sign-ins for this account. Wait a few minutes and try again.",
)
@limiter.limit(
    lambda: current_app.config["STAFF_LOGIN_LIMIT_PER_DEVICE"],
    key_func=_login_device_key,
    methods=["POST"],
    scope="staff-login-device",
    deduct_when=_failed,
    exempt_when=lambda: not _from_known_device(),
    error_message="Too many failed sign-ins from this browser. Wait a few minutes and try again.",
)
def login():
    target = safe_next(request.args.get("next"))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(target or url_for("staff.home"))
    form = LoginForm()
    if form.validate_on_submit():
        with saving():
            user = authenticate(form.email.data, form.password.data)
            if user is not None:
                open_session(user)
        if user is not None:
            session.clear()  # nothing from before signing in carries over (session fixation)
            login_user(user)
            response = redirect(target or url_for("staff.home"), code=303)
            devices.remember(response, user.email)
            return response
        flash(WRONG, "error")
    elif request.method == "POST":
        flash(WRONG, "error")
    status = 200 if request.method == "GET" else 422
    return render_template("accounts/login.html", form=form, next=target), status


@bp.post("/logout")
@staff_required
def logout():
    with saving():
        close_session(current_user.session_token)
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for(".login"), code=303)
