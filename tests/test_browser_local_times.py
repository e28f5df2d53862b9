"""Issue 24, times in the visitor's zone, in a real Chromium set to Tokyo: the event's own zone
stays what the page says, static/localtime.js adds the visitor's time beside it (under the
page's CSP), and the list's switch shows the times in either zone, remembered."""

import re
from datetime import date, datetime, time

import pytest
from playwright.sync_api import expect

from portal.events.models import LinkKind, LinkState
from portal.extensions import db

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("frozen_now")]  # 2024-11-20
SLUG = "day-pasadena-2025"
TOKYO = "(Fri, Mar 7, 02:00 GMT+9, your time)"


@pytest.fixture
def pasadena(make_event):
    """09:00 to 17:00 in Los Angeles on Thursday, March 6 2025: 02:00 to 10:00 on Friday
    in Tokyo."""
    return make_event(
        slug=SLUG,
        title="Day Pasadena 2025",
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 6),
        start_time=time(9, 0),
        end_time=time(17, 0),
        timezone="America/Los_Angeles",
        city="Pasadena",
    )


@pytest.fixture
def visitor(chromium):
    """`visitor(zone, script=True)`: a page of a browser in that zone, English as in the US;
    any error or refusal by the CSP on the console fails the test."""
    contexts, problems = [], []

    def open_page(zone: str, script: bool = True):
        context = chromium.new_context(timezone_id=zone, locale="en-US", java_script_enabled=script)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.on("console", lambda m: m.type == "error" and problems.append(m.text))
        page.on("pageerror", lambda error: problems.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert problems == []


def test_the_event_page_adds_the_visitors_time_the_next_day_in_tokyo(
    live_server, pasadena, visitor
):
    page = visitor("Asia/Tokyo")
    page.goto(f"{live_server}/events/{SLUG}")
    times = page.locator(".event-times")
    # The event's own zone stays what the page says, the visitor's time follows it.
    expect(times).to_have_text("9:00 AM – 5:00 PM PST (America/Los_Angeles)")
    expect(page.locator(".your-time")).to_have_text(
        [" (Fri, Mar 7, 02:00 – 10:00 GMT+9, your time)"]
    )
    expect(page.locator(".event-times + .your-time")).to_be_visible()
    expect(page.locator("time", has_text="9:00 AM")).to_have_attribute(
        "datetime", "2025-03-06T09:00:00-08:00"
    )
    # The script ran from its own address, which the page's policy allows.
    expect(page.locator("script[src^='/assets/localtime.']")).to_have_count(1)


def test_without_script_the_page_shows_only_the_events_zone(live_server, pasadena, visitor):
    page = visitor("Asia/Tokyo", script=False)
    page.goto(f"{live_server}/events/{SLUG}")
    expect(page.locator(".event-times")).to_have_text("9:00 AM – 5:00 PM PST (America/Los_Angeles)")
    expect(page.get_by_text("your time")).to_have_count(0)
    page.goto(f"{live_server}/events")
    expect(page.locator(".event-card .event-when")).to_have_text("Thu, Mar 6, 2025")
    expect(page.get_by_role("button", name=re.compile("Show times"))).to_have_count(0)


def test_a_visitor_in_the_events_zone_sees_no_second_time_and_no_switch(
    live_server, pasadena, visitor
):
    page = visitor("America/Los_Angeles")
    page.goto(f"{live_server}/events")
    expect(page.locator(".event-card time")).to_have_text("Thu, Mar 6, 2025")
    expect(page.locator(".your-time")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Show times"))).to_have_count(0)


def test_all_day_dates_stay_the_events_days(live_server, make_event, visitor):
    make_event(slug="all-day", starts_on=date(2025, 3, 6), timezone="America/Los_Angeles")
    page = visitor("Asia/Tokyo")
    page.goto(f"{live_server}/events/all-day")
    expect(page.locator(".event-times")).to_have_text("All day")
    expect(page.locator("time[datetime='2025-03-06']")).to_have_count(1)
    expect(page.locator(".your-time")).to_have_count(0)


def test_the_switch_shows_the_lists_times_in_either_zone_and_is_remembered(
    live_server, pasadena, make_event, visitor
):
    make_event(
        slug="all-day",
        title="Day Berlin 2025",
        starts_on=date(2025, 3, 7),
        ends_on=date(2025, 3, 7),
        timezone="Europe/Berlin",
    )
    page = visitor("Asia/Tokyo")
    page.goto(f"{live_server}/events")
    card = page.locator(".event-card", has_text="Day Pasadena 2025")
    when = card.locator("time")
    expect(when).to_have_text("Thu, Mar 6, 2025")
    expect(card.locator(".your-time")).to_have_text(f" {TOKYO}")

    page.get_by_role("button", name="Show times in your zone").click()
    expect(when).to_have_text("Fri, Mar 7, 02:00 GMT+9")
    expect(card.locator(".your-time")).to_have_text(" (Thu, Mar 6, 2025 in the event's zone)")
    # An all-day event's days are the same everywhere: the switch leaves them.
    expect(page.locator(".event-card", has_text="Day Berlin").locator("time")).to_have_text(
        "Fri, Mar 7, 2025"
    )

    page.reload()
    switch = page.get_by_role("button", name="Show times in each event's zone")
    expect(switch).to_be_visible()
    expect(when).to_have_text("Fri, Mar 7, 02:00 GMT+9")
    switch.click()
    expect(when).to_have_text("Thu, Mar 6, 2025")
    expect(card.locator(".your-time")).to_have_text(f" {TOKYO}")
    page.reload()
    expect(page.get_by_role("button", name="Show times in your zone")).to_be_visible()
    expect(when).to_have_text("Thu, Mar 6, 2025")


def test_a_deadline_gets_the_visitors_time_too(live_server, make_event, visitor):
    """Registration closes at 23:59 on March 1 in Los Angeles: 16:59 on March 2 in Tokyo."""
    event = make_event(
        slug="deadline-pasadena-2025",
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 6),
        timezone="America/Los_Angeles",
        links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org/register"),),
    )
    event.link(LinkKind.REGISTER).deadline = datetime(2025, 3, 2, 7, 59)  # UTC
    db.session.commit()
    page = visitor("Asia/Tokyo")
    page.goto(f"{live_server}/events/{event.slug}")
    button = page.get_by_role("link", name=re.compile("^Register"))
    expect(button).to_contain_text("Register (closes Mar 1 at 11:59\u202fPM PST")
    expect(button.locator(".your-time")).to_have_text(" (Sun, Mar 2, 16:59 GMT+9, your time)")
