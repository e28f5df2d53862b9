"""The alert form's rate limits: one budget per address and one per client, apart from the
inquiry forms'; and forgetting an address's count when its data is erased."""

from __future__ import annotations

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address

from portal.core import limits
from portal.extensions import limiter
from portal.inquiries.forms import normalized_address

EMAIL_SCOPE, IP_SCOPE = "alert-email", "alert-ip"
TOO_MANY = _l("We have received several requests for alerts from you lately. Please try later.")


def email_key(typed: str) -> str:
    return f"alert-email:{normalized_address(typed)}"


def _subscriber_key() -> str:
    typed = request.form.get("email") or ""
    return email_key(typed) if normalized_address(typed) else f"ip:{get_remote_address()}"


limit_per_email = limiter.shared_limit(
    lambda: current_app.config["ALERTS_RATELIMIT_PER_EMAIL"],
    scope=EMAIL_SCOPE,
    key_func=_subscriber_key,
    methods=["POST"],
    error_message=lambda: str(TOO_MANY),  # in the language of the page
)
limit_per_ip = limiter.shared_limit(
    lambda: current_app.config["ALERTS_RATELIMIT_PER_IP"],
    scope=IP_SCOPE,
    methods=["POST"],
    error_message=lambda: str(TOO_MANY),  # in the language of the page
)


def forget_address(email: str) -> None:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or ""
    keys = [prefix] if prefix else []
    limits.clear(
        current_app.config["ALERTS_RATELIMIT_PER_EMAIL"], *keys, email_key(email), EMAIL_SCOPE
    )
