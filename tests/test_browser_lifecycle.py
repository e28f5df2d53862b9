"""The lifecycle in a real browser at a phone's and a laptop's width, without JavaScript: an
editor cancels an event, then nothing invites people to register, sponsor or speak on its
page, its card, its .ics or its JSON-LD; postponing with dates to be announced; the next
edition; and every back-office page fits a 390 px screen. Screenshots go to
PORTAL_SCREENSHOTS (a temporary folder unless set); a few are kept in docs/screenshots/."""

import json
import os
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import pytest
from playwright.sync_api import expect
from test_staff_access import RULES, url_for_rule  # noqa: F401  (a fixture)

from portal.events.models import LinkKind, LinkState

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("frozen_now")]
PASSWORD = "a long enough password"
WIDTHS = {"phone": 390, "laptop": 1280}
INVITING = (
    "https://example.org/register",
    "https://example.org/sponsor",
    "https://example.org/cfp",
)


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def summit(make_event, make_project):
    make_project("openinfra", "OpenInfra")
    return make_event(
        slug="openinfra-summit-europe-2025",
        title="OpenInfra Summit Europe 2025",
        summary="Three days of talks, workshops and the Forum, in Paris-Saclay.",
        starts_on=date(2025, 10, 17),
        ends_on=date(2025, 10, 19),
        timezone="Europe/Paris",
        venue="École Polytechnique",
        city="Palaiseau",
        country="FR",
        projects=("openinfra",),
        links=(
            (LinkKind.REGISTER, LinkState.OPEN, INVITING[0]),
            (LinkKind.SPONSOR, LinkState.OPEN, INVITING[1]),
            (LinkKind.CFP, LinkState.OPEN, INVITING[2]),
            (LinkKind.SCHEDULE, LinkState.COMING_SOON, None),
        ),
    )


def browser_page(chromium, width: int):
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def sign_in(page, live_server, user, path: str) -> None:
    page.goto(f"{live_server}{path}")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{path}")


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def live_links(page) -> list[str]:
    hrefs = page.locator("a").evaluate_all("links => links.map(a => a.href)")
    return [href for href in hrefs if href in INVITING]


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_cancel_an_event_and_nothing_invites_anymore(
    chromium, live_server, make_staff, summit, shots, width
):
    name = "phone" if width == 390 else "laptop"
    editor = make_staff("editor", password=PASSWORD)
    context, page = browser_page(chromium, width)
    try:
        page.goto(f"{live_server}/events/{summit.slug}")
        assert live_links(page) == list(INVITING)
        assert page.locator("a.button:not(.secondary)").all_inner_texts() == ["Register"]
        page.screenshot(path=shots / f"event-page-{name}.png", full_page=True)

        sign_in(page, live_server, editor, f"/staff/events/{summit.id}/edit")
        page.get_by_role("link", name="Cancel event…").click()
        page.get_by_label("Reason").fill("   ")  # passes the browser's check, not the server's
        page.get_by_role("button", name="Cancel the event").click()
        expect(page.locator("#form-problems")).to_be_visible()  # a reason is needed
        # autofocus runs once the page has loaded: wait for it rather than race it
        page.wait_for_function("document.activeElement.id === 'form-problems'", timeout=5_000)
        page.get_by_label("Reason").fill("The venue is closed for repairs.")
        page.get_by_role("button", name="Cancel the event").click()
        expect(page.get_by_text("is marked cancelled")).to_be_visible()
        assert overflow(page) <= 0

        page.goto(f"{live_server}/events/{summit.slug}")
        expect(page.get_by_text("The venue is closed for repairs.")).to_be_visible()
        expect(page.get_by_text("Registration closed: the event is cancelled")).to_be_visible()
        assert live_links(page) == []
        data = json.loads(page.locator('script[type="application/ld+json"]').text_content())
        assert data["eventStatus"] == "https://schema.org/EventCancelled"
        assert data["offers"]["availability"] == "https://schema.org/Discontinued"
        assert overflow(page) <= 0
        page.screenshot(path=shots / f"cancelled-event-{name}.png", full_page=True)

        page.goto(f"{live_server}/events")
        card = page.locator(".event-card", has_text="OpenInfra Summit Europe 2025")
        assert "Cancelled: The venue is closed for repairs." in card.inner_text()
        assert live_links(page) == []

        ics = page.request.get(f"{live_server}/events/{summit.slug}.ics").body()
        event = next(iter(icalendar.Calendar.from_ical(ics).walk("VEVENT")))
        assert str(event["STATUS"]) == "CANCELLED"
        assert not any(url in str(event["DESCRIPTION"]) for url in INVITING)
    finally:
        context.close()


def test_postpone_with_dates_to_be_announced_then_a_next_edition(
    chromium, live_server, make_staff, summit, make_package
):
    make_package(summit, "headline", price=6_000_000, available=2)
    editor = make_staff("editor", password=PASSWORD)
    context, page = browser_page(chromium, 390)
    try:
        sign_in(page, live_server, editor, f"/staff/events/{summit.id}/edit")
        page.get_by_role("link", name="Postpone…").click()
        page.get_by_label("Reason").fill("A strike closes the campus.")
        page.get_by_label("New dates to be announced").check()
        page.get_by_role("button", name="Postpone the event").click()
        page.goto(f"{live_server}/events/{summit.slug}")
        expect(page.get_by_text("New dates to be announced").first).to_be_visible()
        assert live_links(page) == []
        page.goto(f"{live_server}/events/month/2025-10")
        assert page.get_by_text("OpenInfra Summit Europe 2025").count() == 0

        page.goto(f"{live_server}/staff/events/{summit.id}/next-edition")
        assert page.locator("#starts_on").input_value() == "2026-10-16"
        page.get_by_role("button", name="Create the next edition").click()
        expect(page.get_by_text("created as the next edition")).to_be_visible()
        page.get_by_role("link", name="Sponsorship packages").click()
        expect(page.get_by_text("Headline").first).to_be_visible()
        assert overflow(page) <= 0
    finally:
        context.close()


def test_the_country_select_suggests_the_time_zone(chromium, live_server, make_staff):
    editor = make_staff("editor", password=PASSWORD)
    context, page = browser_page(chromium, 390)
    try:
        sign_in(page, live_server, editor, "/staff/events/new")
        page.get_by_label("Title").fill("OpenInfra Day Austria")
        page.locator("#starts_on").fill("2025-05-20")
        page.locator("#ends_on").fill("2025-05-20")
        page.get_by_label("Kind").select_option(label="OpenInfra Days")
        page.get_by_label("Country").select_option(label="Austria")
        page.get_by_role("button", name="Create draft").click()
        expect(page.get_by_text("Draft “OpenInfra Day Austria” created.")).to_be_visible()
        assert page.get_by_label("Time zone").input_value() == "Europe/Vienna"
        assert page.get_by_label("Address (slug)").input_value() == "openinfra-day-austria-2025"
        page.get_by_role("link", name="Preview").click()
        expect(page.get_by_text("Austria").first).to_be_visible()
        assert page.get_by_text("Australia").count() == 0
    finally:
        context.close()


def test_the_month_view_at_both_widths(chromium, live_server, make_event, shots):
    make_event(title="PTG October 2024", starts_on=date(2024, 10, 21), ends_on=date(2024, 10, 25))
    make_event(title="OpenInfra Meetup", starts_on=date(2024, 11, 20), ends_on=date(2024, 11, 20))
    make_event(title="Five-day PTG", starts_on=date(2024, 11, 18), ends_on=date(2024, 11, 22))
    for name, width in WIDTHS.items():
        context, page = browser_page(chromium, width)
        try:
            page.goto(f"{live_server}/events/month")
            expect(page.get_by_role("link", name="Today")).to_be_visible()
            expect(page.locator('td[aria-current="date"]')).to_be_visible()
            visible = page.get_by_role("link", name="Five-day PTG")
            assert visible.count() == (1 if width == 390 else 5)
            assert overflow(page) <= 0
            page.screenshot(path=shots / f"month-{name}.png", full_page=True)
        finally:
            context.close()


STAFF_PAGES = [path for endpoint, method, path in RULES if method == "GET"]


def test_every_back_office_page_fits_a_phone(
    chromium,
    live_server,
    make_staff,
    url_for_rule,  # noqa: F811  (the fixture imported above)
    summit,
):
    admin = make_staff("admin", password=PASSWORD)
    context, page = browser_page(chromium, 390)
    try:
        sign_in(page, live_server, admin, "/staff/")
        menu = page.locator("details.staff-menu")
        expect(menu).to_be_visible()
        assert not page.locator(".staff-wide").is_visible()
        menu.locator("summary").click()
        expect(page.get_by_role("link", name="Manage events")).to_be_visible()
        checked = []
        for endpoint, method, _ in RULES:
            if method != "GET" or endpoint == "staff_login.login" or ".csv" in endpoint + _:
                continue  # a download is no page
            url = url_for_rule(endpoint)
            parts = urlsplit(url)  # app.url_for may name the configured host
            url = parts.path + (f"?{parts.query}" if parts.query else "")
            response = page.goto(f"{live_server}{url}")
            assert response.status < 500, url
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            assert overflow(page) <= 0, url
            checked.append(url)
        assert len(checked) >= 20
    finally:
        context.close()
