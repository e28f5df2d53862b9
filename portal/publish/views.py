"""The public side of publishing: /events.atom, /embed/events, /sitemap.xml, /robots.txt, the
icons and the events' share cards. Each renders on a miss and is then served by the page
cache (core/pages.py) until what it shows changes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Response, abort, current_app, make_response, render_template, request
from flask_babel import gettext as _

from portal.calendar.feeds import FILTER_KEYS, normal_filter
from portal.core.pages import CALENDARS, PAGES, Policy, cached
from portal.core.urls import external_url
from portal.events import queries
from portal.events.forms import EventFilterForm
from portal.publish import cards, embed, robots
from portal.publish.feeds import ATOM_POLICY, render_atom

bp = Blueprint("publish", __name__)
# The sitemap follows the catalogue; robots.txt and the icons only the release (and the base
# address, which every key holds).
SITEMAP_POLICY = Policy(store=CALENDARS, shared=True, timeless=True, max_age=3600, compress=True)
STATIC_POLICY = Policy(store=CALENDARS, shared=True, timeless=True, max_age=86400)
# The same for everyone (no form, no session): its own frame-ancestors go with it (KEPT_HEADERS).
EMBED_POLICY = Policy(
    args=(*FILTER_KEYS, "past", "limit"), normalise=normal_filter, store=PAGES, shared=True,
    max_age=300,
)  # fmt: skip


def read_filters() -> EventFilterForm:
    form = EventFilterForm(request.args)
    if not form.validate():
        errors = "; ".join(f"{name}: {reason}" for name, reason in form.parameter_errors())
        abort(400, description=_("Some filters could not be read (%(errors)s).", errors=errors))
    return form


@bp.get("/events.atom")
@cached(ATOM_POLICY)
def atom():
    form = read_filters()
    body = render_atom(form.to_query(), dict(request.args.items()), datetime.now(UTC))
    return Response(body, mimetype="application/atom+xml")


@bp.get("/sitemap.xml")
@cached(SITEMAP_POLICY)
def sitemap():
    return Response(robots.sitemap(), mimetype="application/xml")


@bp.get("/robots.txt")
@cached(STATIC_POLICY)
def robots_txt():
    return Response(robots.robots(), mimetype="text/plain")


@bp.get("/favicon.ico")
@cached(STATIC_POLICY)
def favicon():
    return Response(robots.favicon(), mimetype="image/vnd.microsoft.icon")


@bp.get("/apple-touch-icon.png")
@cached(STATIC_POLICY)
def touch_icon():
    return Response(robots.touch_icon(), mimetype="image/png")


@bp.get("/events/<slug>/card.png")
def card(slug: str):
    """An event's share card: its own strong ETag, drawn once per change of the event."""
    event = queries.event_by_slug(slug)
    if event is None:
        abort(404, description=_("There is no published event at this address."))
    config = current_app.config
    made = cards.card(event, config["SITE_NAME"], config.get("CARD_FONT"))
    response = Response(made.png, mimetype="image/png")
    response.set_etag(made.etag)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response.make_conditional(request)


@bp.get("/embed/events")
@cached(EMBED_POLICY)
def embed_events():
    """A listing for an iframe on a project's site: no chrome, no script, links to the top."""
    form = EventFilterForm(request.args)
    limit = embed.read_limit(request.args.get("limit"))
    filters = {k: v for k, v in request.args.items() if k != "limit"}
    context: dict[str, Any] = {
        "title": _("%(site)s events", site=current_app.config["SITE_NAME"]),
        "events": [],
        "error": None,
        "list_url": external_url("events.index", **filters),
        "event_url": lambda slug: external_url("events.detail", slug=slug),
    }
    status = 200
    if not form.validate() or limit is None:
        problems = form.parameter_errors() + ([] if limit else [("limit", str(embed.LIMIT_REASON))])
        context["error"] = "; ".join(f"{name}: {reason}" for name, reason in problems)
        status = 400
    else:
        stmt = queries.public_events(form.to_query(), datetime.now(UTC), limit)
        context["events"] = queries.cards(stmt)
    response = make_response(render_template("publish/embed.html", **context), status)
    origins = embed.allowed_origins()
    response.headers["Content-Security-Policy"] = embed.content_security_policy(origins)
    return response
