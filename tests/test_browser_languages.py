"""Issue 24, languages, in a real Chromium: the language menu works without script and leads to
the same page in another language, whose frame, dates and visitor's-time note are in it.

Screenshots go to PORTAL_SCREENSHOTS (a temporary folder unless set); the README shows the
Japanese and Korean event pages written with PORTAL_SCREENSHOTS=docs/screenshots."""

import os
import re
from datetime import date, time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from portal.core.i18n import BY_CODE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("frozen_now"),  # 2024-11-20
]


def offered(code: str):
    return pytest.mark.skipif(code not in BY_CODE, reason=f"{code}: not offered yet")


SLUG = "openinfra-days-north-america-2025"


@pytest.fixture
def pasadena(make_event):
    return make_event(
        slug=SLUG,
        title="OpenInfra Days North America 2025",
        summary="Co-located with SCaLE in Pasadena.",
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 7),
        start_time=time(9, 0),
        end_time=time(17, 0),
        timezone="America/Los_Angeles",
        city="Pasadena",
        region="CA",
        country="US",
    )


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@offered("ja")
def test_the_language_menu_leads_to_the_page_in_japanese_without_script(
    live_server, pasadena, chromium
):
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    page = context.new_page()
    page.goto(f"{live_server}/events/{SLUG}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator(".language-menu summary").click()
    page.get_by_role("link", name="日本語").click()
    expect(page).to_have_url(f"{live_server}/ja/events/{SLUG}")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator(".event .facts")).to_contain_text("2025年3月")
    expect(page.locator(".site-header nav")).not_to_contain_text("Past events")
    # The page's links stay in Japanese.
    page.locator(".site-header nav a").first.click()
    expect(page).to_have_url(f"{live_server}/ja/events")
    context.close()


@pytest.mark.parametrize("code", [pytest.param(code, marks=offered(code)) for code in ("ja", "ko")])
def test_the_event_page_in_japanese_and_korean(live_server, pasadena, chromium, shots, code):
    context = chromium.new_context(
        timezone_id="Asia/Tokyo" if code == "ja" else "Asia/Seoul",
        locale=code,
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    page.goto(f"{live_server}/{code}/events/{SLUG}")
    expect(page.locator("html")).to_have_attribute("lang", code)
    # The visitor's time, in the page's language, the next day in Tokyo and Seoul.
    note = page.locator(".your-time").first
    expect(note).to_contain_text(re.compile(r"\b0?2:00\b"))
    expect(note).not_to_contain_text("your time")
    page.screenshot(path=str(shots / f"event-page-{code}-laptop.png"), full_page=True)
    context.close()
