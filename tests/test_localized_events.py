"""Issue 24, an event's own words in other languages: staff write a title and summary per
language at /staff/events/<id>/languages; a page served in that language shows them (title,
heading, card, month view, embed, Open Graph, JSON-LD), every other page the English ones,
marked `lang="en"` inside a translated page. Calendar files and the API keep the English."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.core.audit import AuditEntry
from portal.core.i18n import BY_CODE
from portal.core.text import fold
from portal.events.localized import set_localized
from portal.events.models import Event, EventStatus
from portal.events.operations import next_edition
from portal.extensions import db

pytestmark = [
    pytest.mark.usefixtures("frozen_now"),  # 2024-11-20
    pytest.mark.skipif("ja" not in BY_CODE, reason="Japanese is not offered"),
]
TITLE_JA = "オープンインフラデイズ北米 2025"
SUMMARY_JA = "パサデナで SCaLE と同時開催。"


@pytest.fixture
def pasadena(make_event):
    return make_event(
        title="OpenInfra Days North America 2025",
        slug="openinfra-days-na-2025",
        summary="Co-located with SCaLE in Pasadena.",
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 7),
        city="Pasadena",
        country="US",
    )


def post_languages(client, csrf, event, **fields):
    path = f"/staff/events/{event.id}/languages"
    data = {"csrf_token": csrf(path), **fields}
    return client.post(path, data=data)


def test_staff_write_the_title_in_japanese_and_the_japanese_pages_show_it(
    app, client, editor, csrf, pasadena
):
    visitor = app.test_client()  # anonymous: the page cache serves it
    before = visitor.get(f"/ja/events/{pasadena.slug}").get_data(as_text=True)
    assert '<span lang="en">OpenInfra Days North America 2025</span>' in before

    answer = post_languages(client, csrf, pasadena, title_ja=TITLE_JA, summary_ja=SUMMARY_JA)
    assert answer.status_code == 303
    assert "Saved." in client.get(answer.headers["Location"]).get_data(as_text=True)

    page = visitor.get(f"/ja/events/{pasadena.slug}").get_data(as_text=True)
    assert f"<title>{TITLE_JA}" in page  # the cached page was dropped when staff saved
    assert re.search(rf"<h1>{TITLE_JA} ", page)
    assert f'<p class="lead">{SUMMARY_JA}</p>' in page
    assert f'<meta property="og:title" content="{TITLE_JA}">' in page
    assert '<meta property="og:locale" content="ja_JP">' in page
    assert '<meta property="og:locale:alternate" content="en_US">' in page
    assert '<meta property="og:locale:alternate" content="ja_JP">' not in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)[1])
    assert ld["name"] == TITLE_JA
    for path in ("/ja/events", "/ja/", "/ja/events/month/2025-03", "/ja/embed/events"):
        listed = visitor.get(path).get_data(as_text=True)
        assert TITLE_JA in listed, path
        assert "OpenInfra Days North America 2025" not in listed, path

    english = visitor.get(f"/events/{pasadena.slug}").get_data(as_text=True)
    assert TITLE_JA not in english and "<h1>OpenInfra Days North America 2025 " in english
    assert '<span lang="en">' not in english
    feed = visitor.get(f"/events/{pasadena.slug}.ics").get_data(as_text=True)
    assert "SUMMARY:OpenInfra Days North America 2025" in feed and TITLE_JA not in feed

    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.localize"))
    assert entry.after == {"ja": {"title": TITLE_JA, "summary": SUMMARY_JA}}


def test_the_search_finds_an_event_by_its_title_in_another_language(app, pasadena):
    set_localized(pasadena, {"ja": {"title": TITLE_JA}}, None)
    db.session.commit()
    found = app.test_client().get("/ja/events?q=オープンインフラデイズ").get_data(as_text=True)
    assert TITLE_JA in found


def test_a_blank_language_reads_the_english_again(client, editor, csrf, pasadena):
    set_localized(pasadena, {"ja": {"title": TITLE_JA, "summary": SUMMARY_JA}}, None)
    db.session.commit()
    form = client.get(f"/staff/events/{pasadena.id}/languages").get_data(as_text=True)
    assert f'value="{TITLE_JA}"' in form  # the screen shows what is stored
    assert post_languages(client, csrf, pasadena, title_ja="", summary_ja="").status_code == 303
    db.session.expire_all()
    assert db.session.get(Event, pasadena.id).localized == {}
    again = post_languages(client, csrf, pasadena)
    assert "Nothing to save" in client.get(again.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    "fields, error",
    [
        ({"title_ja": "一行目\r\nBcc: eve@example.org"}, "One line"),
        ({"title_ja": "見えない\u200b文字"}, "One line"),
        ({"summary_ja": "改行\n入り"}, "One line"),
        ({"title_ja": "長" * 201}, "200 characters"),
        ({"summary_ja": "長" * 501}, "500 characters"),
    ],
)
def test_hostile_input_gets_the_form_again_and_changes_nothing(
    client, editor, csrf, pasadena, fields, error
):
    answer = post_languages(client, csrf, pasadena, **fields)
    assert answer.status_code == 422
    assert error in answer.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, pasadena.id).localized == {}


def test_markup_in_a_title_is_text(app, pasadena):
    set_localized(pasadena, {"ja": {"title": "<script>alert(1)</script>"}}, None)
    db.session.commit()
    page = app.test_client().get(f"/ja/events/{pasadena.slug}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_screen_needs_staff_and_its_csrf_token(app, client, editor, pasadena):
    path = f"/staff/events/{pasadena.id}/languages"
    assert client.post(path, data={"title_ja": TITLE_JA}).status_code == 400
    anonymous = app.test_client().get(path)
    assert anonymous.status_code in (302, 303) and "/staff/login" in anonymous.headers["Location"]
    assert client.get("/staff/events/999999/languages").status_code == 404


def test_the_next_edition_keeps_the_other_titles_with_their_year_moved_on(app, pasadena):
    set_localized(
        pasadena,
        {"ja": {"title": TITLE_JA, "summary": SUMMARY_JA}, "ko": {"title": "오픈인프라 데이"}},
        None,
    )
    edition = next_edition(pasadena, None, today=date(2024, 11, 20))
    db.session.commit()
    assert edition.localized == {
        "ja": {"title": "オープンインフラデイズ北米 2026", "summary": SUMMARY_JA},
        "ko": {"title": "오픈인프라 데이 2026"},  # added where the title had no year
    }
    assert pasadena.localized["ja"]["title"] == TITLE_JA  # the old edition keeps its own
    assert edition.status is EventStatus.DRAFT  # made to be checked before it is shown
    assert fold("オープンインフラデイズ北米 2026") in edition.search_text  # staff's search finds it
