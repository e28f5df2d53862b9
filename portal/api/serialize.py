"""Events as the API writes them: stable field names, instants with their UTC offset in the
event's own zone, and the addresses of its page and its calendar file."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from portal.core.urls import external_url
from portal.events.models import Event


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def event_json(event: Event, now: datetime) -> dict[str, Any]:
    """One event (its projects and links loaded), as the OpenAPI document's `Event` says."""
    return {
        "slug": event.slug,
        "title": event.title,
        "summary": event.summary or "",
        "status": event.status.value,
        "format": event.format.value,
        "kind": event.kind.value,
        "start": event.local_start.isoformat(),
        "end": event.local_end.isoformat(),
        "all_day": event.is_all_day,
        "timezone": event.timezone,
        "venue": event.venue,
        "street": event.street,
        "city": event.city,
        "region": event.region,
        "country": event.country,
        "projects": [{"slug": p.slug, "name": p.name} for p in event.projects],
        "links": [
            {
                "kind": link.kind.value,
                "url": link.url,
                "state": link.state_at(now).value,
                "deadline": iso(link.local_deadline()),
            }
            for link in sorted(event.links, key=lambda link: (link.position, link.id))
        ],
        "url": external_url("events.detail", slug=event.slug),
        "ics": external_url("calendar.event", slug=event.slug),
        "updated": event.updated_at.replace(tzinfo=UTC).isoformat(),
    }
