"""The catalogue version: one number in the database that rises with every change a visitor
could see, and what each process knows of it. Cached pages and feeds are keyed by it.

Who changes what visitors see says so in the flush that does it (`note_change(session)`: the
events' model listener for events, links and projects, the offer's for tiers, members and
packages); the flush then raises the version in the same transaction, so the change and the
new version are committed together or not at all. After the commit, `catalogue_changed` is
sent (core/signals.py) and this process reads the new version on its next request; other
processes read it within `CALENDAR_VERSION_TTL` seconds.
"""

from __future__ import annotations

import threading
import time as time_module
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context
from sqlalchemy import DateTime, event, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.core import signals
from portal.core.db import utcnow
from portal.core.deadline import DatabaseAway, Deadline
from portal.extensions import Model, db

T = TypeVar("T")

# session.info keys: set by note_change until the flush raises the version; then set until
# the commit, after which catalogue_changed is sent.
CHANGED_AT = "portal.catalogue_changed_at"
RAISED = "portal.catalogue_version_raised"
# app.extensions key of this process's VersionMemo.
EXTENSION = "portal.catalogue_version"

FAR = datetime(9999, 1, 1, tzinfo=UTC)
# After a failed read of the version, the last one known is served for this long (seconds)
# before the database is tried again, and a read waits this long at most on a server.
AWAY_PAUSE = 2.0
READ_DEADLINE = 0.5
# Values of until_change() kept by each process (the counts of lists, most of them), the least
# recently used going first: visitors choose their own filters.
MAX_VALUES = 1024


class CatalogueState(Model):
    """One row (id 1, made by migration 0002) whose version rises with every change to what
    visitors see. Every process reads it to know whether what it computed from the catalogue
    (cached pages and feeds, counts of lists) is still current."""

    __tablename__ = "catalogue_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
    changed_at: Mapped[datetime] = mapped_column(DateTime)


def note_change(session: Session, now: datetime | None = None) -> None:
    """What this flush writes is shown to visitors: the flush raises the version."""
    session.info.setdefault(CHANGED_AT, now or utcnow())


def shown_to_visitors(*models: type) -> None:
    """Rows of `models` are shown on public pages: a flush that adds, changes or deletes one
    raises the version (membership tiers, packages, contacts...). The events' own listener
    does more (SEQUENCE, derived columns) and calls note_change itself."""

    def track(session: Session, flush_context: Any, instances: Any) -> None:
        touched = [*session.new, *session.deleted]
        touched += [obj for obj in session.dirty if session.is_modified(obj)]
        if any(isinstance(obj, models) for obj in touched):
            note_change(session)

    event.listen(Session, "before_flush", track)


@event.listens_for(Session, "after_flush")
def _raise_version(session: Session, flush_context: Any) -> None:
    changed_at = session.info.pop(CHANGED_AT, None)
    if changed_at is not None:
        session.connection().execute(
            update(CatalogueState).values(version=CatalogueState.version + 1, changed_at=changed_at)
        )
        session.info[RAISED] = True


@event.listens_for(Session, "after_commit")
def _announce_change(session: Session) -> None:
    if session.info.pop(RAISED, False) and has_app_context():
        # current_app is a LocalProxy, which Flask types as the Flask it stands for.
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        signals.catalogue_changed.send(app)


@event.listens_for(Session, "after_rollback")
def _forget_raise(session: Session) -> None:
    session.info.pop(RAISED, None)
    session.info.pop(CHANGED_AT, None)


class VersionMemo:
    """The catalogue version as this process last read it.

    Reading it from the database on every request would cost a cached page or a 304 most of
    its time, so it is read again at most every `ttl` seconds (`CALENDAR_VERSION_TTL`; 0 reads
    it every time): a change made by another process reaches this one within that time, and a
    change committed by this process at once (catalogue_changed). With it comes the next
    instant a public page changes with no edit (next_public_change); that is asked again once
    it has passed, or when the version changes, not every time the version is read.
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
        # How the version is read: at once from a local file, within a deadline from a server.
        self.reader: Callable[[], tuple[int, datetime]] = _read_state
        self.away_until = 0.0  # a read failed: the last version known is used until then

    def get(self, patient: bool = True) -> tuple[int, datetime]:
        """The version and when it last changed. Not `patient` (the page cache, which would
        rather serve what it has): read within a deadline, and not tried again for a moment
        after a failure (DatabaseAway then). Patient (a view, which needs the database
        anyway): read like any statement, which waits for a restarting server."""
        now = time_module.monotonic()
        if self.state is None or now - self.read_at >= self.ttl:
            if not patient and self.state is not None and now < self.away_until:
                raise DatabaseAway("the database failed a moment ago")
            try:
                state = _read_state() if patient else self.reader()
            except SQLAlchemyError:
                self.away_until = now + AWAY_PAUSE
                raise
            self.read_at, self.away_until = now, 0.0
            if self.state is None or state[0] != self.state[0]:
                self.computed, self.values = {}, OrderedDict()
                self.upcoming = None
            self.state = state
        return self.state

    def remembered(self, name: str, compute: Callable[[], T]) -> T:
        """What compute() gives, computed once per catalogue version in this process (plain
        values only: ORM objects would outlive their session)."""
        self.get()
        if name not in self.computed:
            self.computed[name] = compute()
        return self.computed[name]  # type: ignore[return-value]

    def until_change(self, key: Hashable, now: datetime, compute: Callable[[], T]) -> T:
        """What compute() gives of the public catalogue at `now` for `key`, kept until it may
        change: with the version, or at the next instant a page changes by itself. Which
        events are over, or match a list's filters, changes only then, so a list is counted
        once for that span, not on every page. Plain values only."""
        self.get()
        key = (key, self.next_change(now))
        values = self.values
        with self.values_lock:
            if key in values:
                values.move_to_end(key)
                return values[key]  # type: ignore[return-value]
        value = compute()
        with self.values_lock:
            values[key] = value
            while len(values) > MAX_VALUES:
                values.popitem(last=False)
        return value

    def next_change(self, now: datetime) -> datetime:
        """The first instant after `now` at which a page may change with no edit."""
        self.get()
        # Asked again from a moment before the one it was asked at too: clocks step back.
        if self.upcoming is None or not self.upcoming_from <= now < self.upcoming:
            self.upcoming, self.upcoming_from = _next_public_change(now), now
        return self.upcoming

    def forget(self, *_: object) -> None:
        self.state = None
        self.upcoming = None
        self.computed, self.values = {}, OrderedDict()


def _read_state() -> tuple[int, datetime]:
    row = db.session.execute(
        select(CatalogueState.version, CatalogueState.changed_at).where(CatalogueState.id == 1)
    ).one_or_none()
    if row is None:
        return 0, datetime(2000, 1, 1, tzinfo=UTC)
    return row.version, row.changed_at.replace(tzinfo=UTC)


def _next_public_change(now: datetime) -> datetime:
    # current_app is a LocalProxy, which Flask types as the Flask it stands for.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = [moment for _, moment in signals.next_public_change.send(app, now=now) if moment]
    return min(found, default=FAR)


def memo() -> VersionMemo:
    return current_app.extensions[EXTENSION]


def catalogue_state() -> tuple[int, datetime]:
    """The catalogue's version and when it last changed."""
    return memo().get()


def page_state(timeless: bool = False) -> str:
    """What a cached response is valid for: the catalogue version and, unless `timeless`, the
    next instant pages change by themselves (so a list never shows an event that has ended
    since)."""
    version, _ = memo().get(patient=False)
    if timeless:
        return f"v{version}"
    upcoming = memo().next_change(datetime.now(UTC))
    return f"v{version}:{int(upcoming.timestamp())}"


def page_state_or_last(timeless: bool = False) -> tuple[str, bool]:
    """page_state(), and False; or, while the database cannot be read, the state this process
    last knew and True (what was cached for it is served, marked stale), if it knows one."""
    try:
        return page_state(timeless), False
    except SQLAlchemyError:
        db.session.rollback()
        found = memo()
        if found.state is None:
            raise
        if timeless:
            return f"v{found.state[0]}", True
        if found.upcoming is None:
            raise
        return f"v{found.state[0]}:{int(found.upcoming.timestamp())}", True


def init_app(app: Flask) -> None:
    found = app.extensions[EXTENSION] = VersionMemo(app.config["CALENDAR_VERSION_TTL"])
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        found.reader = Deadline(app, _read_state, READ_DEADLINE, "catalogue-version")
    # Weak references would let the memo go with nothing else holding the bound method.
    signals.catalogue_changed.connect(_forgetter(found), sender=app, weak=False)


def _forgetter(found: VersionMemo) -> Callable[..., None]:
    def forget(sender: Flask, **_: object) -> None:
        found.forget()

    return forget
