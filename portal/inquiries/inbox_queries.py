"""Reading the inquiry inbox: the list's filters, what a page of it and one inquiry show, and
the dashboard's counts, each in a fixed number of statements whatever the data."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import ColumnElement, Row, Select, String, cast, func, or_, select, type_coerce
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from portal.accounts.models import StaffUser
from portal.core.lists import ListFilter, ListPage, bounded_count, choice, number, words
from portal.events.models import Event, EventStatus
from portal.extensions import db
from portal.inquiries.models import (
    Inquiry,
    InquiryKind,
    InquiryNote,
    InquiryReply,
    InquiryStatus,
    RoutingRule,
    StaffContact,
    inquiry_contacts,
    mail_reference,
    public_reference,
    search_text_of,
)
from portal.mail.models import OutboxMessage, OutboxState
from portal.offer.models import MembershipTier, SponsorshipPackage

UNASSIGNED = "none"
NEWEST_FIRST = (Inquiry.created_at.desc(), Inquiry.id.desc())


def _escaped(text: str) -> str:
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


# The contacts an inquiry was routed to, as their ids joined by commas (one index probe a
# row); routed_labels() names them.
_ROUTED = (
    select(func.aggregate_strings(cast(inquiry_contacts.c.contact_id, String), ","))
    .where(inquiry_contacts.c.inquiry_id == Inquiry.id)
    .scalar_subquery()
)
LISTED = (
    Inquiry.id, Inquiry.created_at, Inquiry.kind, Inquiry.status, Inquiry.name,
    Inquiry.organization, Inquiry.topic, StaffUser.name.label("assignee"),
    Event.status.label("event_status"), _ROUTED.label("routed"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class InboxRow:
    """An inquiry as the inbox lists it."""

    id: int
    created_at: datetime
    kind: InquiryKind
    status: InquiryStatus
    name: str
    organization: str
    topic: str
    assignee: str | None  # the assignee's name
    event_status: EventStatus | None
    routed_to: tuple[str, ...]  # the contacts' names, in order

    @property
    def reference(self) -> str:
        return mail_reference(self.id)

    @property
    def number(self) -> str:
        return public_reference(self.id)

    @property
    def event_is_off(self) -> bool:
        """Open, about an event that is cancelled or postponed: the list flags it."""
        return self.event_status in (EventStatus.CANCELLED, EventStatus.POSTPONED) and (
            self.status in (InquiryStatus.NEW, InquiryStatus.IN_PROGRESS)
        )


REFERENCE = re.compile(r"(?:q-?)?0*([1-9][0-9]{0,9})", re.IGNORECASE)


def reference_number(text: str) -> int | None:
    """The inquiry id in a reference as people type it: "Q-000042", "q42", "000042", "42"."""
    found = REFERENCE.fullmatch(text.strip())
    if not found:
        return None
    number = int(found.group(1))
    return number if number <= 2**31 - 1 else None


class InboxFilter(ListFilter):
    """`kind`, `status`, `event` (id), `contact` (a routed contact's id), `assignee` (a staff
    id, or "none"), `q` (a part of the name, address, organization, topic or message) and
    `page`. What cannot be read is ignored, so the inbox always shows."""

    def __init__(self, args: MultiDict) -> None:
        super().__init__(args)
        self.kind = choice(args, "kind", InquiryKind)
        self.status = choice(args, "status", InquiryStatus)
        self.event = number(args, "event")
        self.contact = number(args, "contact")
        assignee = args.get("assignee", "")
        self.assignee = UNASSIGNED if assignee == UNASSIGNED else number(args, "assignee")
        self.q = words(args)

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.kind is not None:
            found.append(Inquiry.kind == self.kind)
        if self.status is not None:
            found.append(Inquiry.status == self.status)
        if self.event is not None:
            found.append(Inquiry.event_id == self.event)
        if self.contact is not None:
            routed = select(inquiry_contacts.c.inquiry_id).where(
                inquiry_contacts.c.contact_id == self.contact
            )
            found.append(Inquiry.id.in_(routed))
        if self.assignee == UNASSIGNED:
            found.append(Inquiry.assignee_id.is_(None))
        elif self.assignee is not None:
            found.append(Inquiry.assignee_id == self.assignee)
        if self.q:
            pattern = f"%{_escaped(search_text_of(self.q))}%"
            text = Inquiry.search_text.like(pattern, escape="/")
            number = reference_number(self.q)
            if number is None:
                found.append(text)
            elif self.q[:1].isdigit():  # "42" or "000042": that inquiry, or text with it
                found.append(or_(Inquiry.id == number, text))
            else:  # "Q-000042", "q42": the reference alone
                found.append(Inquiry.id == number)
        return found

    def select(self) -> Select:
        """The ids of the list in its order: a page of them is read from an index alone, and
        only that page's rows are read whole (see paginate)."""
        return select(Inquiry.id).where(*self.conditions()).order_by(*NEWEST_FIRST)

    def listed(self, contacts: Iterable[StaffContact]) -> ListPage:
        """A page of the list as InboxRows: its ids, then their rows in one statement (plain
        rows: ORM objects with their contacts, assignee and event cost several times as much
        to load; and the contacts are aggregated for these rows only, not for every
        row a deep page skips). `contacts`: every staff contact (the filter offers them)."""
        page = self.paginate()
        ids = [row.id for row in page.items]
        if not ids:
            return page
        rows = db.session.execute(
            select(*LISTED)
            .outerjoin(StaffUser, Inquiry.assignee_id == StaffUser.id)
            .outerjoin(Event, Inquiry.event_id == Event.id)
            .where(Inquiry.id.in_(ids))
            .order_by(*NEWEST_FIRST)
        )
        names = routed_labels(contacts, lambda contact: contact.name)
        # mypy cannot count the nine fields *row[:9] fills, and fears one more for routed_to.
        page.items = [
            InboxRow(*row[:9], routed_to=names(row.routed))  # type: ignore[misc]
            for row in rows
        ]
        return page

    @property
    def count_limit(self) -> int:
        # A search reads the text of every row it counts: it counts as far as the pager
        # needs ("More than 150 inquiries"), a tenth of what the plain list reads.
        return 0 if self.q else super().count_limit

    def values(self) -> dict:
        return {
            "kind": self.kind,
            "status": self.status,
            "event": self.event,
            "contact": self.contact,
            "assignee": self.assignee,
            "q": self.q or None,
        }


@dataclass(frozen=True)
class Choices:
    """What the inbox's filter and assignment selects offer."""

    events: list[Row]  # id and title
    contacts: list[StaffContact]
    staff: list[StaffUser]


# The columns of the export, in the order of export.HEADER. Kind and status stay the words
# stored; the routed contacts are ids until export_batches names them.
_NOTES = (
    select(func.aggregate_strings(InquiryNote.body, "\n---\n"))
    .where(InquiryNote.inquiry_id == Inquiry.id)
    .scalar_subquery()
)
_LAST_REPLY = (
    select(func.max(InquiryReply.created_at))
    .where(InquiryReply.inquiry_id == Inquiry.id)
    .scalar_subquery()
)
_EVENT = select(Event.title).where(Event.id == Inquiry.event_id).scalar_subquery()
_PACKAGE = (
    select(SponsorshipPackage.name)
    .where(SponsorshipPackage.id == Inquiry.package_id)
    .scalar_subquery()
)
_TIER = select(MembershipTier.name).where(MembershipTier.id == Inquiry.tier_id).scalar_subquery()
EXPORTED = (
    Inquiry.id, Inquiry.created_at, type_coerce(Inquiry.kind, String),
    type_coerce(Inquiry.status, String), Inquiry.name, Inquiry.email, Inquiry.organization,
    Inquiry.topic, Inquiry.message, _ROUTED, RoutingRule.name, StaffUser.email,
    _EVENT, _PACKAGE, _TIER, _NOTES, _LAST_REPLY,
)  # fmt: skip


def export_batches(filters: InboxFilter, size: int = 5000) -> Iterator[list[tuple]]:
    """Every inquiry the filters choose, newest first, as tuples of plain values in the
    order of export.HEADER, a batch at a time: read by keyset on ix_inquiry_received in one
    statement a batch, with no objects built, so an export of any size streams in constant
    memory (docs/performance.md has its rate)."""
    stmt = (
        select(*EXPORTED)
        .outerjoin(RoutingRule, Inquiry.routing_rule_id == RoutingRule.id)
        .outerjoin(StaffUser, Inquiry.assignee_id == StaffUser.id)
        .where(*filters.conditions())
        .order_by(*NEWEST_FIRST)
        .limit(size)
    )
    contacts = db.session.scalars(select(StaffContact))
    routed_to = routed_labels(contacts, lambda contact: f"{contact.name} <{contact.email}>")
    connection = db.session.connection()
    last = None
    while True:
        page = stmt
        if last is not None:
            # Spelled out rather than as a row comparison, so that PostgreSQL walks the index
            # from where the last batch ended.
            at, number = last
            page = stmt.where(
                Inquiry.created_at <= at,
                or_(Inquiry.created_at < at, Inquiry.id < number),
            )
        rows = connection.execute(page).all()
        if not rows:
            return
        yield [(*row[:9], "; ".join(routed_to(row[9])), *row[10:]) for row in rows]
        if len(rows) < size:
            return
        last = (rows[-1][1], rows[-1][0])


def routed_labels(
    contacts: Iterable[StaffContact], label: Callable[[StaffContact], str]
) -> Callable[[str | None], tuple[str, ...]]:
    """A function from what _ROUTED gives (contact ids joined by commas) to those contacts'
    labels in the order of their names, as the inquiry's page lists them; each combination
    is worked out once, so it costs nothing a row at a million rows."""
    by_id = {str(contact.id): (contact.name, label(contact)) for contact in contacts}

    @cache
    def labels(ids: str | None) -> tuple[str, ...]:
        found = sorted(by_id[number] for number in (ids or "").split(",") if number)
        return tuple(text for _, text in found)

    return labels


def events_with_inquiries() -> Select:
    """The ids of the events some inquiry is about, read by skipping through ix_inquiry_event
    one event at a time (a recursive query), not by reading every inquiry."""
    lowest = select(func.min(Inquiry.event_id)).scalar_subquery()
    found = select(lowest.label("id")).cte("event_with_inquiries", recursive=True)
    following = (
        select(func.min(Inquiry.event_id)).where(Inquiry.event_id > found.c.id).scalar_subquery()
    )
    found = found.union_all(select(following).where(found.c.id.is_not(None)))
    return select(found.c.id).where(found.c.id.is_not(None))


def choices() -> Choices:
    events = (
        select(Event.id, Event.title)
        .where(Event.id.in_(events_with_inquiries()))
        .order_by(Event.starts_on.desc())
    )
    return Choices(
        events=list(db.session.execute(events)),
        contacts=list(db.session.scalars(select(StaffContact).order_by(StaffContact.name))),
        staff=list(
            db.session.scalars(
                select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name)
            )
        ),
    )


def mail_states(inquiries: list[InboxRow]) -> dict[int, dict[OutboxState, int]]:
    """For each inquiry, how many of its messages are in each state (one statement)."""
    by_reference = {inquiry.reference: inquiry.id for inquiry in inquiries}
    found: dict[int, dict[OutboxState, int]] = defaultdict(dict)
    if not by_reference:
        return found
    rows = db.session.execute(
        select(OutboxMessage.reference, OutboxMessage.state, func.count())
        .where(OutboxMessage.reference.in_(list(by_reference)))
        .group_by(OutboxMessage.reference, OutboxMessage.state)
    )
    for reference, state, count in rows:
        found[by_reference[reference]][state] = count
    return found


def inquiry_page(inquiry_id: int) -> Inquiry | None:
    """One inquiry with everything its page shows."""
    return db.session.scalar(
        select(Inquiry)
        .where(Inquiry.id == inquiry_id)
        .options(
            selectinload(Inquiry.contacts),
            selectinload(Inquiry.notes),
            joinedload(Inquiry.assignee),
            joinedload(Inquiry.routing_rule),
            joinedload(Inquiry.tier),
            joinedload(Inquiry.event),
            joinedload(Inquiry.package),
        )
    )


def messages_of(inquiry: Inquiry) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).where(OutboxMessage.reference == inquiry.reference)
    return list(db.session.scalars(stmt.order_by(OutboxMessage.id)))


def new_by_kind() -> dict[InquiryKind, tuple[int, bool]]:
    """How many new inquiries of each kind, and whether there are more than COUNT_LIMIT (a
    statement a kind, each reading at most that many entries of ix_inquiry_status_kind)."""
    return {
        kind: bounded_count(
            select(Inquiry.id).where(Inquiry.status == InquiryStatus.NEW, Inquiry.kind == kind)
        )
        for kind in InquiryKind
    }


def latest(limit: int = 5) -> list[Inquiry]:
    stmt = select(Inquiry).order_by(*NEWEST_FIRST).limit(limit)
    return list(db.session.scalars(stmt))


def waiting_longest(limit: int = 5) -> list[Inquiry]:
    """The new inquiries that have waited longest (the oldest first), read from
    ix_inquiry_status_received: the dashboard lists them."""
    stmt = (
        select(Inquiry)
        .where(Inquiry.status == InquiryStatus.NEW)
        .order_by(Inquiry.created_at, Inquiry.id)
        .limit(limit)
    )
    return list(db.session.scalars(stmt))
