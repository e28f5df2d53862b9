"""The demo alive on the real date: each series carried through the years as events that
happened, meetups this month and next with registration open, projected editions with the
year in their title and a summary for visitors, and a home page that says what is open."""

import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from portal.events.models import Event, EventKind, LinkState
from portal.extensions import db

TODAY = datetime(2026, 12, 3, 10, tzinfo=UTC)


@pytest.fixture
def seeded_today(runner, travel):
    travel(TODAY)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    return result


def events(*where) -> list[Event]:
    return list(db.session.scalars(select(Event).where(*where).order_by(Event.starts_on)))


def test_each_series_reads_as_a_continuous_history_up_to_today(client, seeded_today):
    sweden = events(Event.slug.like("openinfra-day-sweden-%"))
    years = [event.starts_on.year for event in sweden]
    assert years == list(range(2024, 2028))  # 2024 real, 2025 and 2026 happened, 2027 to come
    for event in sweden[1:-1]:  # the editions that happened since the real one
        assert event.ends_on < TODAY.date() and not event.dates_to_be_confirmed
        assert all(link.state is LinkState.CLOSED for link in event.links)
        assert event.summary.startswith("The yearly OpenInfra Day Sweden in Gothenburg, held in")
    assert [e.title for e in sweden[1:]] == [
        f"OpenInfra Day Sweden {y}" for y in (2025, 2026, 2027)
    ]
    assert sweden[-1].summary == (
        f"The yearly OpenInfra Day Sweden in Gothenburg, planned for {sweden[-1].starts_on:%B} "
        "2027; its dates are to be confirmed."
    )
    page = client.get("/events/openinfra-day-sweden-2027").get_data(as_text=True)
    editions = page.split('id="editions-heading"')[1].split("</section>")[0]
    for year in (2024, 2025, 2026):
        assert f"OpenInfra Day Sweden {year}" in editions or year == 2024
    over = client.get("/events/openinfra-day-sweden-2026").get_data(as_text=True)
    assert "This event is over." in over and "coming soon" not in over.lower()
    past = client.get("/events?past=1").get_data(as_text=True)
    assert "2026" in past


def test_confirmed_meetups_this_month_and_next_with_registration_open(client, seeded_today):
    today = TODAY.date()
    meetups = events(Event.kind == EventKind.MEETUP)
    this_month = [e for e in meetups if e.starts_on.month == 12 and e.starts_on >= today]
    next_month = [e for e in meetups if (e.starts_on.year, e.starts_on.month) == (2027, 1)]
    assert len(this_month) >= 3 and len(next_month) >= 5
    for event in this_month + next_month:
        assert not event.dates_to_be_confirmed and event.venue and event.street and event.city
        assert event.start_time is not None and event.timezone != "UTC"
        assert event.links[0].state_at(TODAY) is LinkState.OPEN
    listing = client.get("/events").get_data(as_text=True)
    first = re.search(r'<article class="event-card.*?</article>', listing, re.S)[0]
    assert "Meetup" in first or "User Group" in first
    assert "dates to be confirmed" not in first


def test_the_home_page_says_what_is_open_now(client, seeded_today):
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<p class="open-now"><strong>Registration open', home)


def test_a_month_later_the_next_meetups_are_added(runner, travel, seeded_today):
    travel(datetime(2027, 1, 10, 10, tzinfo=UTC))
    result = runner.invoke(args=["seed-demo"])
    added = int(re.search(r"the next two: (\d+) added", result.output)[1])
    assert added == 6  # one per group: March 2027
    march = events(Event.kind == EventKind.MEETUP, Event.starts_on >= date(2027, 3, 1))
    assert len(march) == 6
