"""Attendees in a real browser: finding events with the filter form, reading an event page,
taking it to a calendar. No JavaScript is needed for any of it."""

from datetime import date
from pathlib import Path

import pytest
import sample
from playwright.sync_api import expect

from portal.events.models import EventFormat, EventKind

NA = "openinfra-days-north-america-2025"
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("frozen_now", "catalogue")]


@pytest.fixture
def catalogue(make_project, make_event):
    """On 2024-11-20: OpenInfra Days North America in Pasadena next March, its page as full as
    a real one (registration open, the schedule coming soon); two virtual PTGs to come and two
    that are over."""
    make_project("openinfra", "OpenInfra")
    make_project("openstack", "OpenStack")
    make_event(
        **sample.north_america(
            projects=("openinfra", "openstack"),
            links=(sample.REGISTER, sample.SPONSOR, sample.SCHEDULE_SOON),
        )
    )
    for title, first, last in [
        ("PTG October 2025", date(2025, 10, 27), date(2025, 10, 31)),
        ("PTG April 2024", date(2024, 4, 8), date(2024, 4, 12)),
        ("PTG April 2025", date(2025, 4, 7), date(2025, 4, 11)),
        ("PTG October 2024", date(2024, 10, 21), date(2024, 10, 25)),
    ]:
        make_event(
            title=title,
            kind=EventKind.PTG,
            format=EventFormat.VIRTUAL,
            starts_on=first,
            ends_on=last,
            city=None,
            country=None,
        )


def card_titles(page) -> list[str]:
    return page.locator(".event-card :is(h2, h3) a").all_inner_texts()


def test_search_and_filter_through_the_form(page, live_server):
    page.goto(f"{live_server}/events")
    assert "OpenInfra Days North America 2025" in card_titles(page)
    page.get_by_label("Search").fill("pasadena")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/events?q=pasadena*")
    assert card_titles(page) == ["OpenInfra Days North America 2025"]

    page.get_by_label("Search").fill("")
    page.get_by_label("Format").select_option("virtual")
    page.get_by_role("button", name="Filter").click()
    assert card_titles(page) == ["PTG April 2025", "PTG October 2025"]
    subscribe = page.get_by_role("link", name="Calendar app (webcal)")
    assert subscribe.get_attribute("href").endswith("/events.ics?format=virtual")


def test_a_bad_date_shows_the_error_next_to_its_field(page, live_server):
    response = page.goto(f"{live_server}/events?from=2025-13-45")
    assert response.status == 400
    assert page.locator(".field.has-error input[name=from]").count() == 1
    expect(page.get_by_role("alert")).to_be_visible()


def test_past_events_are_one_click_away(page, live_server):
    page.goto(f"{live_server}/events")
    page.get_by_role("link", name="Past events", exact=True).first.click()
    assert card_titles(page)[0] == "PTG October 2024"


def test_event_page_and_its_calendar_file(page, live_server):
    page.goto(f"{live_server}/events")
    page.get_by_role("link", name="OpenInfra Days North America 2025").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("OpenInfra Days North")
    expect(page.get_by_text("Schedule coming soon")).to_be_visible()
    assert page.get_by_role("link", name="Register").get_attribute("href") == (
        "https://register.socallinuxexpo.org/reg6/"
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Calendar file (.ics)").click()
    assert download.value.suggested_filename == "openinfra-days-north-america-2025.ics"
    content = Path(download.value.path()).read_bytes()
    assert b"DTSTART;VALUE=DATE:20250306" in content


def test_pages_fit_a_phone_screen(page, live_server):
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/", "/events", "/events/month/2025-03", f"/events/{NA}"):
        page.goto(f"{live_server}{path}")
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
