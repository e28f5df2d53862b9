"""Browsers a staff member has signed in from before: a signed cookie set at each successful
sign-in. Failed sign-ins from such a browser count apart from everyone else's, so an attacker
who floods an account with wrong passwords does not lock its owner out of their own browser.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response  # what redirect() gives, and Flask's own Response too

COOKIE = "staff_device"
MAX_AGE = 90 * 24 * 3600  # seconds


def _serializer() -> URLSafeTimedSerializer:
    key = current_app.secret_key
    if key is None:  # config.py always sets one
        raise RuntimeError("The portal has no SECRET_KEY.")
    return URLSafeTimedSerializer(key, salt="staff-device")


def _account(email: str) -> str:
    """The account as the cookie names it: a keyed digest, not the address."""
    key = str(current_app.secret_key).encode()
    return hmac.new(key, email.encode(), hashlib.sha256).hexdigest()[:32]


def device_of(email: str) -> str | None:
    """This browser's id for the account `email` (normalised), when it signed in to that
    account before (within MAX_AGE); None otherwise."""
    raw = request.cookies.get(COOKIE, "")
    if not raw or len(raw) > 500:
        return None
    try:
        account, device = _serializer().loads(raw, max_age=MAX_AGE)
    except (BadSignature, ValueError, TypeError):
        return None
    return device if hmac.compare_digest(str(account), _account(email)) else None


def remember(response: Response, email: str) -> None:
    """Mark this browser as one `email` signs in from (after a successful sign-in)."""
    device = device_of(email) or secrets.token_urlsafe(12)
    response.set_cookie(
        COOKIE,
        _serializer().dumps([_account(email), device]),
        max_age=MAX_AGE,
        path="/staff",
        httponly=True,
        samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )
