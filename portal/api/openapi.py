"""The OpenAPI 3.1 document of the API: what serialize.py writes and views.py reads, said once
here (tests/test_api.py validates it and runs schemathesis against the app with it)."""

from __future__ import annotations

from enum import Enum
from typing import Any

from flask import current_app

from portal.core.regions import REGIONS
from portal.events.models import EventFormat, EventKind, EventStatus, LinkKind, LinkState

NULLABLE_TEXT = {"type": ["string", "null"]}
INSTANT = {"type": "string", "format": "date-time"}


def enum(values: type[Enum]) -> dict[str, Any]:
    return {"type": "string", "enum": [member.value for member in values]}


def event_schema() -> dict[str, Any]:
    properties: dict[str, Any] = {
        "slug": {"type": "string", "description": "The event's address: /events/<slug>."},
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "status": {**enum(EventStatus), "description": "Cancelled and postponed events stay."},
        "format": enum(EventFormat),
        "kind": enum(EventKind),
        "start": {**INSTANT, "description": "In the event's zone, with its UTC offset."},
        "end": {**INSTANT, "description": "All-day events end at midnight after their last day."},
        "all_day": {"type": "boolean"},
        "timezone": {"type": "string", "description": "IANA zone name, e.g. Europe/Berlin."},
        "venue": NULLABLE_TEXT,
        "street": NULLABLE_TEXT,
        "city": NULLABLE_TEXT,
        "region": NULLABLE_TEXT,
        "country": {"type": ["string", "null"], "pattern": "^[A-Z]{2}$"},
        "projects": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
                "required": ["slug", "name"],
                "additionalProperties": False,
            },
        },
        "links": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "kind": enum(LinkKind),
                    "url": NULLABLE_TEXT,
                    "state": {**enum(LinkState), "description": "As a visitor sees it now."},
                    "deadline": {"type": ["string", "null"], "format": "date-time"},
                },
                "required": ["kind", "url", "state", "deadline"],
                "additionalProperties": False,
            },
        },
        "url": {"type": "string", "format": "uri", "description": "The event's page."},
        "ics": {"type": "string", "format": "uri", "description": "Its iCalendar file."},
        "updated": {**INSTANT, "description": "The last public change, in UTC."},
    }
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def parameter(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "schema": schema,
            "description": description}  # fmt: skip


FILTERS = [
    parameter("q", {"type": "string", "maxLength": 200}, "Words of the title, place or projects."),
    parameter("project", {"type": "string", "maxLength": 60}, "A project's slug."),
    parameter("format", enum(EventFormat), "In person, virtual or hybrid."),
    parameter("country", {"type": "string", "pattern": "^[A-Za-z]{2}$"}, "ISO 3166 alpha-2."),
    parameter(
        "region",
        {"type": "string", "enum": [region.slug for region in REGIONS]},
        "Events in a country of the region (docs/features.md, Regions); none are virtual.",
    ),
    parameter("from", {"type": "string", "format": "date"}, "Events not over before this day."),
    parameter("to", {"type": "string", "format": "date"}, "Events begun by this day."),
    parameter("past", {"type": "boolean"}, "Events that are over, the latest first."),
]
ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string"},
        "parameter": {"type": "string", "description": "The query parameter refused."},
        "reason": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"parameter": {"type": "string"}, "reason": {"type": "string"}},
                "required": ["parameter", "reason"],
            },
        },
    },
    "required": ["error", "reason"],
}


def json_content(ref: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}


def answers(ok: str, description: str, *errors: int) -> dict[str, Any]:
    found: dict[str, Any] = {
        "200": {
            "description": description,
            "headers": {
                "ETag": {"schema": {"type": "string"}, "description": "Strong; send it back."}
            },
            "content": json_content(ok),
        },
        "304": {"description": "Not modified since the ETag sent in If-None-Match."},
    }
    reasons = {400: "A parameter could not be read.", 404: "No published event there."}
    for code in errors:
        found[str(code)] = {"description": reasons[code], "content": json_content("Error")}
    return found


def document() -> dict[str, Any]:
    site = current_app.config["SITE_NAME"]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": f"{site} events API",
            "version": "1.0.0",
            "description": "Published events (cancelled and postponed ones included), read "
            "only. Every response has a strong ETag and may be answered 304; any origin may "
            "read it (CORS).",
        },
        "paths": {
            "/api/events": {
                "get": {
                    "operationId": "listEvents",
                    "summary": "Upcoming events (or past ones), soonest first.",
                    "parameters": [
                        *FILTERS,
                        parameter(
                            "cursor",
                            {"type": "string", "maxLength": 200},
                            "From a previous answer's `next`.",
                        ),
                        parameter(
                            "limit",
                            {"type": "integer", "minimum": 1, "maximum": 100},
                            "Events per answer (20 unless given).",
                        ),
                    ],
                    "responses": answers("EventList", "A page of events.", 400),
                }
            },
            "/api/events/{slug}": {
                "get": {
                    "operationId": "getEvent",
                    "summary": "One published event.",
                    "parameters": [
                        {
                            "name": "slug",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string", "pattern": "^[a-z0-9-]{1,120}$"},
                        }
                    ],
                    "responses": answers("Event", "The event.", 404),
                }
            },
        },
        "components": {
            "schemas": {
                "Event": event_schema(),
                "EventList": {
                    "type": "object",
                    "properties": {
                        "events": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Event"},
                        },
                        "next": {
                            "type": ["string", "null"],
                            "format": "uri",
                            "description": "The next page, or null at the end.",
                        },
                    },
                    "required": ["events", "next"],
                    "additionalProperties": False,
                },
                "Error": ERROR,
            }
        },
    }
