"""The event catalogue: events, the projects they belong to and their links."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    Time,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship
from sqlalchemy.sql import expression

from portal.core.db import LabelledEnum, Retirable, as_naive_utc, enum_column, utcnow
from portal.core.text import fold
from portal.core.version import note_change
from portal.events.uids import new_uid
from portal.extensions import Model, db


class EventKind(LabelledEnum):
    SUMMIT = "summit"
    OPENINFRA_DAYS = "openinfra_days"
    PTG = "ptg"
    MEETUP = "meetup"
    COMMUNITY_EVENT = "community_event"

    @property
    def label(self) -> str:
        return {"openinfra_days": "OpenInfra Days", "ptg": "PTG"}.get(self.value, super().label)


class EventFormat(LabelledEnum):
    IN_PERSON = "in_person"
    VIRTUAL = "virtual"
    HYBRID = "hybrid"


class EventStatus(LabelledEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"
    POSTPONED = "postponed"

    @property
    def actions(self) -> tuple[str, ...]:
        """The status actions staff may take from here ("publish", "postpone", "cancel")."""
        return tuple(action for action, (sources, _) in TRANSITIONS.items() if self in sources)


# action: (the statuses it starts from, the status it leads to)
TRANSITIONS = {
    "publish": ({EventStatus.DRAFT, EventStatus.POSTPONED, EventStatus.CANCELLED},
                EventStatus.PUBLISHED),
    "postpone": ({EventStatus.PUBLISHED}, EventStatus.POSTPONED),
    "cancel": ({EventStatus.PUBLISHED, EventStatus.POSTPONED}, EventStatus.CANCELLED),
}  # fmt: skip


# What the public sees: cancelled and postponed events stay listed, marked as such.
PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED, EventStatus.POSTPONED)


class LinkKind(LabelledEnum):
    REGISTER = "register"
    SPONSOR = "sponsor"
    SCHEDULE = "schedule"
    CFP = "cfp"

    @property
    def label(self) -> str:
        return "Call for papers" if self is LinkKind.CFP else super().label


class LinkState(LabelledEnum):
    OPEN = "open"
    COMING_SOON = "coming_soon"
    CLOSED = "closed"
    SOLD_OUT = "sold_out"


event_projects = Table(
    "event_project",
    db.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("project_id", ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_event_project_project_event", "project_id", "event_id"),
)


class Project(Retirable, Model):
    """A community the foundation hosts (OpenStack, Kata Containers, ...)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str | None] = mapped_column(String(500))
    position: Mapped[int] = mapped_column(default=0)
    # Retired (Retirable), a project leaves the public filters; the events that name it keep it.

    def __repr__(self) -> str:
        return f"<Project {self.slug}>"


class Event(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown
    # The title and summary in other languages, by language code: {"ja": {"title": "…",
    # "summary": "…"}} (events/localized.py). English is `title` and `summary` above.
    localized: Mapped[dict[str, dict[str, str]]] = mapped_column(
        JSON, default=dict, server_default=expression.text("'{}'")
    )
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind, "kind"))
    format: Mapped[EventFormat] = mapped_column(enum_column(EventFormat, "format"))
    status: Mapped[EventStatus] = mapped_column(
        enum_column(EventStatus, "status"), default=EventStatus.DRAFT
    )

    # When, as the organisers say it: local dates, optional local times, and the zone.
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    start_time: Mapped[time | None] = mapped_column(Time)
    end_time: Mapped[time | None] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    # PEP 495's fold of each time: True for the second pass of an hour the clocks repeat
    # (02:30 after the clocks went back from 03:00), which a local time alone cannot say.
    start_fold: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=expression.false()
    )
    end_fold: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=expression.false()
    )
    # The same span as UTC instants (naive, UTC), derived on flush; lists filter and sort on them.
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)

    venue: Mapped[str | None] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166-1 alpha-2
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    colocated_name: Mapped[str | None] = mapped_column(String(200))
    colocated_starts_on: Mapped[date | None] = mapped_column(Date)
    colocated_ends_on: Mapped[date | None] = mapped_column(Date)
    colocated_url: Mapped[str | None] = mapped_column(String(500))

    contact_email: Mapped[str | None] = mapped_column(String(254))

    # The lifecycle in words: why it was cancelled or postponed (shown on the public page);
    # dates announced but not yet confirmed; a postponed event whose new dates are not known
    # (no dates shown, out of the month grid); the dates it had before it was rescheduled.
    status_reason: Mapped[str | None] = mapped_column(String(500))
    dates_to_be_confirmed: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=expression.false()
    )
    dates_to_be_announced: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=expression.false()
    )
    previous_starts_on: Mapped[date | None] = mapped_column(Date)
    previous_ends_on: Mapped[date | None] = mapped_column(Date)
    # The id of the edition this one follows (the Summit 2025 for the Summit 2026), see
    # operations.next_edition. No foreign key: SQLite cannot add one without rebuilding the
    # table (and its search triggers); deleting a draft clears what pointed to it.
    previous_edition_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # The UID of the iCalendar event this one was imported from: a new import updates it.
    import_uid: Mapped[str | None] = mapped_column(String(255))
    # Its own UID in feeds and .ics files, given when it is made (uids.py); NULL only for a
    # row the release before migration 0014 wrote, which the feed names as that release did.
    uid: Mapped[str | None] = mapped_column(String(255), default=new_uid)

    # Folded (lower case, no accents) words of the title, place and projects, for search.
    search_text: Mapped[str] = mapped_column(Text, default="")

    # Calendar clients notice an edit only when SEQUENCE and LAST-MODIFIED move.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=lambda: utcnow())

    projects: Mapped[list[Project]] = relationship(
        secondary=event_projects, order_by=Project.position, lazy="selectin"
    )
    links: Mapped[list[EventLink]] = relationship(
        back_populates="event",
        cascade="all, delete-orphan",
        order_by="EventLink.position",
        lazy="selectin",
    )

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_not_before_start"),
        CheckConstraint("ends_at >= starts_at", name="instants_in_order"),
        CheckConstraint("(start_time IS NULL) = (end_time IS NULL)", name="times_together"),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude_range"),
        CheckConstraint(
            "longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude_range"
        ),
        # Lists walk the events not yet over (or over) and sort them without reading the
        # table: every column a list filters or sorts on is in this one index (see queries.py).
        Index(
            "ix_event_listing",
            "ends_at",
            "starts_at",
            "status",
            "format",
            "country",
            "starts_on",
            "ends_on",
        ),
        # The upcoming list in reading order, read from the index alone until a page is full.
        Index("ix_event_upcoming_order", "starts_at", "id", "ends_at", "status"),
        # The same for the list of one country (migration 0009).
        Index("ix_event_country_upcoming", "country", "starts_at", "id", "ends_at", "status"),
        Index("ix_event_country_status", "country", "status"),
        # The staff list, latest first, whole and by status (migration 0010).
        Index("ix_event_staff_order", "starts_on", "id"),
        Index("ix_event_status_staff_order", "status", "starts_on", "id"),
        # A unique index rather than a constraint: SQLite adds it without rebuilding the table.
        Index("ix_event_import_uid", "import_uid", unique=True),
        Index("ix_event_uid", "uid", unique=True),
    )

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_all_day(self) -> bool:
        return self.start_time is None

    @property
    def local_start(self) -> datetime:
        """The first moment of the event in its own zone (midnight for all-day events)."""
        moment = datetime.combine(self.starts_on, self.start_time or time(0), self.tz)
        return moment.replace(fold=1) if self.start_fold and self.start_time else moment

    @property
    def local_end(self) -> datetime:
        """The moment the event ends; all-day events end at midnight after their last day."""
        if self.end_time is None:
            return datetime.combine(self.ends_on + timedelta(days=1), time(0), self.tz)
        moment = datetime.combine(self.ends_on, self.end_time, self.tz)
        return moment.replace(fold=1) if self.end_fold else moment

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_STATUSES

    @property
    def is_draft(self) -> bool:
        return self.status is EventStatus.DRAFT

    @property
    def is_cancelled(self) -> bool:
        return self.status is EventStatus.CANCELLED

    @property
    def is_postponed(self) -> bool:
        return self.status is EventStatus.POSTPONED

    @property
    def is_hybrid(self) -> bool:
        return self.format is EventFormat.HYBRID

    @property
    def is_virtual(self) -> bool:
        return self.format is EventFormat.VIRTUAL

    def is_over(self, now: datetime) -> bool:
        return self.local_end <= now

    @property
    def is_rescheduled(self) -> bool:
        return self.previous_starts_on is not None and self.status is EventStatus.PUBLISHED

    @property
    def shows_dates(self) -> bool:
        """False for a postponed event whose new dates are still to be announced."""
        return not (self.is_postponed and self.dates_to_be_announced)

    @property
    def is_tentative(self) -> bool:
        """Postponed, or dates not yet confirmed: TENTATIVE in calendars."""
        return self.is_postponed or (self.dates_to_be_confirmed and not self.is_cancelled)

    def closed_because(self, now: datetime) -> str | None:
        """Why registration, sponsorship and the call for papers no longer invite anyone."""
        if self.is_cancelled:
            return "the event is cancelled"
        if self.is_postponed:
            return "the event is postponed"
        if self.is_over(now):
            return "the event is over"
        return None

    def link(self, kind: LinkKind) -> EventLink | None:
        return next((link for link in self.links if link.kind == kind), None)

    def refresh_derived(self) -> None:
        """Recompute the UTC instants and the search text from the fields people edit."""
        self.starts_at = as_naive_utc(self.local_start)
        self.ends_at = as_naive_utc(self.local_end)
        words = [self.title, self.summary, self.venue, self.city, self.region, self.country]
        words += [self.colocated_name, self.kind.label if self.kind else None]
        words += [project.name for project in self.projects]
        words += [text.get("title") for text in (self.localized or {}).values()]
        self.search_text = fold(" ".join(word for word in words if word))


class EventLink(Model):
    """Register, Sponsor, Schedule or CFP, each with its state and optional deadline."""

    __tablename__ = "event_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    kind: Mapped[LinkKind] = mapped_column(enum_column(LinkKind, "link_kind"))
    state: Mapped[LinkState] = mapped_column(enum_column(LinkState, "link_state"))
    url: Mapped[str | None] = mapped_column(String(500))
    deadline: Mapped[datetime | None] = mapped_column(DateTime)  # naive UTC
    position: Mapped[int] = mapped_column(default=0)

    event: Mapped[Event] = relationship(back_populates="links")

    __table_args__ = (db.UniqueConstraint("event_id", "kind", name="uq_event_link_event_kind"),)

    def state_at(self, now: datetime) -> LinkState:
        """The state a visitor sees at `now`.

        An open link closes at its deadline; once the event is over, registration, sponsorship
        and the call for papers read as closed whatever was stored (the schedule stays useful).
        """
        moment = as_naive_utc(now)
        over = moment >= self.event.ends_at
        if over and self.kind is not LinkKind.SCHEDULE and self.state is not LinkState.SOLD_OUT:
            return LinkState.CLOSED
        # A cancelled or postponed event invites nobody to register, sponsor or speak.
        halted = self.event.status in (EventStatus.CANCELLED, EventStatus.POSTPONED)
        if halted and self.kind is not LinkKind.SCHEDULE:
            return LinkState.CLOSED
        if self.state is LinkState.OPEN and self.deadline and moment >= self.deadline:
            return LinkState.CLOSED
        return self.state

    def local_deadline(self) -> datetime | None:
        if self.deadline is None:
            return None
        return self.deadline.replace(tzinfo=UTC).astimezone(self.event.tz)


# A change to any of these is one calendar clients must notice: SEQUENCE goes up (RFC 5545
# 3.8.7.4). Every other edit still moves LAST-MODIFIED.
SIGNIFICANT_FIELDS = (
    "title",
    "status",
    "format",
    "starts_on",
    "ends_on",
    "start_time",
    "end_time",
    "timezone",
    "start_fold",
    "end_fold",
    "venue",
    "street",
    "city",
    "region",
    "country",
    "latitude",
    "longitude",
    "dates_to_be_confirmed",
    "dates_to_be_announced",
)
CATALOGUE_TYPES = (Event, EventLink, Project)


@event.listens_for(Session, "before_flush")
def _track_catalogue_changes(session: Session, flush_context, instances) -> None:
    """The model layer's bookkeeping, so that every write path gets it: derived columns,
    SEQUENCE and LAST-MODIFIED, and a note that the catalogue changed."""
    now = utcnow()
    changed = any(isinstance(obj, CATALOGUE_TYPES) for obj in session.deleted)
    for obj in session.new:
        if isinstance(obj, Event):
            obj.refresh_derived()
            obj.created_at = obj.updated_at = now
        changed |= isinstance(obj, CATALOGUE_TYPES)
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, EventLink) and obj.event is not None and obj.event not in session.new:
            obj.event.updated_at = now  # the link row is part of the event's description
    for obj in list(session.dirty):
        if not isinstance(obj, CATALOGUE_TYPES) or not session.is_modified(obj):
            continue
        changed = True
        if isinstance(obj, EventLink) and obj.event is not None:
            obj.event.updated_at = now  # the link row is part of the event's description
        if isinstance(obj, Event):
            obj.refresh_derived()
            attrs = inspect(obj).attrs
            if any(attrs[name].history.has_changes() for name in SIGNIFICANT_FIELDS):
                obj.sequence = (obj.sequence or 0) + 1
            obj.updated_at = now
    if changed:
        note_change(session, now)
