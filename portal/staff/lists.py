"""The query-string filters of back-office lists."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from werkzeug.datastructures import MultiDict

from portal.core.hygiene import as_id
from portal.events.models import Event, EventStatus
from portal.events.queries import text_matches

MAX_PAGE = 10_000


def page_number(args: MultiDict) -> int:
    raw = args.get("page", "1")
    return min(as_id(raw) or 1, MAX_PAGE)


class EventListFilter:
    """`status` (a status or empty for all), `q` (words of the title, place, projects, or a
    part of the address) and `page`; what cannot be read is ignored, so a list always shows."""

    def __init__(self, args: MultiDict) -> None:
        status = args.get("status", "")
        self.status = EventStatus(status) if status in EventStatus._value2member_map_ else None
        self.q = args.get("q", "").strip()[:200]
        self.page = page_number(args)

    def select(self) -> Select:
        stmt = select(Event)
        if self.status is not None:
            stmt = stmt.where(Event.status == self.status)
        if self.q:
            words = text_matches(self.q)
            in_slug = Event.slug.contains(self.q.lower(), autoescape=True)
            stmt = stmt.where(or_(words, in_slug) if words is not None else in_slug)
        return stmt.order_by(Event.starts_on.desc(), Event.id.desc())

    def args(self, **changes) -> dict:
        values = {"status": self.status.value if self.status else None, "q": self.q or None}
        values.update(changes)
        return {key: value for key, value in values.items() if value}
