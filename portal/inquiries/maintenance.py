"""Keeping what the inbox reads complete across a deploy: inquiries that the release before
wrote during an upgrade have an empty search_text (it did not know the column), which the text
search could never find; the outbox worker fills them when it starts, and daily after."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, update

from portal.core import signals
from portal.core.saving import saving
from portal.extensions import db
from portal.inquiries.models import SEARCHED, Inquiry, search_text_of

BATCH = 1000


def fill_search_text(batch: int = BATCH) -> int:
    """Fill search_text where it is empty (the partial index ix_inquiry_unsearched finds those
    rows without reading the others), a batch a transaction; how many were filled."""
    filled = 0
    while True:
        with saving():
            rows = db.session.execute(
                select(Inquiry.id, *(getattr(Inquiry, name) for name in SEARCHED))
                .where(Inquiry.search_text == "")
                .order_by(Inquiry.id)
                .limit(batch)
            ).all()
            if not rows:
                return filled
            db.session.execute(
                update(Inquiry),
                [{"id": row[0], "search_text": search_text_of(*row[1:]) or " "} for row in rows],
                execution_options={"synchronize_session": False},
            )
        filled += len(rows)


@signals.daily_job_due.connect
def reindex_job(sender: Flask) -> str | None:
    """The worker's daily job (and its first, at start): what the release before left."""
    filled = fill_search_text()
    return (
        f"Search text filled for {filled} inquiries written by the release before."
        if filled
        else None
    )
