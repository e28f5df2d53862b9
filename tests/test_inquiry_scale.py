"""Inquiries at scale: the generated ones of `seed-demo --synthetic-inquiries` with their mail,
and a CSV export that streams a batch at a time, whatever its size."""

import csv
import io
from datetime import timedelta

import helpers
import pytest
from sqlalchemy import func, select, text, update
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.inquiries import inbox_queries as inbox
from portal.inquiries.models import SEARCHED, Inquiry, InquiryKind, inquiry_contacts, search_text_of
from portal.inquiries.synthetic import seed_synthetic_inquiries
from portal.mail.models import OutboxMessage, OutboxState


def test_synthetic_inquiries_come_with_their_contacts_and_sent_mail(app, make_tier, make_contact):
    make_tier("gold")
    make_contact("members@example.org")
    assert seed_synthetic_inquiries(12) == 12
    assert seed_synthetic_inquiries(3) == 3  # after those already there
    assert db.session.scalar(select(func.count()).select_from(Inquiry)) == 15
    assert db.session.scalar(select(func.count()).select_from(inquiry_contacts)) == 15
    states = db.session.scalars(select(OutboxMessage.state)).all()
    assert len(states) == 30 and set(states) == {OutboxState.SENT}
    kinds = set(db.session.scalars(select(Inquiry.kind)))
    assert kinds == {InquiryKind.MEMBERSHIP}


def test_synthetic_inquiries_arrive_in_the_order_of_their_ids(app, make_tier, make_contact):
    """As real ones do, so that at scale the table's rows lie in the inbox's order."""
    make_tier("gold")
    make_contact("members@example.org")
    seed_synthetic_inquiries(40)
    by_id = db.session.scalars(select(Inquiry.id).order_by(Inquiry.id)).all()
    by_date = db.session.scalars(select(Inquiry.id).order_by(Inquiry.created_at)).all()
    assert by_id == by_date
    dates = db.session.scalars(select(Inquiry.created_at).order_by(Inquiry.id)).all()
    assert dates[-1] - dates[0] > timedelta(days=600)  # spread over two years


def test_the_export_reads_every_inquiry_a_batch_at_a_time(app, make_tier, make_contact):
    make_tier("gold")
    make_contact("members@example.org")
    seed_synthetic_inquiries(23)
    batches = list(inbox.export_batches(inbox.InboxFilter(MultiDict()), size=5))
    assert [len(batch) for batch in batches] == [5, 5, 5, 5, 3]
    ids = [values[0] for batch in batches for values in batch]
    assert len(ids) == len(set(ids)) == 23
    assert all(values[9].endswith("<members@example.org>") for values in batches[0])
    expected = db.session.scalars(
        select(Inquiry.id).order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
    ).all()
    assert ids == expected


def test_the_csv_export_is_streamed(client, editor, make_tier, make_contact):
    make_tier("gold")
    make_contact("members@example.org")
    seed_synthetic_inquiries(1203)
    response = client.get("/staff/inquiries/export.csv")
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 1203
    assert rows[0]["routed_to"].endswith("<members@example.org>")


def test_the_export_reads_one_statement_a_batch_and_names_contacts_in_order(
    app, make_tier, make_contact, count_queries
):
    make_tier("gold")
    make_contact("members@example.org", name="Zoe Members")
    seed_synthetic_inquiries(12)
    first = db.session.scalar(select(Inquiry.id).order_by(Inquiry.id))
    other = make_contact("early@example.org", name="Abe Early")
    db.session.execute(inquiry_contacts.insert().values(inquiry_id=first, contact_id=other.id))
    db.session.commit()
    with count_queries() as counted:
        batches = list(inbox.export_batches(inbox.InboxFilter(MultiDict()), size=5))
    # The contacts' names once, then a statement a batch: 5, 5, 2.
    assert counted.total == 1 + 3
    routed = {values[0]: values[9] for batch in batches for values in batch}
    assert routed[first] == "Abe Early <early@example.org>; Zoe Members <members@example.org>"
    assert {routed[number] for number in routed if number != first} == {
        "Zoe Members <members@example.org>"
    }


def test_the_migration_fills_the_search_text_of_inquiries_already_there(
    app, make_tier, make_contact
):
    from flask_migrate import downgrade, upgrade

    make_tier("gold")
    make_contact("members@example.org")
    seed_synthetic_inquiries(3)
    db.session.execute(
        update(Inquiry).where(Inquiry.id == 1).values(name="Zoë Ängström", email="zoe@example.org")
    )
    db.session.commit()
    db.session.remove()
    downgrade(revision="0007")
    upgrade()
    texts = dict(db.session.execute(select(Inquiry.id, Inquiry.search_text)).all())
    assert texts[1].startswith("zoe angstrom zoe@example.org ")
    for number, searched in texts.items():
        found = db.session.get(Inquiry, number)
        assert searched == search_text_of(*(getattr(found, name) for name in SEARCHED))


POSTGRES = pytest.mark.postgres


@POSTGRES
@pytest.mark.parametrize(
    ("args", "index"),
    [
        ({}, "ix_inquiry_received"),
        ({"q": "hopper"}, "ix_inquiry_search"),
        # By status in order, or (with few rows) the newest walked and filtered.
        ({"status": "in_progress"}, ("ix_inquiry_status_received", "ix_inquiry_status_kind")),
        ({"assignee": "none"}, "ix_inquiry_assignee_received"),
        ({"contact": "1"}, "ix_inquiry_contact_contact"),
    ],
)
def test_on_postgresql_each_filter_of_the_inbox_can_be_read_from_its_index(
    app, make_tier, make_contact, args, index
):
    """The statements the inbox runs can use the indexes built for them (with sequential
    scans priced out, since a test's few rows would rather be read whole): the page in its
    order, and the bounded count. A change to the search or the order that no index answers
    fails here."""
    make_tier("gold")
    make_contact("members@example.org")
    seed_synthetic_inquiries(300)
    filters = inbox.InboxFilter(MultiDict(args))
    page = filters.select().limit(50)
    count = select(func.count()).select_from(
        select(Inquiry.id).where(*filters.conditions()).limit(1001).subquery()
    )
    db.session.execute(text("ANALYZE inquiry"))
    db.session.commit()
    switches = ["enable_seqscan"]
    if not args.get("q"):  # a trigram index is read by bitmap; the others in order
        switches += ["enable_bitmapscan", "enable_sort"]
    plans = [helpers.explain(statement, *switches) for statement in (page, count)]
    names = index if isinstance(index, tuple) else (index,)
    assert any(name in plan for name in names for plan in plans), plans
    if not args.get("q"):  # the page in the inbox's order, without sorting
        assert "Sort" not in plans[0], plans[0]
