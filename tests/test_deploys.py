"""A deploy runs the migrations while the release before still serves: what it writes against
the new schema works, and what it leaves out (search_text) the new release fills."""

from __future__ import annotations

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from portal.core.db import utcnow
from portal.extensions import db
from portal.inquiries.inbox_queries import InboxFilter
from portal.inquiries.maintenance import fill_search_text, reindex_job
from portal.inquiries.models import Inquiry

# The columns of `inquiry` that the release before migration 0008 wrote (it knew neither
# search_text nor submission_key).
BEFORE_0008 = (
    "kind", "name", "email", "organization", "message", "tier_id", "event_id", "package_id",
    "topic", "routing_rule_id", "consented_at", "created_at", "status", "assignee_id",
    "updated_at",
)  # fmt: skip


def insert_as_the_release_before(**values) -> int:
    table = sa.table("inquiry", *(sa.column(name) for name in (*BEFORE_0008, "id")))
    now = utcnow()
    row = {
        "kind": "membership", "name": "José Núñez", "email": "jose@example.org",
        "organization": "Nube", "message": "Queremos ser miembros.", "tier_id": None,
        "event_id": None, "package_id": None, "topic": "Gold", "routing_rule_id": None,
        "consented_at": now, "created_at": now, "status": "new", "assignee_id": None,
        "updated_at": now, **values,
    }  # fmt: skip
    number = db.session.execute(table.insert().values(**row).returning(table.c.id)).scalar_one()
    db.session.commit()
    return number


def found_by_search(words: str) -> list[int]:
    page = InboxFilter(MultiDict({"q": words})).paginate()
    return [row.id for row in page.items]


def test_the_release_befores_insert_works_and_is_found_once_the_worker_starts(app):
    number = insert_as_the_release_before()
    assert db.session.get(Inquiry, number).search_text == ""  # the column's default
    assert found_by_search("jose") == []  # what the old code left: the search cannot see it
    assert reindex_job(app) == "Search text filled for 1 inquiries written by the release before."
    assert found_by_search("jose") == [number]  # folded: accents and case
    assert fill_search_text() == 0 and reindex_job(app) is None  # nothing left, nothing said


def test_filling_goes_a_batch_at_a_time(app):
    numbers = [insert_as_the_release_before(email=f"p{n}@example.org") for n in range(7)]
    assert fill_search_text(batch=3) == 7
    assert all(db.session.get(Inquiry, n).search_text for n in numbers)
