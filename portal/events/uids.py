"""The iCalendar UID of an event: given once, when the event is made, and stored, so feeds
fetched at any address (127.0.0.1, localhost, the public name) carry the same UIDs. Its domain
never comes from a request: PORTAL_BASE_URL's host, else a fixed one."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_app_context

# Reserved (RFC 2606): it names no one else's site, and stays the same on every install.
FIXED_DOMAIN = "events-portal.invalid"


def uid_domain(config: Mapping[str, Any]) -> str:
    base = config.get("BASE_URL")
    host = urlsplit(base).hostname if base else None
    return host or FIXED_DOMAIN


def legacy_uid(event_id: int, config: Mapping[str, Any]) -> str:
    """What the feed wrote before UIDs were stored, and what migration 0014 gave old events."""
    return f"event-{event_id}@{uid_domain(config)}"


def new_uid() -> str:
    """A new event's UID (a column default: events made anywhere get one)."""
    domain = uid_domain(current_app.config) if has_app_context() else FIXED_DOMAIN
    return f"event-{uuid.uuid4().hex}@{domain}"
