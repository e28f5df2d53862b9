"""Members the way sponsors are: a won membership inquiry confirmed as a member with its logo,
the directory showing it, hostile logos refused, `flask members add`, tiers that say how to
join, and the members and annual value per tier."""

from __future__ import annotations

import io
import re

import pytest
from logo_samples import HOSTILE_UPLOADS, bomb, png, squeeze
from sqlalchemy import func, select

from portal.extensions import db
from portal.inquiries.models import Inquiry, InquiryStatus
from portal.offer import logos
from portal.offer.models import Member, MembershipTier


def fresh(model, **where):
    db.session.expire_all()
    return db.session.scalar(select(model).filter_by(**where))


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model)) or 0


@pytest.fixture
def tiers(make_tier, make_contact):
    make_contact("members@example.org", name="Mia Members", is_default=True)
    return {
        "gold": make_tier("gold", name="Gold", annual_fee=15_000_000),
        "associate": make_tier(
            "associate", name="Associate", annual_fee=None, join_url="mailto:join@example.org"
        ),
        "individual": make_tier(
            "individual", name="Individual", annual_fee=0, join_url="https://example.org/join"
        ),
    }


def ask(client, csrf, tier: str = "gold", organization: str = "Acme Cloud") -> Inquiry:
    data = {
        "csrf_token": csrf("/membership"),
        "name": "Ada Lovelace",
        "email": "ada@example.org",
        "organization": organization,
        "tier": tier,
        "message": "We would like to join the foundation.",
        "consent": "y",
    }
    answer = client.post("/membership", data=data)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    return db.session.scalar(select(Inquiry).where(Inquiry.organization == organization))


def confirm(client, csrf, inquiry, tier, logo=None, filename="logo.png"):
    path = f"/staff/inquiries/{inquiry.id}/confirm-member"
    data = {
        "csrf_token": csrf(path),
        "name": inquiry.organization,
        "url": "https://acme.example.org",
        "tier": str(tier.id),
        "since": "2026-01-15",
    }
    if logo is not None:
        data["logo"] = (io.BytesIO(logo), filename)
    return client.post(path, data=data, content_type="multipart/form-data")


def test_a_won_membership_inquiry_becomes_a_member_with_its_logo(client, csrf, tiers, editor):
    inquiry = ask(client, csrf)
    assert "Confirm member" in client.get(f"/staff/inquiries/{inquiry.id}").get_data(True)
    answer = confirm(client, csrf, inquiry, tiers["gold"], logo=png())
    assert answer.status_code == 303, answer.get_data(as_text=True)
    member = fresh(Member, name="Acme Cloud")
    assert member.tier.slug == "gold" and member.since.isoformat() == "2026-01-15"
    assert fresh(Inquiry, id=inquiry.id).status is InquiryStatus.WON
    html = client.get("/membership").get_data(as_text=True)
    found = re.search(r'<img class="member-logo" src="(/media/logos/[0-9a-f]{32}\.png)"', html)
    assert found and client.get(found[1]).mimetype == "image/png"
    assert "Confirm member" not in client.get(f"/staff/inquiries/{inquiry.id}").get_data(True)


@pytest.mark.parametrize("name", HOSTILE_UPLOADS)
def test_hostile_member_logos_are_refused_and_nothing_stored(client, csrf, tiers, editor, name):
    data, filename, message = HOSTILE_UPLOADS[name]
    inquiry = ask(client, csrf)
    answer = confirm(client, csrf, inquiry, tiers["gold"], logo=data, filename=filename)
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert count(Member) == 0 and logos.stored_count() == 0
    assert fresh(Inquiry, id=inquiry.id).status is InquiryStatus.NEW


def test_a_member_decompression_bomb_and_a_20_mb_file_are_refused(client, csrf, tiers, editor):
    inquiry = ask(client, csrf)
    answer = confirm(client, csrf, inquiry, tiers["gold"], logo=bomb())
    assert answer.status_code == 422 and "pixels" in answer.get_data(as_text=True)
    answer = confirm(client, csrf, inquiry, tiers["gold"], logo=b"\x00" * 20_000_000)
    assert answer.status_code == 413 and "larger than 1 MB" in answer.get_data(as_text=True)
    assert count(Member) == 0 and logos.stored_count() == 0


def test_members_add_mirrors_sponsors_add(runner, tiers, tmp_path):
    logo = tmp_path / "acme.webp"
    from PIL import Image

    Image.new("RGBA", (300, 300), (0, 90, 200, 255)).save(logo, "WEBP")
    result = runner.invoke(
        args=["members", "add", "--organization", "Acme", "--tier", "gold", "--url",
              "https://acme.example.org", "--logo", str(logo)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Acme is a Gold member." in result.output
    assert fresh(Member, name="Acme").logo.endswith(".webp")
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"<script>alert(1)</script>")
    result = runner.invoke(
        args=["members", "add", "--organization", "Evil", "--tier", "gold", "--logo", str(bad)]
    )
    assert result.exit_code != 0 and "refused" in result.output
    assert fresh(Member, name="Evil") is None and logos.stored_count() == 1


def test_free_and_on_request_tiers_say_how_to_join(client, tiers):
    html = client.get("/membership").get_data(as_text=True)
    assert '<a class="button" href="mailto:join@example.org" rel="noopener">Ask how to join' in html
    assert (
        '<a class="button" href="https://example.org/join" rel="noopener">Join as Individual'
        in html
    )
    assert not re.search(r"<h\d[^>]*>[^<]*(Free|Contact us)", html)
    assert "Individual Free" in squeeze(html)


def test_staff_see_members_and_annual_value_per_tier(client, tiers, editor, make_member):
    make_member("Acme", tier=tiers["gold"])
    make_member("Beta", tier=tiers["gold"])
    html = client.get("/staff/sponsors/").get_data(as_text=True)
    row = html[html.index('data-tier="gold"') :]
    row = row[: row.index("</tr>")]
    assert '<td class="members">2</td>' in row and "$300,000" in row


def test_a_tier_join_address_must_be_http_or_mailto(client, csrf, tiers, admin):
    tier = fresh(MembershipTier, slug="associate")
    path = f"/staff/tiers/{tier.id}/edit"
    data = {
        "csrf_token": csrf(path),
        "name": "Associate",
        "slug": "associate",
        "currency": "USD",
        "position": "0",
        "join_url": "javascript:alert(1)",
    }
    answer = client.post(path, data=data)
    assert answer.status_code == 422
    assert fresh(MembershipTier, slug="associate").join_url == "mailto:join@example.org"


def test_staff_replace_a_members_logo_and_remove_the_member(
    client, csrf, tiers, editor, make_member
):
    member = make_member("Acme", tier=tiers["gold"])
    path = f"/staff/members/{member.id}/logo"
    data = {"csrf_token": csrf(path), "logo": (io.BytesIO(png()), "acme.png")}
    assert client.post(path, data=data, content_type="multipart/form-data").status_code == 303
    first = fresh(Member, name="Acme").logo
    assert first and logos.stored_count() == 1
    data = {"csrf_token": csrf(path), "logo": (io.BytesIO(b"<svg/>"), "x.svg")}
    refused = client.post(path, data=data, content_type="multipart/form-data")
    assert refused.status_code == 422 and "SVG" in refused.get_data(as_text=True)
    data = {"csrf_token": csrf(path), "logo": (io.BytesIO(png(color=(0, 0, 0))), "new.png")}
    assert client.post(path, data=data, content_type="multipart/form-data").status_code == 303
    second = fresh(Member, name="Acme").logo
    assert second != first and logos.stored_count() == 1  # the old file went with it
    token = csrf("/staff/members/")
    answer = client.post(f"/staff/members/{member.id}/remove", data={"csrf_token": token})
    assert answer.status_code == 303
    assert count(Member) == 0 and logos.stored_count() == 0
