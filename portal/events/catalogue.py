"""The catalogue's version as each process knows it, and the next moment public pages change
with no edit at all (an event ends, a link's deadline passes): what the feed and page caches
are keyed by."""

from __future__ import annotations

import threading
import time as time_module
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime

from flask import current_app, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.core.db import as_naive_utc, utcnow
from portal.events.models import (
    PUBLIC_STATUSES,
    VERSION_RAISED,
    CatalogueState,
    Event,
    EventLink,
)
from portal.extensions import db

# What a before_flush listener of another feature sets when what it changed is shown on the
# catalogue's pages too (membership tiers, sponsorship packages): the version then rises.
CHANGED = "catalogue_changed"
FAR = datetime(9999, 1, 1, tzinfo=UTC)
# Values of until_change() kept by each process (the counts of lists, most of them), the least
# recently used going first: visitors choose their own filters.
MAX_VALUES = 1024


class VersionMemo:
    """The catalogue version as this process last read it.

    Reading it from the database on every request would cost a 304 most of its speed, so it is
    read again at most every `CALENDAR_VERSION_TTL` seconds (1 by default; 0 reads it every
    time): a change made by another process reaches this one within that time, and a change
    committed by this process at once (see `forget_after_commit`). With it comes the next
    instant a public event ends or a link's deadline passes after the moment it was read; it
    is read again once that instant has passed, or the version has changed (it may have
    moved), not every time the version is read: it reads every link with a deadline.
    """

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self.state: tuple[int, datetime] | None = None
        self.read_at = 0.0
        self.upcoming: datetime | None = None
        self.upcoming_from = FAR
        self.computed: dict[str, object] = {}
        self.values: OrderedDict[Hashable, object] = OrderedDict()
        self.values_lock = threading.Lock()

    def get(self) -> tuple[int, datetime]:
        now = time_module.monotonic()
        if self.state is None or now - self.read_at >= self.ttl:
            state, self.read_at = _read_catalogue_state(), now
            if self.state is None or state[0] != self.state[0]:
                self.computed, self.values = {}, OrderedDict()
                self.upcoming = None
            self.state = state
        return self.state

    def remembered(self, name: str, compute):
        """What compute() gives, computed once per catalogue version in this process (plain
        values only: ORM objects would outlive their session)."""
        self.get()
        if name not in self.computed:
            self.computed[name] = compute()
        return self.computed[name]

    def until_change(self, key: Hashable, now: datetime, compute: Callable[[], object]):
        """What compute() gives of the public events at `now` for `key`, kept until it may
        change: with the catalogue's version, or at the next instant an event ends
        (next_change). Which public events are over, or match a list's filters, changes only
        then, so a list is counted once for that span, not on every page (an exact count of
        50,000 upcoming events reads as many index entries). Plain values only."""
        self.get()
        key = (key, self.next_change(now))
        values = self.values
        with self.values_lock:
            if key in values:
                values.move_to_end(key)
                return values[key]
        value = compute()
        with self.values_lock:
            values[key] = value
            while len(values) > MAX_VALUES:
                values.popitem(last=False)
        return value

    def next_change(self, now: datetime) -> datetime:
        """The first instant after `now` at which a page may change with no edit."""
        self.get()
        # Read again from a moment before the one it was read at too: clocks step back.
        if self.upcoming is None or not self.upcoming_from <= now < self.upcoming:
            self.upcoming, self.upcoming_from = _next_change(now), now
        return self.upcoming

    def forget(self) -> None:
        self.state = None
        self.upcoming = None
        self.computed, self.values = {}, OrderedDict()


def _read_catalogue_state() -> tuple[int, datetime]:
    row = db.session.execute(
        select(CatalogueState.version, CatalogueState.changed_at).where(CatalogueState.id == 1)
    ).one_or_none()
    if row is None:
        return 0, datetime(2000, 1, 1, tzinfo=UTC)
    return row.version, row.changed_at.replace(tzinfo=UTC)


def _next_change(now: datetime) -> datetime:
    """The soonest end of a public event, or deadline of a link, after `now` (one statement,
    on the indexed `ends_at`)."""
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
    return min(found, default=FAR)


def memo() -> VersionMemo:
    return current_app.extensions["catalogue_version"]


def catalogue_state() -> tuple[int, datetime]:
    """The catalogue's version and when it last changed."""
    return memo().get()


def page_state() -> str:
    """What a cached public page is valid for: the catalogue version and the next instant the
    pages change by themselves, so that a list never shows an event that has ended since."""
    version, _ = catalogue_state()
    upcoming = memo().next_change(datetime.now(UTC))
    return f"v{version}:{int(upcoming.timestamp())}"


def note_change(session: Session) -> None:
    """Something the catalogue's pages show changed in this flush: raise the version."""
    session.info.setdefault(CHANGED, utcnow())


def init_app(app) -> None:
    app.extensions["catalogue_version"] = VersionMemo(app.config["CALENDAR_VERSION_TTL"])
    if "page_cache" in app.extensions:
        app.extensions["page_cache_state"] = page_state


@sa_event.listens_for(Session, "after_commit")
def forget_after_commit(session: Session) -> None:
    """This process changed the catalogue: read the new version on the next request."""
    if session.info.pop(VERSION_RAISED, False) and has_app_context():
        found = current_app.extensions.get("catalogue_version")
        if found is not None:
            found.forget()
