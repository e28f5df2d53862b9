"""Generated inquiries with their mail (`flask seed-demo --synthetic-inquiries N`), for
benchmarks and scale tests: bulk inserts in batches, the routing of the demo's default
contacts, a notification and an acknowledgement in the outbox for each, already sent."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from portal.core.db import utcnow
from portal.extensions import db
from portal.inquiries.models import (
    SEARCHED,
    Inquiry,
    InquiryKind,
    InquiryStatus,
    StaffContact,
    inquiry_contacts,
    mail_reference,
    search_text_of,
)
from portal.mail.models import OutboxMessage, OutboxState
from portal.offer.models import MembershipTier, SponsorshipPackage

BATCH = 5000
FIRST = ("Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Radia", "Guido")
LAST = ("Lovelace", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie")
ORGS = ("Rackspace", "Ericsson", "Red Hat", "Canonical", "Mirantis", "Huawei", "Wind River")
WORDS = ("cloud", "edge", "storage", "network", "summit", "booth", "keynote", "community")


def _rows(count: int, start: int, tiers, packages, now: datetime, gap: timedelta) -> Iterator[dict]:
    """Inquiries received in the order of their ids, `gap` apart (give or take half of it),
    the last one at `now`: as real ones arrive, so the table's rows lie in the inbox's order
    as they would in production (random dates would scatter each page over the disk)."""
    rng = random.Random(start)  # noqa: S311  # nosec B311 (made-up data, not secrets)
    statuses = list(InquiryStatus)
    for number in range(start, start + count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        created = now - gap * (start + count - number) + gap * (rng.random() - 0.5)
        values: dict[str, Any] = dict(
            name=f"{first} {last}",
            email=f"{first.lower()}.{last.lower()}.{number}@example.org",
            organization=rng.choice(ORGS),
            message=" ".join(rng.choice(WORDS) for _ in range(20)),
            consented_at=created,
            created_at=created,
            updated_at=created,
            status=rng.choice(statuses),
        )
        if packages and number % 5 == 0:
            package = rng.choice(packages)
            values |= dict(
                kind=InquiryKind.SPONSORSHIP,
                event_id=package.event_id,
                package_id=package.id,
                topic=f"Sponsorship: {package.name}",
            )
        else:
            tier = rng.choice(tiers) if tiers else None
            values |= dict(
                kind=InquiryKind.MEMBERSHIP,
                tier_id=tier.id if tier else None,
                topic=tier.name if tier else "Membership",
            )
        values["search_text"] = search_text_of(*(values[name] for name in SEARCHED))
        yield values


def _mail(inquiry_id: int, values: dict, contact: StaffContact) -> list[dict]:
    sent = values["created_at"] + timedelta(seconds=2)
    common = dict(
        sender="no-reply@openinfra.dev",
        state=OutboxState.SENT,
        attempts=1,
        next_attempt_at=values["created_at"],
        sent_at=sent,
        created_at=values["created_at"],
        reference=mail_reference(inquiry_id),
    )
    return [
        dict(
            common,
            message_id=f"<inquiry-{inquiry_id}-staff@synthetic.test>",
            recipient=contact.email,
            subject=f"New inquiry: {values['topic']}",
            raw=f"Subject: New inquiry\r\n\r\n{values['message']}\r\n".encode(),
        ),
        dict(
            common,
            message_id=f"<inquiry-{inquiry_id}-ack@synthetic.test>",
            recipient=values["email"],
            subject="We received your inquiry",
            raw=b"Subject: We received your inquiry\r\n\r\nThank you.\r\n",
        ),
    ]


def seed_synthetic_inquiries(count: int, progress=None) -> int:
    """Add `count` generated inquiries after those already there; returns how many."""
    tiers = list(db.session.scalars(select(MembershipTier)))
    packages = list(db.session.scalars(select(SponsorshipPackage)))
    contacts = list(db.session.scalars(select(StaffContact).order_by(StaffContact.id)))
    if not contacts:
        contacts = [StaffContact(name="Events", email="events@example.org")]
        db.session.add_all(contacts)
        db.session.commit()
    start = (db.session.scalar(select(func.max(Inquiry.id))) or 0) + 1
    # Spread over two years up to now, in the order of the ids.
    gap = timedelta(days=2 * 365) / max(count, 1)
    done = 0
    while done < count:
        size = min(BATCH, count - done)
        until = utcnow() - gap * (count - done - size)
        rows = list(_rows(size, start + done, tiers, packages, until, gap))
        stmt = insert(Inquiry).returning(Inquiry.id, sort_by_parameter_order=True)
        ids = db.session.scalars(stmt, rows).all()
        links, mail = [], []
        for inquiry_id, values in zip(ids, rows, strict=True):
            contact = contacts[inquiry_id % len(contacts)]
            links.append({"inquiry_id": inquiry_id, "contact_id": contact.id})
            mail += _mail(inquiry_id, values, contact)
        db.session.execute(insert(inquiry_contacts), links)
        db.session.execute(insert(OutboxMessage), mail)
        db.session.commit()
        done += size
        if progress:
            progress(size)
    return done
