"""`/events.ics`, the subscribable feed, and `/events/<slug>.ics`, one event."""

import functools
from datetime import UTC, datetime

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


def init_app(app) -> None:
    app.before_request_funcs.setdefault(None, []).insert(0, serve_rendered_feed)


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
