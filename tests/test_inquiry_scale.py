"""Inquiries at scale: the generated ones of `seed-demo --synthetic-inquiries` with their mail,
and a CSV export that streams a batch at a time, whatever its size."""

import csv
import io

from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal.extensions import db
from portal.inquiries import inbox
from portal.inquiries.models import Inquiry, InquiryKind, inquiry_contacts
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


def test_the_export_reads_every_inquiry_a_batch_at_a_time(app, make_tier, make_contact):
    make_tier("gold")
    make_contact("members@example.org")
    seed_synthetic_inquiries(23)
    everything = list(inbox.export_rows(inbox.InboxFilter(MultiDict()), size=5))
    ids = [inquiry.id for inquiry in everything]
    assert len(ids) == len(set(ids)) == 23
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
