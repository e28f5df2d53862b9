"""Nothing that contradicts itself: what a page, a card and the month view say of an event
agrees with its state (cancelled, postponed, over, dates to be confirmed)."""

import json
import re
from datetime import date

import pytest

from portal.events.models import EventStatus, LinkKind, LinkState

pytestmark = pytest.mark.usefixtures("frozen_now")  # 2024-11-20

CALENDAR = ("Add to calendar", "calendar.google.com/calendar/render", "outlook.live.com")


def json_ld(html: str) -> dict:
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)[1]
    )


def page(client, slug: str) -> str:
    response = client.get(f"/events/{slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_add_to_calendar_is_offered_only_for_an_event_that_will_take_place(client, make_event):
    make_event(slug="to-come", starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 6))
    make_event(slug="over", starts_on=date(2024, 3, 6), ends_on=date(2024, 3, 6))
    make_event(slug="cancelled", status=EventStatus.CANCELLED, starts_on=date(2025, 3, 6),
               ends_on=date(2025, 3, 6))  # fmt: skip
    make_event(slug="postponed-void", status=EventStatus.POSTPONED, dates_to_be_announced=True,
               starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 6))  # fmt: skip
    to_come = page(client, "to-come")
    assert all(words in to_come for words in CALENDAR)
    for slug in ("over", "cancelled", "postponed-void"):
        html = page(client, slug)
        assert not any(words in html for words in CALENDAR), slug


def test_an_over_event_names_only_the_links_it_had_and_nothing_coming_soon(client, make_event):
    make_event(
        slug="over",
        starts_on=date(2024, 3, 6),
        ends_on=date(2024, 3, 6),
        links=(
            (LinkKind.REGISTER, LinkState.OPEN, "https://example.org/r"),
            (LinkKind.SCHEDULE, LinkState.COMING_SOON, None),
            (LinkKind.CFP, LinkState.COMING_SOON, None),
        ),
    )
    html = page(client, "over")
    assert "coming soon" not in html.lower()
    assert "Registration closed: the event is over" in html
    assert "Call for papers" not in html  # it never had one


def test_a_cancelled_card_names_its_own_links_with_one_full_stop(client, make_event):
    make_event(
        slug="cancelled",
        title="Day Lyon 2025",
        status=EventStatus.CANCELLED,
        status_reason="Cancelled: the venue is closed.",
        dates_to_be_confirmed=True,
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 6),
        links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org/r"),),
    )
    make_event(slug="bare", title="Bare 2025", status=EventStatus.CANCELLED, status_reason="Rain")
    listing = client.get("/events").get_data(as_text=True)
    assert "Cancelled: The venue is closed. Registration is closed." in listing
    assert "Cancelled: Cancelled" not in listing and ".." not in listing
    assert "sponsorship" not in listing.lower()
    assert "Cancelled: Rain.</p>" in re.sub(r"\s+</p>", "</p>", listing)  # links it never had
    html = page(client, "cancelled")
    assert "This event has been cancelled. The venue is closed." in html
    assert "Cancelled: Cancelled" not in html
    assert "to be confirmed" not in html.lower() and "to be confirmed" not in listing.lower()


def test_a_postponed_reason_reads_as_one_sentence(client, make_event):
    make_event(slug="p", status=EventStatus.POSTPONED, status_reason="Postponed - travel rules")
    html = page(client, "p")
    assert "This event has been postponed. Travel rules. It may not take place" in html
    assert "Postponed: Postponed" not in client.get("/events").get_data(as_text=True)


def test_dates_to_be_confirmed_once_beside_the_date_and_never_firm_in_json_ld(client, make_event):
    make_event(slug="tbc", title="Day Sweden 2025", dates_to_be_confirmed=True,
               starts_on=date(2025, 5, 7), ends_on=date(2025, 5, 7))  # fmt: skip
    html = page(client, "tbc")
    body = html.split("<body", 1)[1]
    assert body.lower().count("to be confirmed") == 1
    assert "Wednesday, May 7, 2025, dates to be confirmed" in body
    assert "((" not in body and "))" not in body
    data = json_ld(html)
    assert data["startDate"] == "2025-05" and data["endDate"] == "2025-05"
    assert "Dates to be confirmed" in data["description"]
    listing = client.get("/events").get_data(as_text=True)
    card = (
        listing.split("Day Sweden 2025")[0].rsplit("<article", 1)[1]
        + listing.split("Day Sweden 2025")[1].split("</article>")[0]
    )
    assert card.lower().count("to be confirmed") == 1


def test_an_all_day_event_names_no_zone_and_a_timed_one_does(client, make_event):
    from datetime import time

    make_event(slug="all-day", timezone="UTC")
    make_event(slug="timed", timezone="Europe/Berlin", start_time=time(9), end_time=time(17))
    all_day = page(client, "all-day")
    assert "All day" in all_day and "UTC (UTC)" not in all_day
    text = re.sub("<[^>]+>", "", page(client, "timed")).replace("\u202f", " ")  # <time>s
    assert "9:00 AM – 5:00 PM CET (Europe/Berlin)" in text


@pytest.mark.parametrize(
    ("status", "announced", "words"),
    [(EventStatus.CANCELLED, False, "cancelled"), (EventStatus.POSTPONED, True, "postponed")],
)
def test_a_past_event_says_where_it_promotes_its_next_edition_that_it_is_off(
    client, make_event, status, announced, words
):
    past = make_event(
        slug="day-2024",
        starts_on=date(2024, 5, 1),
        ends_on=date(2024, 5, 1),
        links=((LinkKind.SPONSOR, LinkState.OPEN, "https://example.org/s"),),
    )
    make_event(slug="day-2025", title="Day 2025", status=status, dates_to_be_announced=announced,
               previous_edition_id=past.id, starts_on=date(2025, 5, 1),
               ends_on=date(2025, 5, 1))  # fmt: skip
    html = page(client, "day-2024")
    assert re.search(rf"The next edition: <a [^>]*>Day 2025</a> \([^)]*\), {words}\.", html)
    if status is EventStatus.CANCELLED:
        assert "Sponsor the next edition" not in html
    else:
        assert "Sponsor the next edition (Day 2025, postponed)" in html


def test_the_month_view_says_each_entrys_state_in_words(client, make_event):
    make_event(title="Gone 2025", status=EventStatus.CANCELLED, starts_on=date(2025, 3, 4),
               ends_on=date(2025, 3, 4))  # fmt: skip
    make_event(title="Maybe 2025", dates_to_be_confirmed=True, starts_on=date(2025, 3, 5),
               ends_on=date(2025, 3, 5))  # fmt: skip
    make_event(title="Later 2025", status=EventStatus.POSTPONED, starts_on=date(2025, 3, 6),
               ends_on=date(2025, 3, 6))  # fmt: skip
    html = client.get("/events/month/2025-03").get_data(as_text=True)
    assert re.search(r'>Gone 2025</a> <span class="entry-state">Cancelled</span>', html)
    assert re.search(
        r'>Maybe 2025</a> <span class="entry-state">Dates to be confirmed</span>', html
    )
    assert re.search(r'>Later 2025</a> <span class="entry-state">Postponed</span>', html)


@pytest.mark.parametrize("path", ["/membership/thanks"])
def test_a_thank_you_page_opened_directly_claims_nothing(client, path):
    html = client.get(path).get_data(as_text=True)
    assert "we have your inquiry" not in html and "We received" not in html
    assert "No inquiry sent from this browser" in html
