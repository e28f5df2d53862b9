"""Absolute addresses for mail, feeds and structured data.

Set `PORTAL_BASE_URL` in production: without it the address comes from the request's Host
header, which the client chooses (`PORTAL_TRUSTED_HOSTS` then limits what is accepted).
"""

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    """`PORTAL_BASE_URL` + the path when it is set; the request's own address otherwise."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
