"""Finding events: the filters shared by the list page, the home page and the calendar feed,
and the staff list's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.orm import aliased, defer, joinedload, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.datastructures import MultiDict

from portal.core import signals, version
from portal.core.db import as_naive_utc
from portal.core.lists import ListFilter, choice, words
from portal.core.regions import countries_in
from portal.core.text import fold
from portal.events.models import (
    PUBLIC_STATUSES,
    Event,
    EventFormat,
    EventLink,
    EventStatus,
    LinkKind,
    Project,
    event_projects,
)
from portal.extensions import db

# At most this many words of a query are searched; more add nothing but cost.
MAX_TERMS = 8
WORD = re.compile(r"[^\W_]+")
# Editions followed back from an event page at most (a chain that loops back ends there).
MAX_CHAIN = 200

# What an event card (macros/events.html) shows: the events' columns but their long texts, and
# their projects (read by cards() for all the cards at once); a card shows no links.
AS_CARDS = (
    defer(Event.description),
    defer(Event.search_text),
    lazyload(Event.projects),
    lazyload(Event.links),
)


@dataclass(frozen=True)
class EventQuery:
    """What a visitor asked for, already validated (see forms.EventFilterForm)."""

    q: str = ""
    project: str | None = None
    format: EventFormat | None = None
    country: str | None = None
    region: str | None = None  # a slug of core/regions.py (not Event.region, a state)
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
            or self.region
            or self.starts_from
            or self.ends_to
        )


def _conditions(query: EventQuery, now: datetime) -> list[ColumnElement[bool]]:
    moment = as_naive_utc(now)
    if query.past:
        return [Event.ends_at <= moment, *filter_conditions(query)]
    # Redundant, and what lets an upcoming list read its index (in the order of starts) from
    # the first event not over rather than from the first event ever.
    earliest = earliest_start(now)
    starting = [Event.starts_at >= earliest] if earliest is not None else []
    return [Event.ends_at > moment, *starting, *filter_conditions(query)]


def earliest_start(now: datetime) -> datetime | None:
    """The first start of a public event not over at `now` (read once until that changes)."""

    def first() -> datetime | None:
        stmt = (
            select(Event.starts_at)
            .where(Event.ends_at > as_naive_utc(now), Event.status.in_(PUBLIC_STATUSES))
            .order_by(Event.starts_at)
            .limit(1)
        )
        return db.session.scalar(stmt)

    return version.memo().until_change("earliest_start", now, first)


@signals.next_public_change.connect
def next_public_change(sender: object, now: datetime) -> datetime | None:
    """The soonest end of a public event, or deadline of one of its links, after `now` (one
    statement, on the indexed `ends_at`): public pages change then with no edit."""
    moment = as_naive_utc(now)
    public = Event.status.in_(PUBLIC_STATUSES)
    ends = select(func.min(Event.ends_at)).where(public, Event.ends_at > moment)
    deadlines = (
        select(func.min(EventLink.deadline))
        .join(Event, Event.id == EventLink.event_id)
        .where(public, EventLink.deadline > moment)
    )
    row = db.session.execute(select(ends.scalar_subquery(), deadlines.scalar_subquery())).one()
    found = [value.replace(tzinfo=UTC) for value in row if value is not None]
    return min(found, default=None)


def filter_conditions(query: EventQuery) -> list[ColumnElement[bool]]:
    """What the visitor chose, apart from upcoming or past."""
    conditions: list[ColumnElement[bool]] = [Event.status.in_(PUBLIC_STATUSES)]
    if query.format:
        conditions.append(Event.format == query.format)
    if query.country:
        conditions.append(Event.country == query.country)
    if query.region:
        # Its countries, as the country filter's index reads them; no country, no region.
        conditions.append(Event.country.in_(countries_in(query.region)))
    # `from` and `to` select the events that overlap that range of local dates.
    if query.starts_from:
        conditions.append(Event.ends_on >= query.starts_from)
    if query.ends_to:
        conditions.append(Event.starts_on <= query.ends_to)
    if query.project:
        project_id = select(Project.id).where(Project.slug == query.project).scalar_subquery()
        in_project = select(event_projects.c.event_id).where(
            event_projects.c.project_id == project_id
        )
        conditions.append(Event.id.in_(in_project))
    if query.terms:
        conditions.append(_matches(query.terms))
    return conditions


def _order(query: EventQuery) -> tuple:
    """Upcoming events soonest first; past events the most recently ended first."""
    if query.past:
        return (Event.ends_at.desc(), Event.id.desc())
    return (Event.starts_at, Event.id)


def text_matches(text: str) -> ColumnElement[bool] | None:
    """Events whose words start with each word of `text` (None when it has none)."""
    terms = EventQuery(q=text).terms
    return _matches(terms) if terms else None


def _matches(terms: tuple[str, ...]) -> ColumnElement[bool]:
    """Every term as a word prefix, answered by the database's full-text index."""
    if db.session.get_bind().dialect.name == "postgresql":
        tsquery = " & ".join(f"{term}:*" for term in terms)
        return func.to_tsvector(literal_column("'simple'"), Event.search_text).op("@@")(
            func.to_tsquery(literal_column("'simple'"), tsquery)
        )
    # SQLite: the FTS5 table `event_fts` mirrors event.search_text (see the migrations).
    match = " AND ".join(f'"{term}"*' for term in terms)
    return Event.id.in_(
        select(literal_column("rowid"))
        .select_from(text("event_fts"))
        .where(text("event_fts MATCH :match").bindparams(match=match))
    )


def public_events(query: EventQuery, now: datetime, limit: int | None = None) -> Select:
    """The public events matching `query`, in reading order, as one statement.

    With a limit, the ids are chosen first from ix_event_listing alone and only those rows
    are read: sorting thousands of whole rows to show twenty is what makes lists slow.
    """
    order = _order(query)
    if limit is None:
        return select(Event).where(*_conditions(query, now)).order_by(*order)
    ids = select(Event.id).where(*_conditions(query, now)).order_by(*order).limit(limit)
    return select(Event).where(Event.id.in_(ids)).order_by(*order)


def feed_events(query: EventQuery, since: datetime, limit: int) -> list[Event]:
    """The events of a calendar feed: those not over before `since`, soonest first.

    Upcoming events are chosen before past ones, so a feed at its limit drops the oldest.
    """
    moment = as_naive_utc(since)
    ids = (
        select(Event.id)
        .where(Event.ends_at > moment, *filter_conditions(query))
        .order_by(Event.ends_at.desc(), Event.id.desc())
        .limit(limit)
    )
    stmt = select(Event).where(Event.id.in_(ids)).order_by(Event.starts_at, Event.id)
    return list(db.session.scalars(stmt))


def events_after(
    query: EventQuery, now: datetime, after: tuple[datetime, int] | None, limit: int
) -> list[Event]:
    """Up to `limit` public events matching `query` in reading order, after the event whose
    sort instant (its start, or its end for past events) and id are `after`: a page of the
    API's keyset pagination, with the projects and links of each."""
    conditions = _conditions(query, now)
    if after is not None:
        moment, event_id = as_naive_utc(after[0]), after[1]
        if query.past:
            conditions.append(
                or_(Event.ends_at < moment, and_(Event.ends_at == moment, Event.id < event_id))
            )
        else:
            conditions.append(
                or_(Event.starts_at > moment, and_(Event.starts_at == moment, Event.id > event_id))
            )
    order = _order(query)
    ids = select(Event.id).where(*conditions).order_by(*order).limit(limit)
    stmt = select(Event).where(Event.id.in_(ids)).order_by(*order)
    stmt = stmt.options(selectinload(Event.projects), selectinload(Event.links))
    return list(db.session.scalars(stmt))


def recently_changed(query: EventQuery, now: datetime, limit: int) -> list[Event]:
    """The public events matching `query` (upcoming, or past with `past`), the latest changed
    first: what a feed of changes (Atom) lists."""
    ids = (
        select(Event.id)
        .where(*_conditions(query, now))
        .order_by(Event.updated_at.desc(), Event.id.desc())
        .limit(limit)
    )
    stmt = select(Event).where(Event.id.in_(ids))
    stmt = stmt.order_by(Event.updated_at.desc(), Event.id.desc())
    return list(db.session.scalars(stmt.options(selectinload(Event.projects))))


def public_event_pages() -> list[tuple[str, datetime]]:
    """(slug, last change) of every public event, past ones included: what a sitemap lists."""
    stmt = select(Event.slug, Event.updated_at).where(Event.status.in_(PUBLIC_STATUSES))
    return [(slug, updated) for slug, updated in db.session.execute(stmt.order_by(Event.id))]


def cards(stmt: Select) -> list[Event]:
    """The events of `stmt` as their cards show them, in two statements however many there are:
    what selectinload does, with less work in Python (its many-to-many loading is the larger
    part of loading a page of cards)."""
    events = list(db.session.scalars(stmt.options(*AS_CARDS)))
    projects: dict[int, list[Project]] = {event.id: [] for event in events}
    if events:
        rows = db.session.execute(
            select(event_projects.c.event_id, Project)
            .join(Project, Project.id == event_projects.c.project_id)
            .where(event_projects.c.event_id.in_(list(projects)))
            .order_by(Project.position)
        )
        for event_id, project in rows:
            projects[event_id].append(project)
    # Their links too, in one statement: a card says which it had, the home page what is open.
    links: dict[int, list[EventLink]] = {event.id: [] for event in events}
    if events:
        stmt = select(EventLink).where(EventLink.event_id.in_(list(links)))
        for link in db.session.scalars(stmt.order_by(EventLink.event_id, EventLink.position)):
            links[link.event_id].append(link)
    for event in events:
        set_committed_value(event, "projects", projects[event.id])
        set_committed_value(event, "links", links[event.id])
    return events


class EventPage(Pagination):
    """A page of public events: Flask-SQLAlchemy's pagination over public_events()."""

    def _query_items(self) -> list[Event]:
        query, now = self._query_args["query"], self._query_args["now"]
        order = _order(query)
        ids = (
            select(Event.id)
            .where(*_conditions(query, now))
            .order_by(*order)
            .limit(self.per_page)
            .offset(self._query_offset)
        )
        return cards(select(Event).where(Event.id.in_(ids)).order_by(*order))

    def _query_count(self) -> int:
        query, now = self._query_args["query"], self._query_args["now"]

        def count() -> int:
            stmt = select(func.count()).select_from(Event).where(*_conditions(query, now))
            return db.session.scalar(stmt) or 0

        return version.memo().until_change(("event_page", query), now, count)


def event_page(query: EventQuery, now: datetime, page: int, per_page: int) -> EventPage:
    return EventPage(page=page, per_page=per_page, error_out=False, query=query, now=now)


def upcoming_or_latest(now: datetime, limit: int) -> tuple[list[Event], bool]:
    """The next events; when none is coming, the latest ones. Says which it returned."""
    upcoming = cards(public_events(EventQuery(), now, limit))
    if upcoming:
        return upcoming, True
    return cards(public_events(EventQuery(past=True), now, limit)), False


def countries_with_events(upcoming_at: datetime | None = None) -> list[str]:
    """The countries of public events (of those not over at `upcoming_at` when given), by a
    loose index scan: one index seek per country instead of reading every event (the
    recursive query steps from one code to the next)."""
    public: ColumnElement[bool] = Event.status.in_(PUBLIC_STATUSES)
    if upcoming_at is not None:
        public = and_(public, Event.ends_at > as_naive_utc(upcoming_at))
    first = select(func.min(Event.country).label("code")).where(Event.country.is_not(None), public)
    codes = first.cte("codes", recursive=True)
    following = (
        select(Event.country)
        .where(Event.country > codes.c.code, public)
        .order_by(Event.country)
        .limit(1)
        .scalar_subquery()
    )
    codes = codes.union_all(select(following).where(codes.c.code.is_not(None)))
    stmt = select(codes.c.code).where(codes.c.code.is_not(None)).order_by(codes.c.code)
    return list(db.session.scalars(stmt))


def projects() -> list[Project]:
    """The projects visitors filter by: retired ones are left out."""
    stmt = select(Project).where(Project.retired_at.is_(None))
    return list(db.session.scalars(stmt.order_by(Project.position, Project.name)))


# An event page's statements, built once: they differ only by their parameters. The event with
# its links, then its projects (joined, they would make SQLite read every event's projects).
_EVENT = select(Event).where(Event.slug == bindparam("slug"))
_EVENT = _EVENT.options(selectinload(Event.projects), joinedload(Event.links))
_PUBLIC_EVENT = _EVENT.where(Event.status.in_(PUBLIC_STATUSES))


def event_by_slug(slug: str, include_drafts: bool = False) -> Event | None:
    stmt = _EVENT if include_drafts else _PUBLIC_EVENT
    return db.session.scalars(stmt, {"slug": slug}).unique().first()


def next_month_with_events(now: datetime) -> date | None:
    """The first day of the month of the next public event not yet over, if any."""
    first = db.session.scalar(
        select(func.min(Event.starts_on)).where(
            Event.status.in_(PUBLIC_STATUSES), Event.ends_at > as_naive_utc(now)
        )
    )
    return first.replace(day=1) if first else None


# Pages name the next edition and give its dates: its projects and links are read if asked for.
_NEXT = select(Event).where(Event.previous_edition_id == bindparam("event_id"))
_NEXT = _NEXT.options(lazyload(Event.projects), lazyload(Event.links))
_NEXT = _NEXT.order_by(Event.starts_on, Event.id).limit(1)
_PUBLIC_NEXT = _NEXT.where(Event.status.in_(PUBLIC_STATUSES))


def next_edition(event: Event, public: bool = True) -> Event | None:
    """The edition that follows `event` (made by operations.next_edition), if there is one."""
    return db.session.scalars(_PUBLIC_NEXT if public else _NEXT, {"event_id": event.id}).first()


def previous_editions(event: Event, limit: int = 20) -> list[Event]:
    """The public editions before `event`, latest first, following the chain back (through
    drafts, which are left out) in one statement however long it is."""
    if not event.previous_edition_id:
        return []
    chain = (
        select(Event.id, Event.previous_edition_id, literal(1).label("depth"))
        .where(Event.id == event.previous_edition_id)
        .cte("chain", recursive=True)
    )
    earlier = aliased(Event)
    chain = chain.union_all(
        select(earlier.id, earlier.previous_edition_id, chain.c.depth + 1).where(
            earlier.id == chain.c.previous_edition_id, chain.c.depth < MAX_CHAIN
        )
    )
    stmt = (
        select(Event)
        .join(chain, chain.c.id == Event.id)
        .where(Event.status.in_(PUBLIC_STATUSES))
        .order_by(chain.c.depth)
        .options(lazyload(Event.projects), lazyload(Event.links))
    )
    editions: list[Event] = []
    seen = {event.id}  # a chain that loops back is followed once
    for edition in db.session.scalars(stmt):
        if len(editions) == limit:
            break
        if edition.id not in seen:
            seen.add(edition.id)
            editions.append(edition)
    return editions


class StaffEventFilter(ListFilter):
    """The staff list of events, drafts included: `status` (empty for all), `q` (words of the
    title, place or projects, or a part of the address) and `page`."""

    def __init__(self, args: MultiDict) -> None:
        super().__init__(args)
        self.status = choice(args, "status", EventStatus)
        self.q = words(args)

    def values(self) -> dict:
        return {"status": self.status, "q": self.q}

    def select(self) -> Select:
        stmt = select(Event)
        if self.status is not None:
            stmt = stmt.where(Event.status == self.status)
        if self.q:
            found = text_matches(self.q)
            in_slug = Event.slug.contains(self.q.lower(), autoescape=True)
            stmt = stmt.where(or_(found, in_slug) if found is not None else in_slug)
        return stmt.order_by(Event.starts_on.desc(), Event.id.desc())


def sold_sponsorship_here(event: Event) -> bool:
    """Whether the event's Sponsor link leads to its sponsorship page on this site (where the
    offer's packages and the inquiry form are), not to a page of its own elsewhere."""
    link = event.link(LinkKind.SPONSOR)
    return bool(link and link.url and link.url.endswith(f"/events/{event.slug}/sponsor"))


def takes_sponsors_early(event: Event, now: datetime) -> bool:
    """An edition with no packages on sale yet takes sponsorship inquiries ("packages to be
    announced") on its own page when the edition before sold sponsorship through this site,
    and it is still to come and neither cancelled nor postponed."""
    if not event.previous_edition_id or event.closed_because(now):
        return False
    previous = db.session.get(Event, event.previous_edition_id)
    return previous is not None and sold_sponsorship_here(previous)
