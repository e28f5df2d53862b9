"""The offer's public pages: an event's printable sponsorship prospectus, and the stored logos
of sponsors and members (offer/logos.py), served as the images they are."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template, send_file

from portal.core.pages import cached_page
from portal.events import queries as event_queries
from portal.offer import logos, queries

bp = Blueprint("offer", __name__)

YEAR = 365 * 24 * 3600


@bp.get("/events/<slug>/sponsor/prospectus")
@cached_page()
def prospectus(slug: str):
    event = event_queries.event_by_slug(slug)
    packages = queries.packages_of(event.id) if event else []
    if event is None or not packages:
        abort(404, description="This event does not offer sponsorship through this site.")
    return render_template(
        "offer/prospectus.html",
        event=event,
        packages=packages,
        comparison=queries.comparison(packages),
        now=datetime.now(UTC),
    )


@bp.get("/media/logos/<name>")
def logo(name: str):
    path = logos.path_of(name)
    if path is None:
        abort(404)
    response = send_file(path, mimetype=logos.TYPES[path.suffix[1:]], max_age=YEAR, etag=True)
    # A name is never reused for other bytes (offer/logos.py store): cache it for good.
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
