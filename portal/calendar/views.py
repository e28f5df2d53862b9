"""`/events.ics`, the subscribable feed, and `/events/<slug>.ics`, one event: rendered on a
miss, then served by the page cache (core/pages.py) until the catalogue changes."""

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, request

from portal.calendar.feeds import EVENT_POLICY, FEED_POLICY, render_event, render_feed
from portal.core.pages import cached
from portal.events import queries
from portal.events.forms import EventFilterForm

bp = Blueprint("calendar", __name__)


@bp.get("/events.ics")
@cached(FEED_POLICY)
def feed():
    # The page cache gives the view its canonical filters only, as its key holds them.
    form = EventFilterForm(request.args)  # no choices to show: no queries for them
    if not form.validate():
        errors = "; ".join(f"{name}: {', '.join(e)}" for name, e in form.errors.items())
        abort(400, description=f"Some filters could not be read ({errors}).")
    body, last_modified = render_feed(form.to_query(), request.args, datetime.now(UTC))
    return calendar_response(body, last_modified, "events.ics", attachment=False)


@bp.get("/events/<slug>.ics")
@cached(EVENT_POLICY)
def event(slug: str):
    found = queries.event_by_slug(slug)
    if found is None:
        abort(404, description="There is no published event at this address.")
    body, last_modified = render_event(found)
    return calendar_response(body, last_modified, f"{found.slug}.ics", attachment=True)


def calendar_response(
    body: bytes, last_modified: datetime, filename: str, attachment: bool
) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.last_modified = last_modified
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
