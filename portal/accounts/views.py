"""Signing in to the back office and out of it: /staff/login, /staff/logout."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
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
from portal.core import limits
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


def _count_attempt() -> None:
    """Count this sign-in attempt before the password is tried, atomically, so that attempts
    made at once cannot all slip under the limit (a success clears the count): per account,
    or, from a browser that signed in to the account before, per that browser, apart, so that
    whoever floods the account with wrong passwords does not lock its owner out."""
    config = current_app.config
    if _from_known_device():
        limit, key = config["STAFF_LOGIN_LIMIT_PER_DEVICE"], _login_device_key()
        refusal = "Too many failed sign-ins from this browser. Wait a few minutes and try again."
    else:
        limit, key = config["STAFF_LOGIN_LIMIT_PER_ACCOUNT"], _login_account_key()
        refusal = "Too many failed sign-ins for this account. Wait a few minutes and try again."
    if config["RATELIMIT_ENABLED"] and not limits.hit(limit, "staff-login", key):
        abort(429, description=refusal)


def _forget_attempts() -> None:
    config = current_app.config
    for limit, key in (
        (config["STAFF_LOGIN_LIMIT_PER_DEVICE"], _login_device_key()),
        (config["STAFF_LOGIN_LIMIT_PER_ACCOUNT"], _login_account_key()),
    ):
        limits.clear(limit, "staff-login", key)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["STAFF_LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    scope="staff-login-address",
    error_message="Too many sign-in attempts from your address. Wait a few minutes and try again.",
)
def login():
    target = safe_next(request.args.get("next"))
    if request.method == "GET" and current_user.is_authenticated:
        return redirect(target or url_for("staff.home"))
    form = LoginForm()
    if form.validate_on_submit():
        _count_attempt()
        with saving():
            user = authenticate(form.email.data, form.password.data)
            if user is not None:
                open_session(user)
        if user is not None:
            _forget_attempts()
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
