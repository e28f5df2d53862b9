"""One answer about the next edition: once an event is over, sponsoring it is sponsoring its
next edition everywhere (its page, the form's heading, the stored event, the thank-you page,
both mails, the inbox); an edition with no packages yet takes inquiries "packages to be
announced" on its own page, and an event that never sold here invites none."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from logo_samples import squeeze
from sqlalchemy import select

from portal.core.saving import saving
from portal.events import operations
from portal.events.models import EventStatus, LinkKind, LinkState
from portal.extensions import db
from portal.inquiries.models import Inquiry
from portal.mail.models import OutboxMessage

PAST = {"starts_on": date(2025, 3, 6), "ends_on": date(2025, 3, 7)}


@pytest.fixture
def editions(make_event, make_package, make_contact, travel):
    make_contact("events@example.org", name="Evan Events", is_default=True)
    event = make_event(**PAST, slug="days-2025", title="OpenInfra Days 2025")
    make_package(event, "spotlight", price=250_000, available=0)
    travel(datetime.combine(date(2025, 4, 1), time(), tzinfo=UTC))
    with saving():
        edition = operations.next_edition(event, None, status=EventStatus.PUBLISHED)
    return event, edition


def test_the_next_edition_takes_the_inquiry_about_itself(client, csrf, editions, editor):
    past, edition = editions
    answer = client.get(f"/events/{past.slug}/sponsor")
    assert answer.status_code == 303
    path = f"/events/{edition.slug}/sponsor"
    assert answer.headers["Location"].endswith(path)
    html = client.get(path).get_data(as_text=True)
    assert f"Sponsor {edition.title}" in squeeze(html)
    assert "Packages to be announced" in html
    assert 'name="package"' not in html and f"Sponsor {past.title}" not in squeeze(html)
    data = {
        "csrf_token": csrf(path),
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "organization": "Acme Cloud",
        "message": "We would like to sponsor the next one.",
        "consent": "y",
    }
    answer = client.post(path, data=data)
    assert answer.status_code == 303
    thanks = squeeze(client.get(answer.headers["Location"]).get_data(as_text=True))
    assert f"about {edition.title}" in thanks
    inquiry = db.session.scalar(select(Inquiry))
    assert inquiry.event_id == edition.id
    assert inquiry.topic == f"{edition.title}: packages to be announced"
    subjects = list(db.session.scalars(select(OutboxMessage.subject)))
    assert len(subjects) == 2 and all(past.title not in subject for subject in subjects)
    inbox = squeeze(client.get(f"/staff/inquiries/{inquiry.id}").get_data(as_text=True))
    assert f"{edition.title}: packages to be announced" in inbox


def test_the_next_editions_page_invites_sponsors_with_packages_to_be_announced(client, editions):
    _, edition = editions
    html = client.get(f"/events/{edition.slug}").get_data(as_text=True)
    assert f'href="/events/{edition.slug}/sponsor">Sponsor (packages to be announced)' in html


def test_an_event_that_never_sold_here_invites_no_inquiry(client, make_event, travel):
    event = make_event(
        **PAST,
        slug="elsewhere-2025",
        links=((LinkKind.SPONSOR, LinkState.OPEN, "https://example.org/sponsor"),),
    )
    travel(datetime.combine(date(2025, 4, 1), time(), tzinfo=UTC))
    with saving():
        edition = operations.next_edition(event, None, status=EventStatus.PUBLISHED)
    assert client.get(f"/events/{edition.slug}/sponsor").status_code == 404
    html = client.get(f"/events/{edition.slug}").get_data(as_text=True)
    assert "packages to be announced" not in html
    assert client.get(f"/events/{event.slug}/sponsor").status_code == 404
