"""Every change to staff accounts, and signing in. The views and the `staff` commands call
these and commit (core.saving)."""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import delete, select

from portal.accounts.models import StaffRole, StaffSession, StaffUser
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.core.audit import record
from portal.core.db import utcnow
from portal.core.errors import Refused
from portal.extensions import db

MIN_PASSWORD = 12
MAX_PASSWORD = 1024  # hashing is cheap whatever the length, but a page needs no more


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def by_email(email: str) -> StaffUser | None:
    return db.session.scalar(select(StaffUser).where(StaffUser.email == normalize_email(email)))


def check_password(password: str) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise Refused(
            {"password": f"A password has between {MIN_PASSWORD} and {MAX_PASSWORD} characters."}
        )


def snapshot(user: StaffUser) -> dict:
    # Never the password hash: the audit log is read by people.
    return {"email": user.email, "name": user.name, "role": user.role.value, "active": user.active}


def add_staff(
    email: str, name: str, role: StaffRole, password: str, actor: StaffUser | None = None
) -> StaffUser:
    try:
        address = validate_email(email.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise Refused({"email": f"{email!r} is not an email address: {error}"}) from None
    address = normalize_email(address)
    name = " ".join(name.split())
    if not name or len(name) > 120:
        raise Refused({"name": "A name has between 1 and 120 characters."})
    check_password(password)
    if by_email(address) is not None:
        raise Refused({"email": f"There is already a staff account for {address}."})
    user = StaffUser(email=address, name=name, role=StaffRole(role), active=True)
    user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "staff.add", user, user.email, after=snapshot(user))
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> StaffUser | None:
    """The active account with this email and password, or None whatever the reason, after
    the same work in every case (see verify_password)."""
    user = by_email(email)
    stored = user.password_hash if user is not None and user.active else None
    if not verify_password(stored, password) or user is None:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def open_session(user: StaffUser) -> str:
    """A new sign-in of `user`, on record until it ends or STAFF_SESSION_HOURS pass; returns
    its token, which only the session cookie holds (the database keeps its hash)."""
    token = StaffSession.new_token()
    hours = float(current_app.config["STAFF_SESSION_HOURS"])
    now = utcnow()
    db.session.add(
        StaffSession(
            user_id=user.id,
            token_hash=StaffSession.hash(token),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    # Expired sign-ins of the account go on the way: the table holds only live ones.
    db.session.execute(
        delete(StaffSession).where(StaffSession.user_id == user.id, StaffSession.expires_at <= now)
    )
    db.session.flush()
    user.session_token = token
    return token


def close_session(token: str | None) -> None:
    """End one sign-in: every copy of its cookie signs nobody in from now on."""
    if token:
        db.session.execute(
            delete(StaffSession).where(StaffSession.token_hash == StaffSession.hash(token))
        )


def close_all_sessions(user: StaffUser) -> None:
    db.session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def set_active(user: StaffUser, active: bool, actor: StaffUser | None = None) -> None:
    if actor is not None and actor.id == user.id and not active:
        raise Refused("You cannot deactivate your own account.")
    before = snapshot(user)
    user.active = active
    if not active:
        close_all_sessions(user)
    record(
        actor,
        "staff.activate" if active else "staff.deactivate",
        user,
        user.email,
        before=before,
        after=snapshot(user),
    )
    db.session.flush()


def set_password(user: StaffUser, password: str, actor: StaffUser | None = None) -> None:
    check_password(password)
    user.password_hash = hash_password(password)
    close_all_sessions(user)  # every sign-in with the old password ends
    record(actor, "staff.password", user, user.email)
    db.session.flush()
