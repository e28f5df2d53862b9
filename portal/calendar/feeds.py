"""What the calendar endpoints render: feeds and single events (the page cache keeps them)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import abort, current_app, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from portal.calendar import ics
from portal.core import credits, limits
from portal.core.countries import country_name
from portal.core.pages import CALENDARS, Policy
from portal.core.regions import region_name
from portal.core.urls import external_url
from portal.core.version import catalogue_state
from portal.events.models import Event, Project
from portal.events.queries import EventQuery, feed_events
from portal.events.uids import uid_domain
from portal.events.words import label
from portal.extensions import db

# Subscribers keep seeing changes and cancellations of events that ended this recently.
KEEP_PAST = timedelta(days=365)
FILTER_KEYS = ("q", "project", "format", "country", "region", "from", "to")
FEED_MAX_AGE = 15 * 60
EVENT_MAX_AGE = 5 * 60


def charge_render() -> None:
    """One render of a feed not in the cache, for the client's address: answered 429 past
    `CALENDAR_RENDER_LIMIT` (feeds in the cache cost nothing and are never limited)."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    limit = current_app.config["CALENDAR_RENDER_LIMIT"]
    if not limits.hit(limit, "feed-render", get_remote_address()):
        abort(429, description="Too many different feeds asked for: try again in a minute.")


def normal_filter(name: str, value: str) -> str:
    """A filter as the feed reads it: white space folded, `country` upper-case, `format` and
    `region` lower-case. Two requests that ask for the same events then have the same
    filters, and so the same feed (and its one cache entry)."""
    value = " ".join(value.split())
    if name == "country":
        return value.upper()
    return value.lower() if name in ("format", "region") else value


# The feed is the same for everyone; it follows the catalogue, and its window moves at
# midnight (the day is in every key). Renders of feeds not in the cache are charged.
FEED_POLICY = Policy(
    args=FILTER_KEYS,
    normalise=normal_filter,
    store=CALENDARS,
    shared=True,
    timeless=True,
    max_age=FEED_MAX_AGE,
    on_miss=charge_render,
    compress=True,
)
EVENT_POLICY = Policy(
    store=CALENDARS, shared=True, timeless=True, max_age=EVENT_MAX_AGE, compress=True
)


def site() -> ics.Site:
    config = current_app.config
    return ics.Site(
        name=config["SITE_NAME"],
        uid_domain=uid_domain(config),  # never the request's Host
        base=config.get("BASE_URL") or request.host_url,
        event_url=lambda event: external_url("events.detail", slug=event.slug),
    )


def feed_filters(args) -> tuple[tuple[str, str], ...]:
    """The filters a feed is made of, in one canonical form (FEED_POLICY): each
    filter key once (its first value, as the filter form reads it), normal_filter's spelling,
    empty values and every other parameter left out, in FILTER_KEYS order."""
    items = args.items(multi=True) if hasattr(args, "items") else args
    return FEED_POLICY.canonical(items)


def feed_url(args) -> str:
    """The feed's address with its filters (not a list's page or its past/upcoming choice):
    the feed's own SOURCE, and what Subscribe links offer."""
    return external_url("calendar.feed", **dict(feed_filters(args)))


def render_feed(query: EventQuery, filters, now: datetime) -> tuple[bytes, datetime]:
    """The feed's bytes, and when it last changed: the catalogue's last change, or midnight,
    when its window (upcoming events and those over in the last KEEP_PAST) moved on."""
    _, changed_at = catalogue_state()
    midnight = datetime.combine(now.astimezone(UTC).date(), time(0), UTC)
    limit = current_app.config["CALENDAR_FEED_MAX_EVENTS"]
    events = feed_events(query, midnight - KEEP_PAST, limit)
    named = sponsor_names(events)
    body = ics.calendar(events, site(), feed_name(query), feed_url(filters), named)
    return body, max(changed_at, midnight)


def render_event(event: Event) -> tuple[bytes, datetime]:
    name = f"{event.title} · {current_app.config['SITE_NAME']}"
    body = ics.calendar([event], site(), name, sponsors=sponsor_names([event]))
    return body, event.updated_at.replace(tzinfo=UTC)


def sponsor_names(events) -> dict[int, list[str]]:
    """Each event's shown sponsors by name (one statement for all of them)."""
    found = credits.sponsors_of([event.id for event in events])
    return {event_id: [credit.name for credit in shown] for event_id, shown in found.items()}


def feed_name(query: EventQuery) -> str:
    """'OpenInfra Foundation events: Kata Containers · virtual · in Germany · matching “edge”'.

    NAME and X-WR-CALNAME are TEXT: the words the portal chooses are joined by ' · ', not by
    commas, which TEXT escapes (vobject then shows `hybrid\\, in Germany`); what a visitor
    typed stays as typed, escaped where it must be."""
    parts = []
    if query.project:
        project = db.session.scalar(select(Project.name).where(Project.slug == query.project))
        parts.append(project or query.project)
    if query.format:
        parts.append(label(query.format).lower())
    if query.country:
        parts.append(_("in %(place)s", place=country_name(query.country)))
    if query.region:
        parts.append(_("in %(place)s", place=region_name(query.region)))
    if query.terms:
        parts.append(_("matching “%(words)s”", words=" ".join(query.terms)))
    if query.starts_from:
        parts.append(_("from %(day)s", day=query.starts_from.isoformat()))
    if query.ends_to:
        parts.append(_("until %(day)s", day=query.ends_to.isoformat()))
    name = _("%(site)s events", site=current_app.config["SITE_NAME"])
    return f"{name}: {' · '.join(parts)}" if parts else name
