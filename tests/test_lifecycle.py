"""The lifecycle staff can trust: cancelled, postponed or over, an event stops inviting people
everywhere it is shown, in words that say why; rescheduling, dates to be confirmed or
announced; next editions with their packages, linked both ways."""

import json
import re
from datetime import date

import icalendar
import pytest
from sqlalchemy import select

from portal.core.errors import Refused
from portal.core.saving import saving
from portal.events import operations
from portal.events.models import Event, EventStatus, LinkKind, LinkState
from portal.extensions import db

LINKS = (
    (LinkKind.REGISTER, LinkState.OPEN, "https://example.org/register"),
    (LinkKind.SPONSOR, LinkState.OPEN, "https://example.org/sponsor"),
    (LinkKind.CFP, LinkState.OPEN, "https://example.org/cfp"),
)
LIVE = re.compile(r'<a class="button[^"]*" href="https://example.org/(register|sponsor|cfp)"')


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def vevent(client, slug: str) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(client.get(f"/events/{slug}.ics").data)
    return next(iter(calendar.walk("VEVENT")))


@pytest.fixture
def upcoming(make_event, frozen_now):
    return make_event(
        slug="summit-2025",
        title="Summit 2025",
        starts_on=date(2025, 6, 10),
        ends_on=date(2025, 6, 12),
        links=LINKS,
    )


def test_a_live_event_invites_with_one_primary_action(client, upcoming):
    html = client.get("/events/summit-2025").get_data(as_text=True)
    assert len(LIVE.findall(html)) == 3
    assert '<a class="button" href="https://example.org/register"' in html
    assert '<a class="button secondary" href="https://example.org/sponsor"' in html
    assert json_ld(html)["offers"]["availability"] == "https://schema.org/InStock"


def test_cancelling_asks_for_a_reason_and_then_nothing_invites(client, upcoming, editor, csrf):
    path = f"/staff/events/{upcoming.id}/cancel"
    page = client.get(path)
    assert page.status_code == 200 and "Cancel “Summit 2025”?" in page.get_data(as_text=True)
    token = csrf(path)
    refused = client.post(path, data={"csrf_token": token, "reason": ""})
    assert refused.status_code == 422
    assert db.session.get(Event, upcoming.id).status is EventStatus.PUBLISHED
    done = client.post(path, data={"csrf_token": token, "reason": "The venue is flooded."})
    assert done.status_code == 303

    html = client.get("/events/summit-2025").get_data(as_text=True)
    assert "The venue is flooded." in html
    assert not LIVE.search(html)
    assert "Registration closed: the event is cancelled" in html
    assert "Sponsorship closed: the event is cancelled" in html
    assert "Call for papers closed: the event is cancelled" in html
    data = json_ld(html)
    assert data["eventStatus"] == "https://schema.org/EventCancelled"
    assert data["offers"]["availability"] == "https://schema.org/Discontinued"

    card = client.get("/events").get_data(as_text=True)
    assert "Cancelled: The venue is flooded." in card
    assert "example.org/register" not in card

    event = vevent(client, "summit-2025")
    assert str(event["STATUS"]) == "CANCELLED"
    description = str(event["DESCRIPTION"])
    assert "Registration closed: the event is cancelled" in description
    assert "example.org/register" not in description
    assert "The venue is flooded." in description

    # Nothing offers to add a cancelled event to a calendar (the feed still says CANCELLED).
    assert "calendar.google.com/calendar/render" not in html
    assert "Add to calendar" not in html


def test_postponed_with_new_dates_to_be_announced(client, upcoming, editor, csrf):
    path = f"/staff/events/{upcoming.id}/postpone"
    data = {"csrf_token": csrf(path), "reason": "Travel rules.", "dates_to_be_announced": "y"}
    assert client.post(path, data=data).status_code == 303
    html = client.get("/events/summit-2025").get_data(as_text=True)
    assert "New dates to be announced" in html and "Travel rules." in html
    facts = html.split("<dl", 1)[1].split("</dl>")[0]
    # The dates it was postponed from show only struck through, as those last announced.
    assert "Jun 10" not in re.sub(r"Previously planned for <del>Jun 10[^<]*</del>", "", facts)
    assert "Add to calendar" not in html  # its void date would land in calendars
    assert not LIVE.search(html)
    assert json_ld(html)["eventStatus"] == "https://schema.org/EventPostponed"
    assert str(vevent(client, "summit-2025")["STATUS"]) == "TENTATIVE"
    month = client.get("/events/month/2025-06").get_data(as_text=True)
    assert "Summit 2025" not in month


def test_rescheduling_records_the_previous_dates_and_raises_sequence(client, upcoming):
    sequence = upcoming.sequence
    with saving():
        operations.update_event(
            upcoming, {"starts_on": date(2025, 9, 1), "ends_on": date(2025, 9, 3)}, None
        )
    assert upcoming.previous_starts_on == date(2025, 6, 10)
    assert upcoming.sequence > sequence
    html = client.get("/events/summit-2025").get_data(as_text=True)
    data = json_ld(html)
    assert data["eventStatus"] == "https://schema.org/EventRescheduled"
    assert data["previousStartDate"] == "2025-06-10"
    assert "Previously planned for" in html


def test_dates_to_be_confirmed_show_on_cards_pages_and_feeds(client, make_event, frozen_now):
    make_event(slug="days-2025", starts_on=date(2025, 5, 5), ends_on=date(2025, 5, 5),
               dates_to_be_confirmed=True)  # fmt: skip
    assert "May 5, 2025, dates to be confirmed" in client.get("/events").get_data(as_text=True)
    page = client.get("/events/days-2025").get_data(as_text=True)
    assert "May 5, 2025, dates to be confirmed" in page
    event = vevent(client, "days-2025")
    assert str(event["STATUS"]) == "TENTATIVE"
    assert "Dates to be confirmed." in str(event["DESCRIPTION"])


def test_over_events_say_why_links_are_closed(client, make_event, frozen_now):
    make_event(slug="old", starts_on=date(2024, 5, 1), ends_on=date(2024, 5, 2), links=LINKS)
    html = client.get("/events/old").get_data(as_text=True)
    assert not LIVE.search(html)
    assert "Registration closed: the event is over" in html
    assert "Sponsor the next edition" not in html  # none exists


def test_next_edition_copies_packages_not_on_sale_and_links_both_ways(
    client, make_event, make_package, frozen_now
):
    past = make_event(
        slug="days-2024", title="Days 2024", starts_on=date(2024, 5, 1), ends_on=date(2024, 5, 2),
        projects=("openstack",), links=LINKS,
    )  # fmt: skip
    make_package(past, "coffee", price=250_000, available=2)
    with pytest.raises(Refused):
        operations.next_edition(past, None, date(2024, 6, 1), date(2024, 6, 2))
    with saving():
        edition = operations.next_edition(past, None, status=EventStatus.PUBLISHED)
    assert (edition.slug, edition.title) == ("days-2025", "Days 2025")
    assert (edition.starts_on, edition.ends_on) == (date(2025, 4, 30), date(2025, 5, 1))
    assert edition.starts_on.weekday() == past.starts_on.weekday()
    assert [p.slug for p in edition.projects] == ["openstack"]
    assert {link.state for link in edition.links} == {LinkState.COMING_SOON}
    from portal.offer.models import SponsorshipPackage

    copied = db.session.scalars(
        select(SponsorshipPackage).where(SponsorshipPackage.event_id == edition.id)
    ).all()
    assert [(p.slug, p.price, p.available, p.is_retired) for p in copied] == [
        ("coffee", 250_000, None, True)
    ]
    old_page = client.get("/events/days-2024").get_data(as_text=True)
    # Sold through the portal: the next edition's own sponsorship page takes the inquiry.
    assert 'href="/events/days-2025/sponsor">Sponsor the next edition' in old_page
    assert "The next edition" in old_page
    new_page = client.get("/events/days-2025").get_data(as_text=True)
    assert "Previous editions" in new_page and 'href="/events/days-2024"' in new_page


def test_the_next_edition_form_defaults_a_year_later_and_refuses_dates_over(
    client, frozen_now, editor, csrf, make_event
):
    past = make_event(slug="ptg-2024", title="PTG 2024", starts_on=date(2024, 4, 8),
                      ends_on=date(2024, 4, 12))  # fmt: skip
    path = f"/staff/events/{past.id}/next-edition"
    page = client.get(path).get_data(as_text=True)
    assert 'value="2025-04-07"' in page and 'value="2025-04-11"' in page
    token = csrf(path)
    old = {"csrf_token": token, "starts_on": "2024-10-01", "ends_on": "2024-10-02"}
    refused = client.post(path, data=old)
    assert refused.status_code == 422 and "already over" in refused.get_data(as_text=True)
    made = client.post(path, data={**old, "starts_on": "2025-04-07", "ends_on": "2025-04-11"})
    assert made.status_code == 303
    edition = db.session.scalar(select(Event).where(Event.slug == "ptg-2025"))
    assert edition.previous_edition_id == past.id and edition.is_draft
    staff_page = client.get(f"/staff/events/{past.id}/edit").get_data(as_text=True)
    assert f'next <a href="/staff/events/{edition.id}/edit">PTG 2025</a>' in staff_page
