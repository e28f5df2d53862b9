"""The month view: a grid of the month's events in their own local dates."""

import re
from datetime import date

import pytest

from portal.events.models import EventFormat, EventKind, EventStatus

pytestmark = pytest.mark.usefixtures("frozen_now")  # 2024-11-20


@pytest.fixture
def settings():
    """Statement counts of a render: the page cache would answer the repeated requests."""
    return {"PAGE_CACHE": False}


def cell(html: str, day: str) -> str:
    """The HTML of the grid cell of one day (YYYY-MM-DD)."""
    found = re.search(
        rf'<td[^>]*>\s*<span class="day-number"><time datetime="{day}">.*?</td>', html, re.S
    )
    assert found, day
    return found.group(0)


@pytest.fixture
def north_america(make_event):
    """All day on Thursday March 6 and Friday March 7, 2025, in Pasadena (UTC-8)."""
    return make_event(
        title="OpenInfra Days North America 2025",
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 7),
        timezone="America/Los_Angeles",
        city="Pasadena",
        region="CA",
        country="US",
    )


def test_march_2025_shows_north_america_on_both_its_days(client, north_america):
    response = client.get("/events/month/2025-03")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>March 2025</h1>" in html
    for day in ("2025-03-06", "2025-03-07"):
        assert "OpenInfra Days North America 2025" in cell(html, day)
    assert "OpenInfra Days North America 2025" not in cell(html, "2025-03-08")
    assert 'href="/events/month/2025-02"' in html and 'href="/events/month/2025-04"' in html


def test_the_month_defaults_to_the_current_one(client):
    assert "<h1>November 2024</h1>" in client.get("/events/month").get_data(as_text=True)


def test_filters_apply_and_follow_the_month_links(client, north_america, make_event):
    make_event(
        title="PTG April 2025",
        kind=EventKind.PTG,
        format=EventFormat.VIRTUAL,
        starts_on=date(2025, 4, 7),
        ends_on=date(2025, 4, 11),
        city=None,
        country=None,
    )
    html = client.get("/events/month/2025-04?format=virtual").get_data(as_text=True)
    assert "PTG April 2025" in cell(html, "2025-04-07")
    assert 'href="/events/month/2025-05?format=virtual"' in html
    html = client.get("/events/month/2025-03?format=virtual").get_data(as_text=True)
    assert "OpenInfra Days North America" not in html  # the region is an option
    assert "No events this month match these filters." in html


def test_a_busy_day_shows_a_few_and_links_to_the_rest(client, make_event):
    for number in range(6):
        make_event(title=f"Busy {number}", starts_on=date(2025, 5, 5), ends_on=date(2025, 5, 5))
    html = client.get("/events/month/2025-05").get_data(as_text=True)
    busy = cell(html, "2025-05-05")
    assert busy.count("Busy ") == 4
    assert "+2 more" in busy
    assert 'href="/events?from=2025-05-05&amp;to=2025-05-05"' in busy


def test_drafts_stay_out_and_cancelled_events_are_marked(client, make_event):
    make_event(
        title="Draft",
        status=EventStatus.DRAFT,
        starts_on=date(2025, 5, 5),
        ends_on=date(2025, 5, 5),
    )
    make_event(
        title="Off",
        status=EventStatus.CANCELLED,
        starts_on=date(2025, 5, 6),
        ends_on=date(2025, 5, 6),
    )
    html = client.get("/events/month/2025-05").get_data(as_text=True)
    assert "Draft" not in html
    assert 'class="is-cancelled"><a href="/events/event-2">Off</a>' in html


@pytest.mark.parametrize(
    "month",
    [
        "2025-13",
        "2025-1",
        "garbage",
        "0000-01",
        "0001-01",
        "1899-12",
        "2201-01",
        "9999-12",
        "2025-03%0A",
    ],
)
def test_a_month_it_cannot_read_is_not_found(client, month):
    assert client.get(f"/events/month/{month}").status_code == 404


def test_bad_filters_answer_400(client):
    assert client.get("/events/month/2025-03?format=zzz").status_code == 400
    assert client.get("/events/month/2025-03?month=2025-04&q=x").status_code == 200


def test_month_page_does_not_grow_with_events(client, make_event, count_queries):
    make_event(starts_on=date(2025, 5, 5), ends_on=date(2025, 5, 5), projects=("zuul",))
    client.get("/events/month/2025-05")
    with count_queries() as few:
        client.get("/events/month/2025-05")
    for day in range(1, 20):
        make_event(
            starts_on=date(2025, 5, day), ends_on=date(2025, 5, day), projects=("zuul", "openstack")
        )
    client.get("/events/month/2025-05")  # the new version's filter choices, read once
    with count_queries() as many:
        client.get("/events/month/2025-05")
    assert many.total == few.total


def test_the_month_marks_today_and_shows_a_long_event_once_on_phones(
    client, make_event, frozen_now
):
    make_event(title="PTG", starts_on=date(2024, 11, 18), ends_on=date(2024, 11, 22))
    html = client.get("/events/month").get_data(as_text=True)
    assert 'aria-current="date"' in html and "today-label" in html
    assert '<a class="today-link" href="/events/month" aria-current="page">Today</a>' in html
    assert html.count('href="/events/event-1">PTG</a>') == 5  # each day on wide screens
    assert html.count('class=" continues"') == 4  # hidden on phones: one span remains
    assert html.count("Nov 18\u2009–\u200922, 2024") == 1


def test_an_empty_month_offers_the_next_month_with_events(client, make_event, frozen_now):
    make_event(title="Later", starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 6))
    html = client.get("/events/month/2025-01").get_data(as_text=True)
    assert 'href="/events/month/2025-03">Next month with events: March 2025</a>' in html
    assert 'href="/events?past=1">Past events</a>' in html
