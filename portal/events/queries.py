"""Finding events: the filters shared by the list page, the home page and the calendar feed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, func, select, text

from portal.events.models import PUBLIC_STATUSES, Event, EventFormat, Project, as_naive_utc, fold
from portal.extensions import db

# At most this many words of a query are searched; more add nothing but cost.
MAX_TERMS = 8
WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class EventQuery:
    """What a visitor asked for, already validated (see forms.EventFilterForm)."""

    q: str = ""
    project: str | None = None
    format: EventFormat | None = None
    country: str | None = None
    starts_from: date | None = None
    ends_to: date | None = None
    past: bool = False
    terms: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", tuple(WORD.findall(fold(self.q)))[:MAX_TERMS])

    @property
    def is_filtered(self) -> bool:
        return bool(
            self.terms
            or self.project
            or self.format
            or self.country
            or self.starts_from
            or self.ends_to
        )


def public_events(query: EventQuery, now: datetime) -> Select:
    """The statement selecting the public events that match, in the order a reader expects.

    Upcoming events (not yet over at `now`) come soonest first; past events newest first.
    """
    moment = as_naive_utc(now)
    stmt = select(Event).where(Event.status.in_(PUBLIC_STATUSES))
    if query.past:
        stmt = stmt.where(Event.ends_at <= moment).order_by(Event.ends_at.desc(), Event.id.desc())
    else:
        stmt = stmt.where(Event.ends_at > moment).order_by(Event.starts_at, Event.id)
    if query.format:
        stmt = stmt.where(Event.format == query.format)
    if query.country:
        stmt = stmt.where(Event.country == query.country)
    # `from` and `to` select events that overlap the range of local dates.
    if query.starts_from:
        stmt = stmt.where(Event.ends_on >= query.starts_from)
    if query.ends_to:
        stmt = stmt.where(Event.starts_on <= query.ends_to)
    if query.project:
        stmt = stmt.where(Event.projects.any(Project.slug == query.project))
    if query.terms:
        stmt = stmt.where(_matches(query.terms))
    return stmt


def _matches(terms: tuple[str, ...]):
    """Every term as a word prefix, answered by the database's full-text index."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        tsquery = " & ".join(f"{term}:*" for term in terms)
        return func.to_tsvector(text("'simple'"), Event.search_text).op("@@")(
            func.to_tsquery(text("'simple'"), tsquery)
        )
    # SQLite: the FTS5 table `event_fts` mirrors event.search_text (see the migrations).
    match = " AND ".join(f'"{term}"*' for term in terms)
    return Event.id.in_(
        select(text("rowid"))
        .select_from(text("event_fts"))
        .where(text("event_fts MATCH :match").bindparams(match=match))
    )


def upcoming_or_latest(now: datetime, limit: int) -> tuple[list[Event], bool]:
    """The next events; when none is coming, the latest ones. Says which it returned."""
    upcoming = db.session.scalars(public_events(EventQuery(), now).limit(limit)).all()
    if upcoming:
        return list(upcoming), True
    latest = db.session.scalars(public_events(EventQuery(past=True), now).limit(limit)).all()
    return list(latest), False


def countries_with_events() -> list[str]:
    stmt = (
        select(Event.country)
        .where(Event.country.is_not(None), Event.status.in_(PUBLIC_STATUSES))
        .distinct()
        .order_by(Event.country)
    )
    return list(db.session.scalars(stmt))


def projects() -> list[Project]:
    return list(db.session.scalars(select(Project).order_by(Project.position, Project.name)))


def event_by_slug(slug: str, include_drafts: bool = False) -> Event | None:
    stmt = select(Event).where(Event.slug == slug)
    if not include_drafts:
        stmt = stmt.where(Event.status.in_(PUBLIC_STATUSES))
    return db.session.scalars(stmt).first()
