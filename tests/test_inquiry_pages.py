"""/membership and /events/<slug>/sponsor as a reader sees them, and a statement count that
does not grow with the directory."""

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest

from portal.core.saving import saving
from portal.events import operations
from portal.events.models import EventStatus
from portal.extensions import db
from portal.offer.models import Member, MembershipTier, SponsorshipPackage

# Sponsorship is sold for events still to come (a past one sells only its next edition's).
UPCOMING = {"starts_on": date(2031, 3, 6), "ends_on": date(2031, 3, 7)}


@pytest.fixture
def settings():
    """Statement counts of a render: the page cache would answer the repeated requests."""
    return {"PAGE_CACHE": False}


LEAD_SCANNERS = "Lead scanners: +$300 add-on."


def squeeze(html: str) -> str:
    """Tags out, whitespace folded: the text as read."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def sponsor_page(event) -> str:
    return f"/events/{event.slug}/sponsor"


@pytest.fixture
def tiers(make_tier):
    """Four tiers, from a strategic one of $350,000 a year down to one whose fee is not
    published, each with its benefits."""
    return {
        "platinum": make_tier(
            "platinum",
            annual_fee=35_000_000,
            benefits="Appoints a director to the Board of Directors\nThree-year term",
        ),
        "gold": make_tier(
            "gold",
            annual_fee=15_000_000,
            benefits="Gold members elect directors to the Board of Directors",
        ),
        "silver": make_tier("silver", annual_fee=1_500_000),
        "associate": make_tier("associate", annual_fee=None),
    }


class TestMembershipPage:
    def test_tiers_show_their_annual_fees_and_benefits(self, client, tiers):
        text = squeeze(client.get("/membership").get_data(as_text=True))
        assert "Platinum $350,000 a year" in text
        assert "Gold $150,000 a year" in text
        assert "Silver $15,000 a year" in text
        assert "Associate Contact us" in text
        assert "Appoints a director to the Board of Directors" in text
        assert "Three-year term" in text  # each line of the benefits is one benefit
        assert "Gold members elect directors to the Board of Directors" in text

    def test_the_directory_lists_rackspace_among_platinum_members(self, client, tiers, make_member):
        make_member(
            "Rackspace",
            tiers["platinum"],
            url="https://www.rackspace.com",
            city="San Antonio",
            country="US",
        )
        html = client.get("/membership").get_data(as_text=True)
        directory = html[html.index('id="directory-heading"') : html.index('id="inquiry"')]
        platinum = directory[directory.index('id="members-platinum"') :]
        assert 'href="https://www.rackspace.com"' in platinum
        assert "San Antonio, United States" in platinum

    def test_unlisted_members_stay_out_of_the_directory(self, client, tiers, make_member):
        make_member("Loud Corp", tiers["gold"])
        make_member("Quiet Corp", tiers["gold"], is_listed=False)
        page = client.get("/membership").get_data(as_text=True)
        assert "Loud Corp" in page
        assert "Quiet Corp" not in page

    def test_the_form_has_the_contract_fields(self, client, tiers):
        html = client.get("/membership").get_data(as_text=True)
        for name in ("name", "email", "organization", "message", "csrf_token", "website"):
            assert f'name="{name}"' in html
        assert re.search(r'<select[^>]*name="tier"', html)
        assert re.search(r'<input[^>]*name="consent"[^>]*type="checkbox"', html)
        assert '<option value="gold">Gold</option>' in html

    def test_navigation_and_home_page_lead_to_membership(self, client):
        home = client.get("/").get_data(as_text=True)
        assert home.count('href="/membership"') == 2  # the menu and the call to action
        assert "mailto:jimmy@openinfra.dev" not in home  # the old call to action
        page = client.get("/membership").get_data(as_text=True)
        assert '<a href="/membership" aria-current="page">Membership</a>' in page


@pytest.fixture
def north_america(make_event, make_package):
    """An event selling two packages in dollars, with a note on each, and two sold out."""
    event = make_event(**UPCOMING, title="OpenInfra Days North America 2025")
    make_package(event, "headline", price=None, available=0)
    make_package(event, "spotlight", price=250_000, available=5, note=LEAD_SCANNERS)
    make_package(event, "coffee", price=250_000, available=2, note=LEAD_SCANNERS)
    make_package(event, "diversity", price=None, available=0)
    return event


@pytest.fixture
def summit(make_event, make_package):
    """An event selling in euros, with lower prices for members."""
    event = make_event(**UPCOMING, title="OpenInfra Summit Europe 2025")
    make_package(
        event, "headline", price=6_000_000, member_price=5_000_000, currency="EUR", available=2
    )
    make_package(event, "exhibitor", price=1_500_000, member_price=750_000, currency="EUR")
    return event


class TestSponsorPage:
    def test_north_america_packages_with_price_and_what_is_left(self, client, north_america):
        response = client.get(sponsor_page(north_america))
        assert response.status_code == 200
        text = squeeze(response.get_data(as_text=True))
        # The packages side by side, in their order (issue 21's comparison).
        assert "Headline Spotlight Coffee Diversity" in text
        assert "Price On request $2,500 $2,500 On request" in text
        assert "Availability Sold out 5 left 2 left Sold out" in text
        assert "Lead scanners: +$300 add-on." in text

    def test_sold_out_packages_cannot_be_chosen(self, client, north_america):
        html = client.get(sponsor_page(north_america)).get_data(as_text=True)
        assert '<option disabled value="headline">Headline (sold out)</option>' in html
        assert '<option value="spotlight">Spotlight</option>' in html

    def test_summit_packages_show_member_and_non_member_prices_in_euro(self, client, summit):
        text = squeeze(client.get(sponsor_page(summit)).get_data(as_text=True))
        members = "for OpenInfra Foundation members"
        assert f"Price €60,000 €50,000 {members} €15,000 €7,500 {members}" in text
        assert "Availability 2 left Available" in text

    def test_a_past_event_takes_inquiries_only_for_a_next_edition_that_exists(
        self, client, travel, north_america
    ):
        travel(datetime.combine(north_america.ends_on + timedelta(days=1), time(), tzinfo=UTC))
        html = client.get(sponsor_page(north_america)).get_data(as_text=True)
        assert "Sponsorship closed: the event is over." in html
        assert 'name="package"' not in html
        with saving():
            edition = operations.next_edition(north_america, None, status=EventStatus.PUBLISHED)
        # One answer about the next edition: the past event's page sends sponsors to it.
        answer = client.get(sponsor_page(north_america))
        assert answer.status_code == 303
        assert answer.headers["Location"].endswith(sponsor_page(edition))
        page = client.get(f"/events/{north_america.slug}").get_data(as_text=True)
        assert f'href="/events/{edition.slug}/sponsor">Sponsor the next edition' in page

    def test_a_cancelled_event_takes_no_sponsorship_inquiries(self, client, north_america):
        with saving():
            operations.cancel(north_america, None, "Venue lost.")
        html = client.get(sponsor_page(north_america)).get_data(as_text=True)
        assert "Sponsorship closed: the event is cancelled. Venue lost." in html
        assert 'name="package"' not in html
        assert client.post(sponsor_page(north_america), data={}).status_code in (400, 409)

    def test_an_event_without_packages_has_no_sponsor_page(self, client, make_event):
        response = client.get(sponsor_page(make_event(**UPCOMING)))
        assert response.status_code == 404
        assert "does not offer sponsorship through this site" in response.get_data(as_text=True)
        assert client.get("/events/no-such-event/sponsor").status_code == 404
        assert client.post("/events/no-such-event/sponsor").status_code in (400, 404)


def test_membership_page_statements_do_not_grow_with_members_or_tiers(client, count_queries):
    def add(tiers: int, members: int, start: int) -> None:
        for number in range(start, start + tiers):
            tier = MembershipTier(slug=f"tier-{number}", name=f"Tier {number}", benefits="A\nB")
            tier.members = [Member(name=f"Member {number}-{m}") for m in range(members)]
            db.session.add(tier)
        db.session.commit()

    add(tiers=1, members=1, start=0)
    client.get("/membership")
    with count_queries() as few:
        assert client.get("/membership").status_code == 200
    add(tiers=5, members=20, start=1)
    with count_queries() as many:
        assert client.get("/membership").status_code == 200
    assert many.total == few.total <= 2, many.statements


def test_sponsor_page_statements_do_not_grow_with_packages(client, make_event, count_queries):
    from portal.offer.operations import offer_sponsorship

    def selling(count: int) -> str:
        event = make_event(**UPCOMING)
        packages = [
            SponsorshipPackage(slug=f"p{n}", name=f"Package {n}", price=100_00, available=n)
            for n in range(count)
        ]
        offer_sponsorship(event, packages)
        db.session.commit()
        return f"/events/{event.slug}/sponsor"

    small, big = selling(1), selling(12)
    client.get(small)
    with count_queries() as one:
        assert client.get(small).status_code == 200
    with count_queries() as twelve:
        assert client.get(big).status_code == 200
    assert one.total == twelve.total <= 4, twelve.statements
