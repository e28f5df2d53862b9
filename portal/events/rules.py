"""What makes an event or a project valid, as plain functions: the staff forms show these
errors beside their fields, and operations refuse what breaks them whoever calls."""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from portal.core.countries import is_country_code
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


def is_link_target(value: str) -> bool:
    """Where an event's link may point: an http(s) address, or a page of this site given as
    its path (`/events/<slug>/sponsor`, which survives a change of domain)."""
    if value.startswith("/") and not value.startswith("//"):
        return not (CONTROL.search(value) or " " in value or "\\" in value)
    return is_http_url(value)


def is_http_url(value: str) -> bool:
    """An absolute http(s) address, without spaces or control characters (no `javascript:`,
    no `data:`, no header splitting)."""
    if not value or CONTROL.search(value) or " " in value or "\\" in value:
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # an unbalanced [ or ] in the host: "Invalid IPv6 URL"
        return False


@functools.cache
def timezones() -> frozenset[str]:
    """The IANA zone names, from the pinned tzdata package: not what the system's zone folder
    also holds (`localtime`, which is whatever the server is set to), nor `Factory`."""
    names = resources.files("tzdata").joinpath("zones").read_text().split()
    return frozenset(names) - {"Factory"}


@functools.cache
def _zones_by_country() -> dict[str, list[str]]:
    """ISO 3166 code -> its IANA zones, most populous first (tzdata's zone.tab order)."""
    zones: dict[str, list[str]] = {}
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.split("\t")[:3]
            zones.setdefault(code, []).append(name)
    return zones


def country_timezones(code: str | None) -> list[str]:
    """The zones of a country ("DE" -> ["Europe/Berlin", "Europe/Busingen"]), none if unknown."""
    return list(_zones_by_country().get((code or "").upper(), []))


def is_timezone(name: str) -> bool:
    return name in timezones()


SLUG_RULE = "Lower-case letters, digits and single hyphens, at most 120 characters."


def event_errors(values: dict[str, Any], event: Event | None = None) -> dict[str, str]:
    """Field name -> what is wrong, for the event `values` would make (or make of `event`)."""
    return {**slug_errors(values.get("slug", event.slug if event else None), event),
            **details_errors(values, event)}  # fmt: skip


def slug_errors(slug: str | None, event: Event | None = None) -> dict[str, str]:
    """What is wrong with `slug` as the address of `event` (a new one when None)."""
    if slug is None or not is_slug(slug):
        return {"slug": SLUG_RULE}
    if event is not None and event.status is not EventStatus.DRAFT and slug != event.slug:
        return {"slug": "The address of a published event stays as it is (links point to it)."}
    if _slug_taken(slug, event):
        return {"slug": "Another event already has this address."}
    return {}


def details_errors(values: dict[str, Any], event: Event | None = None) -> dict[str, str]:
    """What is wrong with everything of the event but its address (which an import chooses
    itself among the free ones, events/slugs.py)."""
    errors: dict[str, str] = {}

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
    if "timezone" not in errors and not any(k in errors for k in WHEN_FIELDS):
        errors.update(
            _local_errors(
                get("starts_on"),
                get("ends_on"),
                get("start_time"),
                get("end_time"),
                zone,
                folds=(bool(get("start_fold")), bool(get("end_fold"))),
            )
        )
    if get("country") and not is_country_code(get("country")):
        errors["country"] = "Use the two-letter ISO 3166 code, such as US or DE."
    if get("colocated_url") and not is_http_url(get("colocated_url")):
        errors["colocated_url"] = "Only http:// or https:// addresses."
    first, last = get("colocated_starts_on"), get("colocated_ends_on")
    if first and last and last < first:
        errors["colocated_ends_on"] = "The co-located event ends before it starts."
    for link in values.get("links", []):
        if link.url and not is_link_target(link.url):
            errors[f"{link.kind.value}-url"] = (
                "Only http:// or https:// addresses, or a path on this site such as /membership."
            )
    return errors


def _slug_taken(slug: str, event: Event | None) -> bool:
    stmt = select(Event.id).where(Event.slug == slug)
    if event is not None and event.id is not None:
        stmt = stmt.where(Event.id != event.id)
    return db.session.scalar(stmt.limit(1)) is not None


WHEN_FIELDS = ("starts_on", "ends_on", "start_time", "end_time")
# The years an event may be in (and the month view shows): a calendar of the foundation's own
# events, not of history.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def exists_locally(moment: datetime, zone: zoneinfo.ZoneInfo) -> bool:
    """False for a wall-clock time skipped by a change to daylight saving time (02:30 on the
    night the clocks go from 02:00 to 03:00): it names no instant."""
    aware = moment.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == moment


def _local_errors(
    starts_on: date,
    ends_on: date,
    start: time | None,
    end: time | None,
    zone_name: str,
    folds: tuple[bool, bool] = (False, False),
) -> dict[str, str]:
    """What only the event's own zone can tell: years in range, times that exist, and an end
    after the start as instants (a DST change can turn 01:30-01:45 around)."""
    if not (starts_on.year >= FIRST_YEAR and ends_on.year <= LAST_YEAR):
        return {"starts_on": f"Dates between {FIRST_YEAR} and {LAST_YEAR}, please."}
    if start is None or end is None:
        return {}
    zone = zoneinfo.ZoneInfo(zone_name)
    first, last = datetime.combine(starts_on, start), datetime.combine(ends_on, end)
    if not exists_locally(first, zone):
        return {"start_time": f"{start:%H:%M} does not exist on that day in {zone_name}."}
    if not exists_locally(last, zone):
        return {"end_time": f"{end:%H:%M} does not exist on that day in {zone_name}."}
    # The second pass of a repeated hour is the later instant (PEP 495's fold).
    first_at = first.replace(tzinfo=zone, fold=int(folds[0])).astimezone(UTC)
    if last.replace(tzinfo=zone, fold=int(folds[1])).astimezone(UTC) <= first_at:
        return {"end_time": "The event ends before it starts."}
    return {}


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
