"""Reading the outbox for staff: what has not been delivered, worst first."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, case, func, select
from werkzeug.datastructures import MultiDict

from portal.core.lists import ListFilter
from portal.extensions import db
from portal.mail.models import OutboxMessage, OutboxState

# Pending mail this late has missed its worker (or no worker is running).
OVERDUE = timedelta(minutes=15)
VIEWS = {
    "undelivered": (OutboxState.FAILED, OutboxState.SENDING, OutboxState.PENDING),
    "failed": (OutboxState.FAILED,),
    "waiting": (OutboxState.SENDING, OutboxState.PENDING),
    "sent": (OutboxState.SENT,),
}
# Failed first (someone must act), then what is being sent, then what waits for its time.
_RANK = case(
    (OutboxMessage.state == OutboxState.FAILED, 0),
    (OutboxMessage.state == OutboxState.SENDING, 1),
    else_=2,
)


class OutboxFilter(ListFilter):
    """`show` (one of VIEWS, "undelivered" by default) and `page`; anything else is ignored."""

    def __init__(self, args: MultiDict) -> None:
        super().__init__(args)
        show = args.get("show", "")
        self.show = show if show in VIEWS else "undelivered"

    def select(self) -> Select:
        stmt = select(OutboxMessage).where(OutboxMessage.state.in_(VIEWS[self.show]))
        if self.show == "sent":
            return stmt.order_by(OutboxMessage.sent_at.desc(), OutboxMessage.id.desc())
        return stmt.order_by(_RANK, OutboxMessage.next_attempt_at, OutboxMessage.id)

    def values(self) -> dict:
        return {"show": None if self.show == "undelivered" else self.show}


def undelivered(now: datetime) -> dict[str, int]:
    """Failed messages, and pending ones more than OVERDUE past their time (one statement).
    `now` is naive UTC, as stored."""
    late = (OutboxMessage.state == OutboxState.PENDING) & (
        OutboxMessage.next_attempt_at < now - OVERDUE
    )
    failed, overdue = db.session.execute(
        select(
            func.count(case((OutboxMessage.state == OutboxState.FAILED, 1))),
            func.count(case((late, 1))),
        ).where(OutboxMessage.state.in_([OutboxState.FAILED, OutboxState.PENDING]))
    ).one()
    return {"failed": failed, "overdue": overdue}
