"""The inquiry forms' rate limits: one budget per submitter address and one per client, shared
by both forms, and forgetting an address's count when its data is erased."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address

from portal.core import limits
from portal.extensions import limiter
from portal.inquiries.forms import normalized_address

EMAIL_SCOPE, IP_SCOPE = "inquiry-email", "inquiry-ip"
TOO_MANY = _l(
    "We have received several inquiries from you in a short time. Please wait a while before "
    "sending another, or write to us directly."
)


def email_key(typed: str) -> str:
    """The address as the form stores it (cleaned of invisible characters, its domain in
    ASCII form, lower case): one address cannot flood staff (or its owner, with
    acknowledgements) by changing IP, nor by adding a zero-width space."""
    return f"email:{normalized_address(typed)}"


def _submitter_key() -> str:
    typed = request.form.get("email") or ""
    return email_key(typed) if normalized_address(typed) else f"ip:{get_remote_address()}"


limit_per_email = limiter.shared_limit(
    lambda: current_app.config["INQUIRY_RATELIMIT_PER_EMAIL"],
    scope=EMAIL_SCOPE,
    key_func=_submitter_key,
    methods=["POST"],
    error_message=lambda: str(TOO_MANY),  # in the language of the page
)
limit_per_ip = limiter.shared_limit(
    lambda: current_app.config["INQUIRY_RATELIMIT_PER_IP"],
    scope=IP_SCOPE,
    methods=["POST"],
    error_message=lambda: str(TOO_MANY),  # in the language of the page
)


def forget_address(email: str) -> None:
    """Forget how many inquiries `email` sent lately (its key names the address): erasing an
    address's data erases that too. Flask-Limiter keys a shared limit by its key and scope,
    after its key prefix when one is set."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    keys = [prefix] if prefix else []
    limits.clear(
        current_app.config["INQUIRY_RATELIMIT_PER_EMAIL"], *keys, email_key(email), EMAIL_SCOPE
    )
