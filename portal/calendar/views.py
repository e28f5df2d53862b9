"""`/events.ics`, the subscribable feed, and `/events/<slug>.ics`, one event."""

import functools
from datetime import UTC, datetime
from urllib.parse import parse_qsl

from flask import Blueprint, Response, abort, request
from werkzeug.datastructures import MultiDict
from werkzeug.http import http_date, is_resource_modified, quote_etag

from portal.calendar.cache import Rendered
from portal.calendar.feeds import cached_feed, render_event, render_feed, rendered_feed
from portal.events import queries
from portal.events.forms import EventFilterForm

bp = Blueprint("calendar", __name__)

FEED_MAX_AGE = 15 * 60
EVENT_MAX_AGE = 5 * 60


@bp.get("/events.ics")
def feed():
    def build(filters, since, last_modified) -> Rendered:
        # The feed is made of its canonical filters only (feed_filters), as its cache key is.
        form = EventFilterForm(MultiDict(filters))  # no choices to show: no queries for them
        if not form.validate():
            errors = "; ".join(f"{name}: {', '.join(e)}" for name, e in form.errors.items())
            abort(400, description=f"Some filters could not be read ({errors}).")
        return render_feed(form.to_query(), filters, since, last_modified)

    rendered = cached_feed(request.args.items(multi=True), datetime.now(UTC), build)
    return ics_response(rendered, "events.ics", FEED_MAX_AGE, attachment=False)


def serve_rendered_feed() -> Response | None:
    """Answer a feed that is already rendered for the catalogue as it is, before the app's
    other request hooks (CSRF, rate limits, input checks: about 70 µs a request that a cached
    public GET does not need). Anything else goes the usual way, through `feed`."""
    if request.endpoint != "calendar.feed" or request.method not in ("GET", "HEAD"):
        return None
    rendered = rendered_feed(request.args.items(multi=True), datetime.now(UTC))
    if rendered is None:
        return None
    return ics_response(rendered, "events.ics", FEED_MAX_AGE, attachment=False)


def fast_feed(environ) -> tuple[str, list, bytes] | None:
    """A feed already rendered, for the page cache's fast path (core/pages.py): answered from
    the WSGI environ alone, for requests that carry no cookie."""
    base = f"{environ['wsgi.url_scheme']}://{environ.get('HTTP_HOST', '')}"
    args = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    rendered = rendered_feed(args, datetime.now(UTC), base)
    if rendered is None:
        return None
    headers = list(
        _headers(rendered.etag, rendered.last_modified, "events.ics", FEED_MAX_AGE, False)
    )
    if not is_resource_modified(environ, etag=rendered.etag, last_modified=rendered.last_modified):
        return "304 Not Modified", headers, b""
    return "200 OK", [("Content-Type", "text/calendar; charset=utf-8"), *headers], rendered.body


def init_app(app) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, serve_rendered_feed)
    app.extensions.setdefault("fast_responders", {})["calendar.feed"] = fast_feed


@bp.get("/events/<slug>.ics")
def event(slug: str):
    found = queries.event_by_slug(slug)
    if found is None:
        abort(404, description="There is no published event at this address.")
    return ics_response(render_event(found), f"{found.slug}.ics", EVENT_MAX_AGE, attachment=True)


@functools.lru_cache(maxsize=1024)
def _headers(
    etag: str, last_modified: datetime, filename: str, max_age: int, attachment: bool
) -> tuple:
    """Formatted once per rendering (keyed by its validators, not its body): a 304 is mostly
    these headers."""
    disposition = "attachment" if attachment else "inline"
    return (
        ("ETag", quote_etag(etag)),
        ("Last-Modified", http_date(last_modified)),
        ("Cache-Control", f"public, max-age={max_age}"),
        ("Content-Disposition", f'{disposition}; filename="{filename}"'),
    )


def ics_response(rendered: Rendered, filename: str, max_age: int, attachment: bool) -> Response:
    """The calendar, or 304 Not Modified when the client's copy (by ETag, or else by date) is
    current. Werkzeug compares the validators."""
    headers = list(_headers(rendered.etag, rendered.last_modified, filename, max_age, attachment))
    modified = is_resource_modified(
        request.environ, etag=rendered.etag, last_modified=rendered.last_modified
    )
    if not modified and request.method in ("GET", "HEAD"):
        return Response(status=304, headers=headers)
    return Response(rendered.body, mimetype="text/calendar", headers=headers)
