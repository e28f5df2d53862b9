"""The sponsorship journey in a real Chromium: a sponsor compares the packages and asks about
one, an editor confirms the inquiry with a logo (a hostile one refused first), and the event
page shows the logo under its package; the last package sold closes the Sponsor link.
Screenshots go to PORTAL_SCREENSHOTS (a temporary folder unless set); the README shows the
ones written with PORTAL_SCREENSHOTS=docs/screenshots."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from playwright.sync_api import expect
from sqlalchemy import select

from portal.events.models import LinkKind, LinkState
from portal.extensions import db
from portal.offer.benefits import set_benefits
from portal.offer.models import Sponsor, SponsorshipBenefit, SponsorshipPackage

pytestmark = pytest.mark.browser

PASSWORD = "a long enough password"


@pytest.fixture
def shots(tmp_path) -> Path:
    folder = Path(os.environ.get("PORTAL_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def wordmark(text: str, color: tuple[int, int, int], path: Path) -> Path:
    image = Image.new("RGBA", (640, 200), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((4, 4, 636, 196), radius=36, fill=color)
    try:
        font: ImageFont.ImageFont | ImageFont.FreeTypeFont = ImageFont.load_default(size=96)
    except (TypeError, OSError):  # a Pillow without FreeType
        font = ImageFont.load_default()
    draw.text((320, 100), text, fill="white", font=font, anchor="mm")
    image.save(path, "PNG")
    return path


@pytest.fixture
def days(make_event, make_package, make_contact, make_project):
    make_contact("events@example.org", name="Events team", is_default=True)
    make_project("openinfra", "OpenInfra")
    event = make_event(
        slug="openinfra-days-2031",
        title="OpenInfra Days North America 2031",
        summary="Two days of OpenStack, Kata Containers and StarlingX talks in Pasadena.",
        starts_on=date(2031, 3, 6),
        ends_on=date(2031, 3, 7),
        timezone="America/Los_Angeles",
        venue="Pasadena Convention Center",
        city="Pasadena",
        region="CA",
        country="US",
        projects=("openinfra",),
        links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org/register"),),
    )
    headline = make_package(event, "headline", price=2_500_000, member_price=2_000_000, available=1)
    spotlight = make_package(event, "spotlight", price=1_000_000, available=3)
    coffee = make_package(event, "coffee", price=250_000, available=2)
    names = ["Logo on the event page", "Booth", "Passes", "Keynote slot", "Logo on coffee cups"]
    benefits = {name: SponsorshipBenefit(name=name, position=i) for i, name in enumerate(names)}
    db.session.add_all(benefits.values())
    db.session.flush()
    given = {
        headline: {"Logo on the event page": "", "Booth": "Large", "Passes": "8",
                   "Keynote slot": "10 min"},
        spotlight: {"Logo on the event page": "", "Booth": "Small", "Passes": "4"},
        coffee: {"Logo on the event page": "", "Passes": "2", "Logo on coffee cups": ""},
    }  # fmt: skip
    for package, what in given.items():
        row = db.session.get(SponsorshipPackage, package.id)
        set_benefits(row, {benefits[name]: detail for name, detail in what.items()}, None)
    db.session.commit()
    return event


def sign_in(page, live_server, editor) -> None:
    page.goto(f"{live_server}/staff/inquiries/")
    page.get_by_label("Email").fill(editor.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/staff/inquiries/")


def ask(page, live_server, event, package: str, organization: str) -> None:
    page.goto(f"{live_server}/events/{event.slug}/sponsor")
    page.get_by_role("link", name=f"Ask about this package ({package})").click()
    assert page.locator("select[name=package]").input_value() == package.lower()
    form = page.locator("form.inquiry-form")
    form.locator("input[name=name]").fill("Ada Lovelace")
    form.locator("input[name=email]").fill("ada@example.org")
    form.locator("input[name=organization]").fill(organization)
    form.locator("textarea[name=message]").fill("We would like to sponsor the event this year.")
    page.locator("input[name=consent]").check()
    page.get_by_role("button", name="Send inquiry").click()
    page.get_by_text("Thank you, we have your inquiry").wait_for()


def confirm(page, live_server, organization: str, logo: Path | None) -> None:
    page.goto(f"{live_server}/staff/inquiries/")
    page.get_by_role("link", name="Ada Lovelace").first.click()
    assert organization in page.content()
    page.get_by_role("link", name="Confirm sponsor").click()
    page.locator("input[name=url]").fill(f"https://{organization.split()[0].lower()}.example.org")
    if logo is not None:
        page.locator("input[type=file][name=logo]").set_input_files(str(logo))
    page.get_by_role("button", name="Confirm sponsor").click()
    page.get_by_text(f"{organization} sponsors").wait_for()


def test_from_inquiry_to_logo_on_the_event_page(
    chromium, live_server, make_staff, days, shots, tmp_path
):
    editor = make_staff("editor", password=PASSWORD)
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server}/events/{days.slug}/sponsor")
        table = page.locator("table.comparison")
        assert "Keynote slot" in table.inner_text()
        assert "$20,000 for OpenInfra Foundation members" in table.inner_text()
        page.screenshot(path=str(shots / "sponsor-page-laptop.png"), full_page=True)

        ask(page, live_server, days, "Headline", "Acme Cloud")
        sign_in(page, live_server, editor)
        page.get_by_role("link", name="Ada Lovelace").click()
        page.get_by_role("link", name="Confirm sponsor").click()
        page.locator("input[name=url]").fill("https://acme.example.org")
        svg = tmp_path / "logo.svg"
        svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
        page.locator("input[type=file][name=logo]").set_input_files(str(svg))
        page.get_by_role("button", name="Confirm sponsor").click()
        page.get_by_text("SVG logos are refused").first.wait_for()
        assert db.session.scalar(select(Sponsor.id)) is None

        acme = wordmark("ACME", (214, 40, 57), tmp_path / "acme.png")
        page.locator("input[type=file][name=logo]").set_input_files(str(acme))
        page.get_by_role("button", name="Confirm sponsor").click()
        page.get_by_text("Acme Cloud sponsors").wait_for()

        ask(page, live_server, days, "Spotlight", "Nimbus Labs")
        confirm(
            page, live_server, "Nimbus Labs", wordmark("Nimbus", (0, 104, 160), tmp_path / "n.png")
        )
        ask(page, live_server, days, "Coffee", "Kettle Systems")
        confirm(
            page,
            live_server,
            "Kettle Systems",
            wordmark("Kettle", (46, 125, 50), tmp_path / "k.png"),
        )

        page.goto(f"{live_server}/events/{days.slug}")
        headline = page.locator('ul.logo-wall[data-package="headline"]')
        logo = headline.get_by_role("img", name="Acme Cloud")
        assert logo.evaluate("img => img.complete && img.naturalWidth > 0")
        assert headline.locator("a").get_attribute("rel") == "sponsored noopener"
        json_ld = page.locator('script[type="application/ld+json"]').text_content() or ""
        assert '"name": "Acme Cloud"' in json_ld or '"name":"Acme Cloud"' in json_ld
        page.get_by_role("heading", name="Sponsors").scroll_into_view_if_needed()
        page.screenshot(path=str(shots / "event-sponsors-laptop.png"), full_page=True)

        page.goto(f"{live_server}/events/{days.slug}/sponsor")
        assert "Sold out" in page.locator("table.comparison").inner_text()  # headline: 1, sold
        assert page.get_by_role("link", name="Ask about this package (Headline)").count() == 0
    finally:
        context.close()


def test_the_last_package_sold_closes_the_sponsor_link(
    chromium, live_server, make_staff, make_event, make_package, make_contact, tmp_path
):
    make_contact("events@example.org", is_default=True)
    event = make_event(slug="small-2031", starts_on=date(2031, 5, 1), ends_on=date(2031, 5, 1))
    make_package(event, "only", price=100_000, available=1)
    editor = make_staff("editor", password=PASSWORD)
    context = chromium.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(f"{live_server}/events/{event.slug}")
        assert page.get_by_role("link", name="Sponsor").count() == 1
        ask(page, live_server, event, "Only", "Solo Corp")
        sign_in(page, live_server, editor)
        confirm(page, live_server, "Solo Corp", wordmark("Solo", (90, 60, 160), tmp_path / "s.png"))
        page.goto(f"{live_server}/events/{event.slug}")
        assert page.get_by_role("link", name="Sponsor").count() == 0
        expect(page.get_by_role("img", name="Solo Corp")).to_be_visible()
    finally:
        context.close()
