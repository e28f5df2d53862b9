"""Reading the inquiry inbox: the list's filters, what a page of it and one inquiry show, and
the dashboard's counts, each in a fixed number of statements whatever the data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.datastructures import MultiDict

from portal.accounts.models import StaffUser
from portal.core.lists import ListFilter, choice, number, words
from portal.events.models import Event
from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryKind, InquiryStatus, StaffContact
from portal.mail.models import OutboxMessage, OutboxState

UNASSIGNED = "none"


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

    def select(self) -> Select:
        stmt = select(Inquiry)
        if self.kind is not None:
            stmt = stmt.where(Inquiry.kind == self.kind)
        if self.status is not None:
            stmt = stmt.where(Inquiry.status == self.status)
        if self.event is not None:
            stmt = stmt.where(Inquiry.event_id == self.event)
        if self.contact is not None:
            stmt = stmt.where(Inquiry.contacts.any(StaffContact.id == self.contact))
        if self.assignee == UNASSIGNED:
            stmt = stmt.where(Inquiry.assignee_id.is_(None))
        elif self.assignee is not None:
            stmt = stmt.where(Inquiry.assignee_id == self.assignee)
        if self.q:
            columns = (Inquiry.name, Inquiry.email, Inquiry.organization, Inquiry.topic,
                       Inquiry.message)  # fmt: skip
            stmt = stmt.where(or_(*(c.icontains(self.q, autoescape=True) for c in columns)))
        return stmt.order_by(Inquiry.created_at.desc(), Inquiry.id.desc()).options(
            selectinload(Inquiry.contacts),
            joinedload(Inquiry.assignee),
            joinedload(Inquiry.event),  # an open inquiry about a cancelled event is flagged
        )

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

    events: list[Event]
    contacts: list[StaffContact]
    staff: list[StaffUser]


def export_rows(filters: InboxFilter, size: int = 1000) -> Iterator[Inquiry]:
    """Every inquiry the filters choose, newest first, read a batch at a time by keyset (each
    batch four statements, and forgotten once written), so an export of any size streams in
    constant memory."""
    stmt = filters.select().options(joinedload(Inquiry.routing_rule)).limit(size)
    last = None
    while True:
        page = stmt
        if last is not None:
            # Spelled out rather than as a row comparison, so that PostgreSQL walks the index
            # on created_at from where the last batch ended.
            at, number = last
            page = stmt.where(
                Inquiry.created_at <= at,
                or_(Inquiry.created_at < at, Inquiry.id < number),
            )
        batch = list(db.session.scalars(page).unique())
        yield from batch
        if len(batch) < size:
            return
        last = (batch[-1].created_at, batch[-1].id)
        db.session.expunge_all()


def choices() -> Choices:
    events = select(Event).where(Event.id.in_(select(Inquiry.event_id).distinct()))
    return Choices(
        events=list(db.session.scalars(events.order_by(Event.starts_on.desc()))),
        contacts=list(db.session.scalars(select(StaffContact).order_by(StaffContact.name))),
        staff=list(
            db.session.scalars(
                select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.name)
            )
        ),
    )


def mail_states(inquiries: list[Inquiry]) -> dict[int, dict[OutboxState, int]]:
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


def new_by_kind() -> dict[InquiryKind, int]:
    rows = db.session.execute(
        select(Inquiry.kind, func.count())
        .where(Inquiry.status == InquiryStatus.NEW)
        .group_by(Inquiry.kind)
    )
    counts = dict(rows.all())
    return {kind: counts.get(kind, 0) for kind in InquiryKind}


def latest(limit: int = 5) -> list[Inquiry]:
    stmt = select(Inquiry).order_by(Inquiry.created_at.desc(), Inquiry.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))
