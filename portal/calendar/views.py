"""`/events.ics`, the subscribable feed, and `/events/<slug>.ics`, one event."""

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, request

from portal.calendar.cache import Rendered
from portal.calendar.feeds import cached_feed, render_event, render_feed
from portal.events import queries
from portal.events.views import filter_form

bp = Blueprint("calendar", __name__)

FEED_MAX_AGE = 15 * 60
EVENT_MAX_AGE = 5 * 60


@bp.get("/events.ics")
def feed():
    def build(since, last_modified) -> Rendered:
        form = filter_form()
        if not form.validate():
            errors = "; ".join(f"{name}: {', '.join(e)}" for name, e in form.errors.items())
            abort(400, description=f"Some filters could not be read ({errors}).")
        return render_feed(form.to_query(), since, last_modified)

    rendered = cached_feed(request.args.items(multi=True), datetime.now(UTC), build)
    return ics_response(rendered, "events.ics", FEED_MAX_AGE, attachment=False)


@bp.get("/events/<slug>.ics")
def event(slug: str):
    found = queries.event_by_slug(slug)
    if found is None:
        abort(404, description="There is no published event at this address.")
    return ics_response(render_event(found), f"{found.slug}.ics", EVENT_MAX_AGE, attachment=True)


def ics_response(rendered: Rendered, filename: str, max_age: int, attachment: bool) -> Response:
    response = Response(rendered.body, mimetype="text/calendar")
    response.set_etag(rendered.etag)
    response.last_modified = rendered.last_modified
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response.make_conditional(request)
