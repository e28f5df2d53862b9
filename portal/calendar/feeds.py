"""What the calendar endpoints serve: feeds and single events, rendered once per change."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime, time, timedelta
from urllib.parse import urlsplit

from flask import abort, current_app, request
from flask_limiter.util import get_remote_address
from limits import parse
from sqlalchemy import select

from portal.calendar import ics
from portal.calendar.cache import Rendered, feed_cache
from portal.core.urls import external_url
from portal.events.catalogue import catalogue_state
from portal.events.display import country_name
from portal.events.models import Event, Project
from portal.events.queries import EventQuery, feed_events
from portal.extensions import db, limiter

# Subscribers keep seeing changes and cancellations of events that ended this recently.
KEEP_PAST = timedelta(days=365)
FILTER_KEYS = ("q", "project", "format", "country", "from", "to")


def site() -> ics.Site:
    config = current_app.config
    domain = urlsplit(config["BASE_URL"]).hostname if config.get("BASE_URL") else None
    return ics.Site(
        name=config["SITE_NAME"],
        uid_domain=domain or request.host.split(":")[0],
        base=config.get("BASE_URL") or request.host_url,
        event_url=lambda event: external_url("events.detail", slug=event.slug),
    )


def feed_filters(args: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The filters a feed is made of, in one canonical form: each filter key once (its first
    value, as the filter form reads it), white space folded, `country` upper-case and `format`
    lower-case, empty values and every other parameter left out, in FILTER_KEYS order. Two
    requests that ask for the same events have the same filters, and so the same feed."""
    first: dict[str, str] = {}
    for key, value in args:
        if key in FILTER_KEYS and key not in first:
            first[key] = " ".join(value.split())
    first["country"] = first.get("country", "").upper()
    first["format"] = first.get("format", "").lower()
    return tuple((key, first[key]) for key in FILTER_KEYS if first.get(key))


def feed_url(args) -> str:
    """The feed's address with its filters (see feed_filters; not a list's page or its
    past/upcoming choice): the feed's own SOURCE, and what Subscribe links offer."""
    items = args.items(multi=True) if hasattr(args, "items") else args
    return external_url("calendar.feed", **dict(feed_filters(items)))


def feed_key(filters: tuple[tuple[str, str], ...], version: int, day: str, base: str) -> str:
    """The cache key of a feed: the catalogue version, the day, and a digest of the address it
    is served at (its URLs are in the feed) and its filters, each part length-prefixed so no
    two different feeds share a key (`q=x%26to%3D...` is not `q=x&to=...`)."""
    parts = [base, *(part for pair in filters for part in pair)]
    digest = hashlib.sha256("".join(f"{len(p)}:{p}" for p in parts).encode()).hexdigest()
    return f"v{version}:{day}:{digest}"


def _current_key(filters, now: datetime, base: str | None = None) -> tuple[str, datetime, datetime]:
    """The cache key of the feed with these filters now, the day it starts, and when the
    catalogue last changed. `base`: the scheme and host, when not the request's."""
    version, changed_at = catalogue_state()
    midnight = datetime.combine(now.astimezone(UTC).date(), time(0), UTC)
    base = current_app.config.get("BASE_URL") or base or f"{request.scheme}://{request.host}"
    return feed_key(filters, version, midnight.date().isoformat(), base), midnight, changed_at


def rendered_feed(args, now: datetime, base: str | None = None) -> Rendered | None:
    """The feed for these query arguments if it has been rendered for the catalogue as it is
    now. Only filters that passed validation were ever rendered, so a hit needs no checks."""
    key, _, _ = _current_key(feed_filters(args), now, base)
    return feed_cache().get(key)


def cached_feed(args, now: datetime, build) -> Rendered:
    """The feed for these query arguments, from the cache or from build(filters, since,
    changed_at); a render is counted against the client's budget (FEED_RENDER_LIMIT)."""
    filters = feed_filters(args)
    key, midnight, changed_at = _current_key(filters, now)
    cache = feed_cache()
    rendered = cache.get(key)
    if rendered is None:
        charge_render()
        # The window moves each midnight, so the feed may change then without any edit.
        rendered = build(filters, midnight - KEEP_PAST, max(changed_at, midnight))
        cache.set(key, rendered)
    return rendered


def charge_render() -> None:
    """One render of a feed not in the cache, for the client's address: answered 429 past
    `CALENDAR_RENDER_LIMIT` (feeds in the cache cost nothing and are never limited)."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    limit = parse(current_app.config["CALENDAR_RENDER_LIMIT"])
    if not limiter.limiter.hit(limit, "feed-render", get_remote_address()):
        abort(429, description="Too many different feeds asked for: try again in a minute.")


def render_feed(query: EventQuery, filters, since: datetime, last_modified: datetime) -> Rendered:
    limit = current_app.config["CALENDAR_FEED_MAX_EVENTS"]
    events = feed_events(query, since, limit)
    source = feed_url(filters)
    body = ics.calendar(events, site(), feed_name(query), source)
    return Rendered.of(body, last_modified)


def render_event(event: Event) -> Rendered:
    name = f"{event.title} · {current_app.config['SITE_NAME']}"
    body = ics.calendar([event], site(), name)
    return Rendered.of(body, event.updated_at.replace(tzinfo=UTC))


def feed_name(query: EventQuery) -> str:
    """'OpenInfra Foundation events: Kata Containers, virtual, in Germany, matching “edge”'."""
    parts = []
    if query.project:
        project = db.session.scalar(select(Project.name).where(Project.slug == query.project))
        parts.append(project or query.project)
    if query.format:
        parts.append(query.format.label.lower())
    if query.country:
        parts.append(f"in {country_name(query.country)}")
    if query.terms:
        parts.append(f"matching “{' '.join(query.terms)}”")
    if query.starts_from:
        parts.append(f"from {query.starts_from.isoformat()}")
    if query.ends_to:
        parts.append(f"until {query.ends_to.isoformat()}")
    name = f"{current_app.config['SITE_NAME']} events"
    return f"{name}: {', '.join(parts)}" if parts else name
