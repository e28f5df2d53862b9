"""Who may see the back office: Flask-Login's setup, role decorators and safe `next` targets."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.models import StaffRole, StaffSession, StaffUser
from portal.core.db import utcnow
from portal.core.hygiene import as_id
from portal.extensions import db, login


def init_app(app: Flask) -> None:
    # Flask-Login's own context processor loads the user for every page rendered. With strong
    # session protection, loading an anonymous visitor's session that holds anything (a CSRF
    # token) marks it "clear" and every public page then sends a cookie deletion. The proxy
    # below loads the user only where a template asks for it: the back office.
    login.init_app(app, add_context_processor=False)
    app.context_processor(lambda: {"current_user": current_user})
    # "strong": a session cookie replayed from another address or browser is dropped.
    login.session_protection = "strong"
    login.user_loader(load_user)
    login.unauthorized_handler(to_login)


def load_user(user_id: str) -> StaffUser | None:
    """The active account whose sign-in the cookie names, while that sign-in is on record and
    has not expired (one statement). A copy of a cookie whose sign-in was ended (signing out,
    a new password, deactivation) names nothing."""
    number, _, token = user_id.partition(":")
    if (account_id := as_id(number)) is None or not token or len(token) > 100:
        return None
    user = db.session.scalar(
        select(StaffUser)
        .join(StaffSession, StaffSession.user_id == StaffUser.id)
        .where(
            StaffUser.id == account_id,
            StaffUser.active.is_(True),
            StaffSession.token_hash == StaffSession.hash(token),
            StaffSession.expires_at > utcnow(),
        )
    )
    if user is not None:
        user.session_token = token
    return user


def to_login():
    """Anonymous visitors go to the sign-in page, and come back to the page they asked for."""
    if request.method == "GET":
        return redirect(url_for("staff_login.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("staff_login.login"), code=303)


def role_required(role: StaffRole) -> Callable:
    """Signed-in staff with `role` (admins have every role); others get 403. The role is kept
    on the view as `required_role`, which the access-matrix tests read."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return to_login()
            if not current_user.may(role):
                abort(403, description="Your staff account does not have access to this page.")
            return view(*args, **kwargs)

        # An attribute of the view function, which mypy does not let a function have.
        wrapped.required_role = role  # type: ignore[attr-defined]
        return wrapped

    return decorator


staff_required = role_required(StaffRole.EDITOR)
admin_required = role_required(StaffRole.ADMIN)


def safe_next(target: str | None) -> str | None:
    """`target` when it is a path on this site; None for anything that could leave it
    (`//evil`, `https://evil`, `/\\evil`, control characters)."""
    if not target or len(target) > 2000 or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    if any(ord(char) < 32 or ord(char) == 127 for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
