"""/embed/events as a project's site frames it, its frame-ancestors from the origins staff
allow in the back office, and the snippet the back office builds."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.core.i18n import LANGUAGES, language_of
from portal.extensions import db
from portal.publish.embed import normal_origin
from portal.publish.models import EmbedOrigin

pytestmark = pytest.mark.usefixtures("frozen_now")


def ancestors(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return re.search(r"frame-ancestors ([^;]+)", policy).group(1)


@pytest.fixture
def kata(make_event):
    make_event(slug="kata-day", title="Kata Day", projects=("kata-containers",),
               starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 6))  # fmt: skip
    make_event(slug="zuul-day", title="Zuul Day", projects=("zuul",),
               starts_on=date(2025, 4, 6), ends_on=date(2025, 4, 6))  # fmt: skip


def test_the_listing_has_no_chrome_no_script_and_links_to_the_top(client, kata):
    response = client.get("/embed/events?project=kata-containers")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Kata Day" in page and "Zuul Day" not in page
    assert "<script" not in page and "site-header" not in page and "<nav" not in page
    sheet = re.search(r'<link rel="stylesheet" href="(/assets/embed\.[0-9a-f]{16}\.css)">', page)
    assert sheet is not None
    links = re.findall(r"<a [^>]*>", page)
    assert links and all('target="_top"' in link for link in links)
    assert '<a href="http://portal.test/events/kata-day" target="_top">' in page
    policy = response.headers["Content-Security-Policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert client.get(sheet[1]).status_code == 200


def test_limit_and_bad_parameters(client, kata):
    page = client.get("/embed/events?limit=1").get_data(as_text=True)
    assert "Kata Day" in page and "Zuul Day" not in page
    for query in ("limit=0", "limit=51", "limit=x", "from=2025-99-99", "country=Mars"):
        response = client.get(f"/embed/events?{query}")
        assert response.status_code == 400, query
        assert "frame-ancestors" in response.headers["Content-Security-Policy"]


def test_frame_ancestors_are_the_allowed_origins_and_every_other_page_keeps_none(client, kata):
    assert ancestors(client.get("/embed/events")) == "'none'"
    db.session.add_all([EmbedOrigin(origin="https://katacontainers.io"),
                        EmbedOrigin(origin="http://127.0.0.1:8123")])  # fmt: skip
    db.session.commit()
    for _ in range(2):  # rendered, then from the page cache (the WSGI fast path)
        response = client.get("/embed/events")
        assert ancestors(response) == "http://127.0.0.1:8123 https://katacontainers.io"
        assert "X-Frame-Options" not in response.headers
    for path in ("/", "/events", "/events/kata-day", "/api/events", "/events.atom", "/membership"):
        response = client.get(path)
        assert ancestors(response) == "'none'", path
        assert response.headers["X-Frame-Options"] == "DENY", path


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://KataContainers.io/", "https://katacontainers.io"),
        ("https://katacontainers.io:443", "https://katacontainers.io"),
        ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("https://zuul-ci.org/docs", None),
        ("javascript:alert(1)", None),
        ("katacontainers.io", None),
        ("https://*.example.org", None),
        ("https://a b.org", None),
        ("https://user@example.org", None),
        ("https://example.org; script-src *", None),
        ("https://example.org'", None),
    ],
)
def test_origins_are_read_as_browsers_compare_them(typed, origin):
    assert normal_origin(typed) == origin


def test_an_admin_allows_and_removes_a_site_with_audit(client, admin, csrf):
    token = csrf("/staff/embed/")
    data = {"origin": "https://katacontainers.io/", "label": "Kata Containers", "csrf_token": token}
    assert client.post("/staff/embed/origins", data=data).status_code == 303
    row = db.session.scalar(select(EmbedOrigin))
    assert (row.origin, row.label) == ("https://katacontainers.io", "Kata Containers")
    assert ancestors(client.get("/embed/events")) == "https://katacontainers.io"
    again = client.post("/staff/embed/origins", data=data)
    assert again.status_code == 422 and "allowed already" in again.get_data(as_text=True)
    bad = client.post("/staff/embed/origins", data={**data, "origin": "ftp://x.org"})
    assert bad.status_code == 422
    page = client.get("/staff/embed/").get_data(as_text=True)
    assert "https://katacontainers.io" in page
    delete = client.post(f"/staff/embed/origins/{row.id}/delete", data={"csrf_token": token})
    assert delete.status_code == 303
    assert db.session.scalar(select(EmbedOrigin)) is None
    assert ancestors(client.get("/embed/events")) == "'none'"
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["embed_origin.create", "embed_origin.delete"]
    assert client.post("/staff/embed/origins", data={"origin": "https://x.org"}).status_code == 400


def test_the_snippet_takes_a_region_and_a_language_of_the_portal(client, editor, kata):
    language = next((each.code for each in LANGUAGES if each.code != "en"), None)
    query = "region=asia-pacific" + (f"&language={language}" if language else "")
    page = client.get(f"/staff/embed/?{query}").get_data(as_text=True)
    iframe = html.unescape(re.search(r'id="snippet-iframe">([^<]*)<', page).group(1))
    fetch = html.unescape(re.search(r'id="snippet-fetch">([^<]*)<', page).group(1))
    prefix = f"/{language}" if language else ""
    assert iframe.startswith(
        f'<iframe src="http://portal.test{prefix}/embed/events?region=asia-pacific"'
    )
    assert 'fetch("http://portal.test/api/events?region=asia-pacific")' in fetch
    if language:  # the page it frames is in that language
        framed = client.get(f"{prefix}/embed/events?region=asia-pacific")
        assert framed.status_code == 200
        assert f'<html lang="{language_of(language).tag}"' in framed.get_data(as_text=True)
    refused = client.get("/staff/embed/?region=atlantis&language=xx").get_data(as_text=True)
    assert 'http://portal.test/embed/events"' in html.unescape(refused)  # nothing taken


def test_an_editor_builds_the_snippet_but_cannot_allow_sites(client, editor, csrf, kata):
    page = client.get("/staff/embed/?project=kata-containers&limit=5").get_data(as_text=True)
    iframe = html.unescape(re.search(r'id="snippet-iframe">([^<]*)<', page).group(1))
    fetch = html.unescape(re.search(r'id="snippet-fetch">([^<]*)<', page).group(1))
    assert iframe.startswith(
        '<iframe src="http://portal.test/embed/events?project=kata-containers&amp;limit=5"'
        ' title="Upcoming Kata Containers events"'
    )
    assert 'fetch("http://portal.test/api/events?project=kata-containers&limit=5")' in fetch
    token = csrf("/staff/embed/")
    response = client.post(
        "/staff/embed/origins", data={"origin": "https://x.org", "csrf_token": token}
    )
    assert response.status_code == 403
