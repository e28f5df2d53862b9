"""The signed links of alert mail: they name a subscription by its row and nonce, never by
its address, and any change to them makes them worthless."""

from __future__ import annotations

import hmac
from datetime import timedelta

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer, URLSafeTimedSerializer

from portal.alerts.models import AlertSubscription
from portal.core.urls import external_url
from portal.extensions import db

CONFIRM_SALT = "portal.alerts.confirm"
MANAGE_SALT = "portal.alerts.manage"
# A confirmation link works as long as its unconfirmed subscription is kept.
CONFIRM_MAX_AGE = timedelta(days=7)


def _secret() -> str:
    return str(current_app.config["SECRET_KEY"])


def confirm_token(subscription: AlertSubscription) -> str:
    return URLSafeTimedSerializer(_secret(), salt=CONFIRM_SALT).dumps(
        [subscription.id, subscription.nonce]
    )


def manage_token(subscription: AlertSubscription) -> str:
    return URLSafeSerializer(_secret(), salt=MANAGE_SALT).dumps(
        [subscription.id, subscription.nonce]
    )


def _subscription(payload: object) -> AlertSubscription | None:
    if not (isinstance(payload, list) and len(payload) == 2):
        return None
    number, nonce = payload
    if not isinstance(number, int) or not isinstance(nonce, str):
        return None
    found = db.session.get(AlertSubscription, number)
    if found is None or not hmac.compare_digest(found.nonce, nonce):
        return None
    return found


def from_confirm_token(token: str) -> AlertSubscription | None:
    """The subscription a confirmation link names; None when it was changed, is older than a
    week, or its subscription is gone."""
    serializer = URLSafeTimedSerializer(_secret(), salt=CONFIRM_SALT)
    try:
        payload = serializer.loads(token, max_age=int(CONFIRM_MAX_AGE.total_seconds()))
    except BadData:
        return None
    return _subscription(payload)


def from_manage_token(token: str) -> AlertSubscription | None:
    try:
        payload = URLSafeSerializer(_secret(), salt=MANAGE_SALT).loads(token)
    except BadData:
        return None
    return _subscription(payload)


def confirm_url(subscription: AlertSubscription) -> str:
    return external_url("alerts.confirm", token=confirm_token(subscription))


def manage_url(subscription: AlertSubscription) -> str:
    return external_url("alerts.manage", token=manage_token(subscription))


def unsubscribe_url(subscription: AlertSubscription) -> str:
    return external_url("alerts.unsubscribe", token=manage_token(subscription))
