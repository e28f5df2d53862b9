"""From inquiry to logo on the page, over HTTP: packages compared by benefit, an inquiry for
one, an editor confirming it with a logo, the event page (its logos, JSON-LD and calendar
file) naming the sponsor, the count left falling and the Sponsor link closing with the last
package; staff editing, hiding and removing sponsors; `flask sponsors add`."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import pytest
from logo_samples import HOSTILE_UPLOADS, bomb, png, png_with_metadata, squeeze
from PIL import Image
from sqlalchemy import func, select

from portal.core.audit import AuditEntry
from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryStatus
from portal.offer import logos
from portal.offer.benefits import set_benefits
from portal.offer.models import Sponsor, SponsorshipBenefit, SponsorshipPackage

UPCOMING = {"starts_on": date(2031, 3, 6), "ends_on": date(2031, 3, 7)}


def fresh(model, **where):
    db.session.expire_all()
    return db.session.scalar(select(model).filter_by(**where))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def event(make_event, make_package, make_contact):
    make_contact("events@example.org", name="Evan Events", is_default=True)
    event = make_event(**UPCOMING, slug="days-2031", title="OpenInfra Days 2031")
    coffee = make_package(event, "coffee", price=500_000, available=2)
    spotlight = make_package(
        event, "spotlight", price=2_500_000, member_price=2_000_000, available=1
    )
    logo = SponsorshipBenefit(name="Logo on the event page", position=1)
    passes = SponsorshipBenefit(name="Passes", position=2)
    keynote = SponsorshipBenefit(name="Keynote slot", position=3)
    db.session.add_all([logo, passes, keynote])
    db.session.flush()
    set_benefits(db.session.get(SponsorshipPackage, coffee.id), {logo: "", passes: "2"}, None)
    set_benefits(
        db.session.get(SponsorshipPackage, spotlight.id),
        {logo: "", passes: "4", keynote: ""},
        None,
    )
    db.session.commit()
    return event


def ask(client, csrf, event, package: str, organization: str = "Acme Cloud"):
    page = f"/events/{event.slug}/sponsor?package={package}"
    data = {
        "csrf_token": csrf(page),
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "organization": organization,
        "package": package,
        "message": "We would like to sponsor this event.",
        "consent": "y",
    }
    answer = client.post(f"/events/{event.slug}/sponsor", data=data)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return db.session.scalar(
        select(Inquiry).where(Inquiry.organization == organization).order_by(Inquiry.id.desc())
    )


def confirm(client, csrf, inquiry, package: str, logo=None, filename="logo.png", **more):
    path = f"/staff/inquiries/{inquiry.id}/confirm-sponsor"
    package_id = fresh(SponsorshipPackage, slug=package, event_id=inquiry.event_id).id
    data = {
        "csrf_token": csrf(path),
        "organization": inquiry.organization,
        "url": "https://acme.example.org",
        "package": str(package_id),
        **more,
    }
    if logo is not None:
        data["logo"] = (io.BytesIO(logo), filename)
    return client.post(path, data=data, content_type="multipart/form-data")


class TestSponsorPage:
    def test_packages_are_compared_benefit_by_package(self, client, event):
        html = client.get(f"/events/{event.slug}/sponsor").get_data(as_text=True)
        text = squeeze(html)
        assert "Coffee Spotlight" in text
        assert "Passes 2 4" in text
        assert "Keynote slot — ✓" in text
        assert "$20,000 for OpenInfra Foundation members" in text
        assert "2 left 1 left" in text
        assert html.count("Ask about this package") == 2
        assert f"/events/{event.slug}/sponsor?package=spotlight#inquiry" in html

    def test_ask_about_this_package_opens_the_form_with_it_chosen(self, client, event):
        html = client.get(f"/events/{event.slug}/sponsor?package=spotlight").get_data(as_text=True)
        assert re.search(
            r'<option selected value="spotlight">|<option value="spotlight" selected', html
        )

    def test_the_prospectus_prints_the_same_comparison(self, client, event):
        answer = client.get(f"/events/{event.slug}/sponsor/prospectus")
        assert answer.status_code == 200
        text = squeeze(answer.get_data(as_text=True))
        assert "Sponsorship prospectus: OpenInfra Days 2031" in text
        assert "Passes 2 4" in text
        assert "Ask about this package" not in text
        assert client.get("/events/nothing-here/sponsor/prospectus").status_code == 404


class TestConfirmSponsor:
    def test_the_journey_from_inquiry_to_logo_on_the_event_page(
        self, client, csrf, event, editor, app
    ):
        inquiry = ask(client, csrf, event, "coffee")
        page = client.get(f"/staff/inquiries/{inquiry.id}").get_data(as_text=True)
        assert "Confirm sponsor" in page
        answer = confirm(client, csrf, inquiry, "coffee", logo=png_with_metadata())
        assert answer.status_code == 303, answer.get_data(as_text=True)
        assert fresh(Inquiry, id=inquiry.id).status is InquiryStatus.WON
        sponsor = fresh(Sponsor, organization="Acme Cloud")
        assert sponsor.package.slug == "coffee" and sponsor.inquiry_id == inquiry.id
        assert fresh(SponsorshipPackage, slug="coffee").available == 1
        actions = set(db.session.scalars(select(AuditEntry.action)))
        assert {"sponsor.create", "inquiry.confirm"} <= actions

        html = client.get(f"/events/{event.slug}").get_data(as_text=True)
        section = html[html.index('id="sponsors-heading"') :]
        group = section[section.index('id="sponsors-coffee"') :]
        assert '<a href="https://acme.example.org" rel="sponsored noopener">' in group
        logo_path = re.search(
            r'<img src="(/media/logos/[0-9a-f]{32}\.png)" alt="Acme Cloud"', group
        )
        assert logo_path
        data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S)[1])
        assert data["sponsor"] == [
            {
                "@type": "Organization",
                "name": "Acme Cloud",
                "url": "https://acme.example.org",
                "logo": f"http://portal.test{logo_path[1]}",
            }
        ]
        assert "1 left" in squeeze(client.get(f"/events/{event.slug}/sponsor").get_data(True))

        served = client.get(logo_path[1])
        assert served.status_code == 200
        assert served.mimetype == "image/png"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert "immutable" in served.headers["Cache-Control"]
        assert "max-age=31536000" in served.headers["Cache-Control"]
        image = Image.open(io.BytesIO(served.data))
        assert max(image.size) <= logos.MAX_SIDE
        assert b"secret-author-name" not in served.data and "Author" not in image.info

        ics = client.get(f"/events/{event.slug}.ics").get_data(as_text=True)
        assert "Sponsors: Acme Cloud" in ics.replace("\r\n ", "")

    def test_the_last_package_sold_closes_the_sponsor_link(self, client, csrf, event, editor):
        detail = client.get(f"/events/{event.slug}").get_data(as_text=True)
        assert f'href="/events/{event.slug}/sponsor"' in detail
        for number, package in enumerate(["coffee", "coffee", "spotlight"]):
            inquiry = ask(client, csrf, event, package, organization=f"Sponsor {number}")
            assert confirm(client, csrf, inquiry, package).status_code == 303
        assert count(Sponsor) == 3
        detail = client.get(f"/events/{event.slug}").get_data(as_text=True)
        assert f'href="/events/{event.slug}/sponsor"' not in detail
        text = squeeze(detail)
        assert "Sponsor 0" in text and "Sponsor 2" in text  # names shown without logos
        page = squeeze(client.get(f"/events/{event.slug}/sponsor").get_data(as_text=True))
        assert "Ask about this package" not in page

    def test_a_sold_out_package_cannot_be_confirmed(self, client, csrf, event, editor):
        first = ask(client, csrf, event, "spotlight", organization="First")
        second = ask(client, csrf, event, "spotlight", organization="Second")
        assert confirm(client, csrf, first, "spotlight").status_code == 303
        answer = confirm(client, csrf, second, "spotlight")
        assert answer.status_code == 422
        assert "sold out" in answer.get_data(as_text=True)
        assert fresh(Inquiry, id=second.id).status is InquiryStatus.NEW

    def test_without_a_csrf_token_nothing_is_confirmed(self, client, csrf, event, editor):
        inquiry = ask(client, csrf, event, "coffee")
        path = f"/staff/inquiries/{inquiry.id}/confirm-sponsor"
        assert client.post(path, data={"organization": "X"}).status_code == 400
        assert count(Sponsor) == 0

    def test_visitors_cannot_confirm(self, client, csrf, event):
        inquiry = ask(client, csrf, event, "coffee")
        answer = client.get(f"/staff/inquiries/{inquiry.id}/confirm-sponsor")
        assert answer.status_code in (302, 303)


class TestHostileLogos:
    @pytest.mark.parametrize("name", HOSTILE_UPLOADS)
    def test_refused_with_a_clear_message_and_nothing_stored(
        self, client, csrf, event, editor, name
    ):
        data, filename, message = HOSTILE_UPLOADS[name]
        inquiry = ask(client, csrf, event, "coffee")
        answer = confirm(client, csrf, inquiry, "coffee", logo=data, filename=filename)
        assert answer.status_code == 422
        assert message in answer.get_data(as_text=True)
        assert count(Sponsor) == 0
        assert logos.stored_count() == 0
        assert fresh(Inquiry, id=inquiry.id).status is InquiryStatus.NEW
        assert fresh(SponsorshipPackage, slug="coffee").available == 2

    def test_a_decompression_bomb_is_refused(self, client, csrf, event, editor):
        data = bomb()
        assert len(data) < logos.MAX_BYTES
        inquiry = ask(client, csrf, event, "coffee")
        answer = confirm(client, csrf, inquiry, "coffee", logo=data)
        assert answer.status_code == 422
        assert "pixels" in answer.get_data(as_text=True)
        assert count(Sponsor) == 0 and logos.stored_count() == 0

    def test_a_20_mb_file_is_refused(self, client, csrf, event, editor):
        inquiry = ask(client, csrf, event, "coffee")
        answer = confirm(client, csrf, inquiry, "coffee", logo=b"\x00" * 20_000_000)
        assert answer.status_code == 413
        assert "larger than 1 MB" in answer.get_data(as_text=True)
        assert count(Sponsor) == 0 and logos.stored_count() == 0

    @pytest.mark.parametrize(
        "path",
        [
            "/media/logos/..%2F..%2Fportal.db",
            "/media/logos/../../portal.db",
            "/media/logos/%2e%2e%2fsecret.png",
            "/media/logos/" + "a" * 32 + ".svg",
            "/media/logos/" + "a" * 32 + ".png",
        ],
    )
    def test_the_media_route_serves_nothing_but_stored_logos(self, client, path):
        assert client.get(path).status_code == 404


class TestStaffSponsors:
    @pytest.fixture
    def sponsor(self, client, csrf, event, editor):
        inquiry = ask(client, csrf, event, "coffee")
        assert confirm(client, csrf, inquiry, "coffee", logo=png()).status_code == 303
        return fresh(Sponsor, organization="Acme Cloud")

    def test_hiding_takes_the_sponsor_off_the_page(self, client, csrf, event, sponsor):
        path = f"/staff/sponsors/{sponsor.id}/edit"
        data = {
            "csrf_token": csrf(path),
            "organization": "Acme Cloud Inc.",
            "url": "https://acme.example.org",
            "package": str(sponsor.package_id),
            "is_hidden": "y",
        }
        assert client.post(path, data=data).status_code == 303
        text = squeeze(client.get(f"/events/{event.slug}").get_data(as_text=True))
        assert "Acme Cloud" not in text
        assert fresh(Sponsor, id=sponsor.id).organization == "Acme Cloud Inc."

    def test_removing_deletes_the_logo_file_and_gives_the_package_back(
        self, client, csrf, event, sponsor
    ):
        assert logos.stored_count() == 1
        path = f"/staff/sponsors/{sponsor.id}/remove"
        token = csrf(f"/staff/events/{event.id}/sponsors")
        assert client.post(path, data={"csrf_token": token}).status_code == 303
        assert count(Sponsor) == 0
        assert logos.stored_count() == 0
        assert fresh(SponsorshipPackage, slug="coffee").available == 2
        assert "sponsor.delete" in set(db.session.scalars(select(AuditEntry.action)))

    def test_the_pipeline_shows_sold_left_and_value(self, client, event, sponsor):
        html = client.get("/staff/sponsors/").get_data(as_text=True)
        row = html[html.index(f'data-event="{event.slug}"') :]
        row = row[: row.index("</tr>")]
        assert '<td class="sold">1</td>' in row
        assert '<td class="left">2</td>' in row  # coffee 1 and spotlight 1
        assert "$5,000" in row


class TestSponsorsAdd:
    def test_the_command_records_a_sponsor_with_its_logo(self, runner, event, tmp_path):
        logo = tmp_path / "acme.png"
        logo.write_bytes(png())
        result = runner.invoke(
            args=["sponsors", "add", event.slug, "--organization", "Acme", "--package",
                  "spotlight", "--url", "https://acme.example.org", "--logo", str(logo)]
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "Acme sponsors OpenInfra Days 2031 (Spotlight; 0 left)" in result.output
        sponsor = fresh(Sponsor, organization="Acme")
        assert sponsor.logo and logos.path_of(sponsor.logo) is not None

    def test_a_refused_logo_exits_non_zero_and_stores_nothing(self, runner, event, tmp_path):
        logo = tmp_path / "evil.png"
        logo.write_bytes(b"<svg onload='alert(1)'/>")
        result = runner.invoke(
            args=["sponsors", "add", event.slug, "--organization", "Acme", "--package",
                  "coffee", "--logo", str(logo)]
        )  # fmt: skip
        assert result.exit_code != 0
        assert "SVG" in result.output
        assert count(Sponsor) == 0 and logos.stored_count() == 0

    def test_an_unknown_package_is_refused(self, runner, event):
        result = runner.invoke(
            args=["sponsors", "add", event.slug, "--organization", "Acme", "--package", "gold"]
        )
        assert result.exit_code != 0 and "package" in result.output
