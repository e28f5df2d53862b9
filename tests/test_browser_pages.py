"""Issue 18 in a real Chromium at a phone's (390 px) and a laptop's (1280 px) width: the time
zone asked for by city, publishing a postponed event again on new dates, pages that agree
with the event's state, the inquiry form, staff tables, the /events filters and the two
navigations."""

from datetime import date

import pytest
from playwright.sync_api import expect
from test_browser_lifecycle import PASSWORD, WIDTHS, browser_page, overflow, sign_in

from portal.core.saving import saving
from portal.events import operations
from portal.events.models import EventStatus, LinkKind, LinkState

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("frozen_now")]  # 2024-11-20
SIZES = list(WIDTHS.items())


def one_line(page, selector: str) -> list[str]:
    """The texts of `selector` whose words are broken across lines (a word a line box)."""
    return page.eval_on_selector_all(
        selector,
        """cells => cells.filter(cell => {
            const words = cell.textContent.trim().split(/\\s+/);
            if (words.length !== 1 || !words[0]) return false;
            const range = document.createRange();
            range.selectNodeContents(cell);
            const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return tops.size > 1;
        }).map(cell => cell.textContent.trim())""",
    )


@pytest.mark.parametrize(("name", "width"), SIZES, ids=WIDTHS.keys())
def test_a_blank_zone_in_canada_asks_with_toronto_preselected(
    chromium, live_server, make_staff, name, width
):
    editor = make_staff("editor", password=PASSWORD)
    context, page = browser_page(chromium, width)
    try:
        sign_in(page, live_server, editor, "/staff/events/new")
        page.get_by_label("Title").fill("OpenInfra Day Toronto 2025")
        page.get_by_label("Kind").select_option(label="OpenInfra Days")
        page.locator("#starts_on").fill("2025-06-05")
        page.locator("#ends_on").fill("2025-06-05")
        page.get_by_label("City").fill("Toronto")
        page.get_by_label("Country").select_option(label="Canada")
        page.get_by_role("button", name="Create draft").click()
        expect(page.locator("#form-problems")).to_be_visible()
        expect(page.get_by_text("Canada has several time zones").first).to_be_visible()
        zone = page.get_by_label("Time zone")
        assert zone.evaluate("el => el.tagName") == "SELECT"
        assert zone.evaluate("el => el.options[el.selectedIndex].text") == "Toronto (Eastern)"
        page.get_by_role("button", name="Create draft").click()
        expect(page.get_by_text("Draft “OpenInfra Day Toronto 2025” created.")).to_be_visible()
        assert page.get_by_label("Time zone").input_value() == "America/Toronto"
        # The title takes the form's whole width; nothing widens the page.
        title = page.locator("#title").bounding_box()
        fieldset = page.locator("fieldset", has=page.locator("#title")).bounding_box()
        assert title["width"] > fieldset["width"] * 0.85
        assert overflow(page) <= 0
    finally:
        context.close()


@pytest.mark.parametrize(("name", "width"), SIZES, ids=WIDTHS.keys())
def test_publish_again_asks_for_the_new_dates(
    chromium, live_server, make_staff, make_event, name, width
):
    event = make_event(
        slug="day-lyon-2025",
        title="Day Lyon 2025",
        starts_on=date(2025, 6, 12),
        ends_on=date(2025, 6, 12),
        timezone="Europe/Paris",
        country="FR",
        links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org/r"),),
    )
    with saving():
        operations.update_event(
            event, {"starts_on": date(2025, 6, 19), "ends_on": date(2025, 6, 19)}, None
        )
        operations.postpone(event, None, "The venue is closed.", dates_to_be_announced=True)
    editor = make_staff("editor", password=PASSWORD)
    context, page = browser_page(chromium, width)
    try:
        page.goto(f"{live_server}/events/day-lyon-2025")
        expect(page.get_by_text("Previously planned for")).to_be_visible()
        assert "Jun 19, 2025" in page.locator(".facts del").inner_text()
        assert page.get_by_text("Add to calendar").count() == 0
        sign_in(page, live_server, editor, f"/staff/events/{event.id}/edit")
        assert page.get_by_role("button", name="Publish again").count() == 0
        page.get_by_role("link", name="Publish again on new dates…").click()
        page.locator("#starts_on").fill("2025-06-19")
        page.locator("#ends_on").fill("2025-06-19")
        page.get_by_role("button", name="Publish on these dates").click()
        expect(page.get_by_text("the dates it was postponed from").first).to_be_visible()
        page.locator("#starts_on").fill("2025-09-25")
        page.locator("#ends_on").fill("2025-09-25")
        page.get_by_role("button", name="Publish on these dates").click()
        expect(page.get_by_text("is published again on its new dates")).to_be_visible()
        page.goto(f"{live_server}/events/day-lyon-2025")
        assert "Jun 19, 2025" in page.locator(".facts del").inner_text()
        expect(page.get_by_role("link", name="Register")).to_be_visible()
        expect(page.get_by_text("Add to calendar")).to_be_visible()
        assert overflow(page) <= 0
    finally:
        context.close()


@pytest.mark.parametrize(("name", "width"), SIZES, ids=WIDTHS.keys())
def test_pages_agree_with_the_events_state(chromium, live_server, make_event, name, width):
    make_event(slug="gone", title="Gone 2025", status=EventStatus.CANCELLED,
               status_reason="Cancelled: the venue is closed.", starts_on=date(2024, 11, 26),
               ends_on=date(2024, 11, 26),
               links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org/r"),))  # fmt: skip
    make_event(slug="maybe", title="Maybe 2024", dates_to_be_confirmed=True,
               starts_on=date(2024, 11, 27), ends_on=date(2024, 11, 27))  # fmt: skip
    make_event(slug="over", title="Over 2024", starts_on=date(2024, 3, 5), ends_on=date(2024, 3, 5),
               links=((LinkKind.SCHEDULE, LinkState.COMING_SOON, None),))  # fmt: skip
    context, page = browser_page(chromium, width)
    try:
        page.goto(f"{live_server}/events/gone")
        text = page.locator("main").inner_text()
        assert "Cancelled: Cancelled" not in text and "to be confirmed" not in text.lower()
        assert "Add to calendar" not in text
        page.goto(f"{live_server}/events/over")
        assert "coming soon" not in page.locator("main").inner_text().lower()
        page.goto(f"{live_server}/events/maybe")
        assert page.locator("main").inner_text().lower().count("to be confirmed") == 1
        page.goto(f"{live_server}/events/month/2024-11")
        for words in ("Cancelled", "Dates to be confirmed"):
            state = page.locator(".entry-state", has_text=words)
            # Said in words on the entry, for every reader (not a strikethrough alone).
            assert state.count() >= 1 and state.first.text_content() == words
        listing = page.goto(f"{live_server}/events") and page.locator(
            ".event-card", has_text="Gone 2025"
        )
        assert "Cancelled: The venue is closed. Registration is closed." in listing.inner_text()
    finally:
        context.close()


@pytest.mark.parametrize(("name", "width"), SIZES, ids=WIDTHS.keys())
def test_the_inquiry_form_on_a_phone_and_a_laptop(chromium, live_server, routed_gold, name, width):
    context = chromium.new_context(viewport={"width": width, "height": 900})  # scripts on
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{live_server}/membership")
        box = page.locator("#consent").bounding_box()
        label = page.locator("label[for=consent]").bounding_box()
        assert label["x"] > box["x"] + box["width"] - 1  # beside it, not under it
        assert label["y"] < box["y"] + box["height"] and box["y"] < label["y"] + label["height"]
        page.locator("#message").fill("Hello there")
        assert page.locator("#message-count").inner_text() == "11 of 5,000 characters"
        page.locator("#name").fill("x" * 150)
        page.locator("#name").evaluate("el => el.removeAttribute('maxlength')")
        page.locator("#name").fill("x" * 150)
        page.get_by_role("button", name="Send inquiry").click()
        focused = ""
        for _ in range(50):  # autofocus runs once the page has loaded
            focused = page.evaluate("() => document.activeElement.id")
            if focused == "form-errors":
                break
            page.wait_for_timeout(100)
        assert focused == "form-errors"
        summary = page.locator("#form-errors")
        assert summary.get_by_role("link", name="Your name").get_attribute("href") == "#name"
        assert summary.get_by_role("link", name="Email").get_attribute("href") == "#email"
        assert "Keep your name to 100 characters" in summary.inner_text()
        assert "Field cannot be longer" not in page.locator("main").inner_text()
        assert page.locator("#message-count").inner_text() == "11 of 5,000 characters"
        assert overflow(page) <= 0
    finally:
        context.close()


@pytest.mark.parametrize(("name", "width"), SIZES, ids=WIDTHS.keys())
def test_events_filters_fold_on_a_phone_and_sit_on_one_row_on_a_laptop(
    chromium, live_server, make_event, name, width
):
    for number, country in enumerate(("DE", "AT", "TR", "SE", "FR")):
        make_event(title=f"Day {number} 2025", country=country, starts_on=date(2025, 3, 6 + number),
                   ends_on=date(2025, 3, 6 + number))  # fmt: skip
    make_event(title="Old 2023", country="JP", starts_on=date(2023, 3, 6), ends_on=date(2023, 3, 6))
    context, page = browser_page(chromium, width)
    try:
        page.goto(f"{live_server}/events?q=day&format=in_person")
        fold = page.locator("details.filter-fold")
        if width == 390:
            assert fold.locator("summary").inner_text() == "Filters (2)"
            assert not page.locator("#q").is_visible()
            first = page.locator(".event-card").first.bounding_box()
            assert (
                first["y"] < 900 and page.locator(".result-count").bounding_box()["y"] < first["y"]
            )
            fold.locator("summary").click()
            expect(page.locator("#q")).to_be_visible()
        else:
            assert not fold.locator("summary").is_visible()
            fields = (
                "#q",
                "#project",
                "#format",
                "#region",
                "#country",
                "#from",
                "#to",
                ".filters button",
            )
            tops = [page.locator(sel).bounding_box()["y"] for sel in fields]
            assert max(tops) - min(tops) < 12  # one row (inputs and selects differ by pixels)
        countries = page.locator("#country option").all_inner_texts()
        assert countries == ["Any country", "Austria", "France", "Germany", "Sweden", "Türkiye"]
        assert overflow(page) <= 0
    finally:
        context.close()


@pytest.mark.parametrize(("name", "width"), SIZES, ids=WIDTHS.keys())
def test_staff_tables_keep_whole_words_and_the_navigations_are_apart(
    chromium, live_server, make_staff, make_event, name, width
):
    admin = make_staff("admin", password=PASSWORD)
    for number in range(3):
        make_event(title=f"Event with a long title number {number} 2025")
    context, page = browser_page(chromium, width)
    try:
        sign_in(page, live_server, admin, "/staff/events/")
        navs = page.locator("nav[aria-label]")
        assert navs.evaluate_all("ns => ns.map(n => n.getAttribute('aria-label'))") == [
            "Main",
            "Back office",
        ]
        main_nav = page.locator('nav[aria-label="Main"]')
        assert main_nav.get_by_role("link", name="Manage events").count() == 0
        staff_nav = page.locator('nav[aria-label="Back office"]')
        if width == 390:
            staff_nav.locator("summary").click()
        expect(staff_nav.get_by_role("link", name="Accounts").first).to_be_visible()
        assert staff_nav.get_by_role("link", name="Staff", exact=True).count() == 0
        for path in ("/staff/events/", "/staff/audit/", "/staff/outbox/", "/staff/inquiries/"):
            page.goto(f"{live_server}{path}")
            assert one_line(page, ".staff-page th, .staff-page td") == [], path
            assert overflow(page) <= 0, path
            assert page.evaluate("document.documentElement.scrollHeight") < 20_000, path
    finally:
        context.close()
