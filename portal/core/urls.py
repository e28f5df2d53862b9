"""Absolute addresses for mail, feeds and structured data."""

from flask import current_app, url_for


def external_url(endpoint: str, **values) -> str:
    """`PORTAL_BASE_URL` + the path when it is set; the request's own address otherwise."""
    base = current_app.config.get("BASE_URL")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
