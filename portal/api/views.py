"""`/api/events`, `/api/events/<slug>` and `/api/openapi.json`: read-only JSON, the same for
everyone, served from the page cache (core/pages.py) with strong ETags, open to any origin."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, current_app, make_response, request
from werkzeug.exceptions import HTTPException

from portal.api import openapi
from portal.api.serialize import event_json
from portal.calendar.feeds import normal_filter
from portal.core.pages import PAGES, Policy, cached
from portal.core.urls import external_url
from portal.events import queries
from portal.events.forms import EventFilterForm
from portal.events.models import Event

bp = Blueprint("api", __name__, url_prefix="/api")
FILTERS = ("q", "project", "format", "country", "region", "from", "to", "past")
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
MAX_AGE = 60
CORS = ("Access-Control-Allow-Origin", "*")

# Lists and events follow the catalogue and the instants pages change by themselves (an event
# ending, a deadline passing); the document only the release.
LIST_POLICY = Policy(
    args=(*FILTERS, "cursor", "limit"), normalise=normal_filter, store=PAGES, shared=True,
    max_age=MAX_AGE,
)  # fmt: skip
EVENT_POLICY = Policy(store=PAGES, shared=True, max_age=MAX_AGE)
DOCUMENT_POLICY = Policy(store=PAGES, shared=True, timeless=True, max_age=3600)


class BadParameter(Exception):
    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def json_response(data: Any, status: int = 200) -> Response:
    response = make_response(current_app.json.response(data))
    response.status_code = status
    response.headers[CORS[0]] = CORS[1]
    return response


@bp.errorhandler(BadParameter)
def bad_parameter(error: BadParameter) -> Response:
    problems = [{"parameter": name, "reason": reason} for name, reason in error.errors]
    first = problems[0]
    body = {"error": "bad_parameter", **first, "errors": problems}
    return json_response(body, 400)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    code = error.code or 500
    return json_response({"error": error.name.lower().replace(" ", "_"),
                          "reason": error.description}, code)  # fmt: skip


@bp.after_request
def open_to_every_origin(response: Response) -> Response:
    response.headers.setdefault(*CORS)
    if response.status_code == 200 and "ETag" not in response.headers:
        # The page cache is off: a strong ETag of the body still, and its 304.
        response.add_etag()
        response.make_conditional(request)
    return response


def encode_cursor(event: Event, past: bool) -> str:
    moment = event.ends_at if past else event.starts_at
    raw = f"{moment.isoformat()}|{event.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment, _, event_id = raw.partition("|")
        found = datetime.fromisoformat(moment), int(event_id)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadParameter([("cursor", "Not a cursor this API gave.")]) from None
    if found[0].tzinfo is not None or not 0 < found[1] < 2**63:
        raise BadParameter([("cursor", "Not a cursor this API gave.")])
    return found[0].replace(tzinfo=UTC), found[1]


def read_limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        raise BadParameter([("limit", f"A whole number from 1 to {MAX_LIMIT}.")])
    return int(value)


@bp.get("/events")
@cached(LIST_POLICY)
def events():
    form = EventFilterForm(request.args)
    if not form.validate():
        raise BadParameter(form.parameter_errors())
    query = form.to_query()
    limit = read_limit(request.args.get("limit"))
    cursor = request.args.get("cursor")
    after = decode_cursor(cursor) if cursor else None
    now = datetime.now(UTC)
    found = queries.events_after(query, now, after, limit + 1)
    page, more = found[:limit], len(found) > limit
    following = None
    if more:
        args = {k: v for k, v in request.args.items() if k != "cursor"}
        args["cursor"] = encode_cursor(page[-1], query.past)
        following = external_url("api.events", **args)
    return json_response({"events": [event_json(e, now) for e in page], "next": following})


@bp.get("/events/<slug>")
@cached(EVENT_POLICY)
def event(slug: str):
    found = queries.event_by_slug(slug)
    if found is None:
        return json_response(
            {"error": "not_found", "reason": "There is no published event at this address."}, 404
        )
    return json_response(event_json(found, datetime.now(UTC)))


@bp.get("/openapi.json")
@cached(DOCUMENT_POLICY)
def document():
    return json_response(openapi.document())
