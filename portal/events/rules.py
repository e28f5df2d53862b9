"""What makes an event or a project valid, as plain functions: the staff forms show these
errors beside their fields, and operations refuse what breaks them whoever calls."""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from portal.events.display import is_country_code
from portal.events.models import Event, EventStatus, LinkKind, LinkState, Project
from portal.extensions import db

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class LinkValues:
    """One link as staff enter it: the deadline in the event's own zone. No state: no link."""

    kind: LinkKind
    state: LinkState | None
    url: str | None = None
    deadline: datetime | None = None  # naive, local to the event's zone


def is_slug(value: str, max_length: int = 120) -> bool:
    return bool(value) and len(value) <= max_length and SLUG.fullmatch(value) is not None


def is_http_url(value: str) -> bool:
    """An absolute http(s) address, without spaces or control characters (no `javascript:`,
    no `data:`, no header splitting)."""
    if not value or CONTROL.search(value) or " " in value or "\\" in value:
        return False
    parts = urlsplit(value)
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


@functools.cache
def timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_timezone(name: str) -> bool:
    return name in timezones()


def event_errors(values: dict[str, Any], event: Event | None = None) -> dict[str, str]:
    """Field name -> what is wrong, for the event `values` would make (or make of `event`)."""
    errors: dict[str, str] = {}
    slug = values.get("slug", event.slug if event else None)
    if not is_slug(slug or ""):
        errors["slug"] = "Lower-case letters, digits and single hyphens, at most 120 characters."
    elif event is not None and event.status is not EventStatus.DRAFT and slug != event.slug:
        errors["slug"] = "The address of a published event stays as it is (links point to it)."
    elif _slug_taken(slug, event):
        errors["slug"] = "Another event already has this address."

    def get(name: str) -> Any:
        return values[name] if name in values else getattr(event, name, None)

    if not (get("title") or "").strip():
        errors["title"] = "An event needs a title."
    zone = get("timezone")
    if not is_timezone(zone or ""):
        errors["timezone"] = "Choose a time zone by its IANA name, such as Europe/Berlin."
    errors.update(
        _when_errors(get("starts_on"), get("ends_on"), get("start_time"), get("end_time"))
    )
    if get("country") and not is_country_code(get("country")):
        errors["country"] = "Use the two-letter ISO 3166 code, such as US or DE."
    if get("colocated_url") and not is_http_url(get("colocated_url")):
        errors["colocated_url"] = "Only http:// or https:// addresses."
    first, last = get("colocated_starts_on"), get("colocated_ends_on")
    if first and last and last < first:
        errors["colocated_ends_on"] = "The co-located event ends before it starts."
    for link in values.get("links", []):
        if link.url and not is_http_url(link.url):
            errors[f"{link.kind.value}-url"] = "Only http:// or https:// addresses."
    return errors


def _slug_taken(slug: str, event: Event | None) -> bool:
    stmt = select(Event.id).where(Event.slug == slug)
    if event is not None and event.id is not None:
        stmt = stmt.where(Event.id != event.id)
    return db.session.scalar(stmt.limit(1)) is not None


def _when_errors(
    starts_on: date | None, ends_on: date | None, start: time | None, end: time | None
) -> dict[str, str]:
    if starts_on is None:
        return {"starts_on": "An event needs a first day."}
    if ends_on is None:
        return {"ends_on": "An event needs a last day."}
    if ends_on < starts_on:
        return {"ends_on": "The last day is before the first."}
    if (start is None) != (end is None):
        return {"end_time": "Give both times, or neither for an all-day event."}
    if start is not None and end is not None and ends_on == starts_on and end < start:
        return {"end_time": "The event ends before it starts."}
    return {}


def project_errors(values: dict[str, Any], project: Project | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    slug = values.get("slug", project.slug if project else "")
    if not is_slug(slug, max_length=60):
        errors["slug"] = "Lower-case letters, digits and single hyphens, at most 60 characters."
    else:
        stmt = select(Project.id).where(Project.slug == slug)
        if project is not None and project.id is not None:
            stmt = stmt.where(Project.id != project.id)
        if db.session.scalar(stmt.limit(1)) is not None:
            errors["slug"] = "Another project already has this slug."
    if not (values.get("name", project.name if project else "") or "").strip():
        errors["name"] = "A project needs a name."
    if values.get("url") and not is_http_url(values["url"]):
        errors["url"] = "Only http:// or https:// addresses."
    return errors
