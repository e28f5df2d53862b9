"""Each public page in each language at its own address: `<html lang>`, the hreflang alternates,
the language menu, the page frame translated, dates and numbers in the language, the page cache
serving each language to its own visitors only, and mails in the language of the page."""

from __future__ import annotations

import email
import email.policy
import re
from datetime import date

import pytest
from flask_babel import force_locale, gettext

from portal.core.i18n import (
    BY_CODE,
    LANGUAGES,
    PLANNED,
    TRANSLATED,
    Language,
    is_compiled,
    language_of,
)
from portal.extensions import db
from portal.mail.models import OutboxMessage


def offered(*codes: str):
    """Skip unless these languages are offered (their catalogues compiled)."""
    return pytest.mark.skipif(
        not all(code in BY_CODE for code in codes),
        reason=f"{', '.join(codes)}: not offered yet (no compiled catalogue, docs/translations.md)",
    )


PAGES = ("/", "/events", "/events?past=1", "/events/month", "/membership")
FRAME_WORDS = ("Past events", "Membership", "Skip to content", "Questions about an event?")


def frame(html: str) -> str:
    """The page's own words around the content: its header and its footer."""
    header = re.search(r"<header.*?</header>", html, re.S)
    footer = re.search(r"<footer.*?</footer>", html, re.S)
    return (header.group(0) if header else "") + (footer.group(0) if footer else "")


def alternates(html: str) -> dict[str, str]:
    return dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))


@pytest.fixture
def pasadena(make_event, frozen_now):
    return make_event(
        title="OpenInfra Days North America 2025",
        slug="openinfra-days-na-2025",
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 7),
        city="Pasadena",
        country="US",
    )


@pytest.mark.parametrize("language", LANGUAGES, ids=lambda language: language.code)
def test_each_page_in_each_language_says_so_and_lists_every_translation(
    app, client, pasadena, language
):
    base = app.config.get("BASE_URL") or f"http://{app.config.get('SERVER_NAME') or 'localhost'}"
    prefix = "" if language.code == "en" else f"/{language.code}"
    for page in (*PAGES, f"/events/{pasadena.slug}"):
        response = client.get(prefix + page)
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert f'<html lang="{language.tag}">' in html
        found = alternates(html)
        assert set(found) == {each.tag for each in LANGUAGES} | {"x-default"}, page
        path, _, query = page.partition("?")
        for each in LANGUAGES:
            expected = ("" if each.code == "en" else f"/{each.code}") + path
            assert found[each.tag] == f"{base}{expected}" + (f"?{query}" if query else "")
        assert found["x-default"] == found["en"]
        assert "{{" not in html and "{%" not in html
        if language.code != "en":
            leftover = [word for word in FRAME_WORDS if word in frame(html)]
            assert leftover == [], f"{language.code}{page}: English left in the frame"


@offered("ja")
def test_the_language_menu_works_without_script_and_marks_the_language_served(client):
    html = client.get("/ja/events").get_data(as_text=True)
    menu = re.search(r'<details class="language-menu">.*?</details>', html, re.S).group(0)
    links = re.findall(r'<a href="([^"]+)" hreflang="([^"]+)" lang="[^"]+"( aria-current)?', menu)
    assert [tag for _href, tag, _current in links] == [each.tag for each in LANGUAGES]
    assert [tag for _href, tag, current in links if current] == ["ja"]
    assert all(f'lang="{each.tag}"' in menu and each.name in menu for each in LANGUAGES)


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_links_of_a_page_stay_in_its_language(client, pasadena, language):
    html = client.get(f"/{language.code}/events").get_data(as_text=True)
    assert f'href="/{language.code}/events/{pasadena.slug}"' in html
    assert f'href="/events/{pasadena.slug}"' not in html
    assert f'href="/{language.code}/events/month"' in html
    # Static files have one address for every language: one copy in every cache.
    assert re.search(r'href="/(static|assets)/style[^"]*\.css"', html)


def test_english_has_one_address(client):
    response = client.get("/en/events?q=summit")
    assert response.status_code == 301
    assert response.headers["Location"] == "/events?q=summit"


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/en//elsewhere.example/x", "/elsewhere.example/x"),
        ("/en/%0d%0aSet-Cookie:%20a=b", "/%0D%0ASet-Cookie:%20a=b"),
        ("/en/", "/"),
        *([("/ja/staff/login", "/staff/login")] if "ja" in BY_CODE else []),
    ],
)
def test_the_english_redirect_stays_on_this_site(client, path, location):
    response = client.get(path)
    assert response.status_code == 301
    assert response.headers["Location"] == location
    assert "Set-Cookie" not in response.headers


@offered("ja")
def test_accept_language_never_changes_what_an_address_serves(client, pasadena):
    """The language is the address's alone: a header never makes the cache serve one
    visitor's language to another, so no `Vary: Accept-Language` is needed."""
    english = client.get("/events", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert '<html lang="en">' in english
    japanese = client.get("/ja/events", headers={"Accept-Language": "de"})
    assert '<html lang="ja">' in japanese.get_data(as_text=True)


@pytest.mark.skipif(len(LANGUAGES) < 2, reason="no language but English is offered yet")
@pytest.mark.parametrize("path", ["/events", "/membership"])
def test_the_page_cache_serves_each_language_to_its_own_visitors(app, pasadena, path):
    """Anonymous visitors without a cookie (the WSGI fast path) and with one (Flask's hook)
    each get the language of the address they asked for, however the cache was filled."""
    codes = [language.code for language in LANGUAGES]
    order = [*codes[::-1], *codes, *codes[::-1]]  # each language after each other
    for code in order:
        for cookies in (False, True):
            visitor = app.test_client(use_cookies=cookies)
            if cookies:
                visitor.get("/")  # a session first
            prefix = "" if code == "en" else f"/{code}"
            html = visitor.get(prefix + path).get_data(as_text=True)
            tag = language_of(code).tag
            assert f'<html lang="{tag}">' in html, (code, cookies)
            if path == "/events":
                with app.app_context(), force_locale(language_of(code).locale):
                    assert gettext("Upcoming events") in html, (code, cookies)


@offered("ja")
def test_dates_numbers_and_countries_follow_the_language(client, pasadena):
    japanese = client.get(f"/ja/events/{pasadena.slug}").get_data(as_text=True)
    assert "2025年3月6日" in japanese
    assert "アメリカ合衆国" in japanese
    english = client.get(f"/events/{pasadena.slug}").get_data(as_text=True)
    assert "Mar 6" in english and "United States" in english
    assert "2025年3月6日" not in english and "アメリカ合衆国" not in english


@offered("de")
def test_dates_and_countries_in_german(client, pasadena):
    german = client.get(f"/de/events/{pasadena.slug}").get_data(as_text=True)
    assert "Vereinigte Staaten" in german
    assert "März" in german


@offered("ja")
def test_the_acknowledgement_is_in_the_language_of_the_form(app, submit, routed_gold):
    response = submit("/ja/membership", tier=routed_gold.slug)
    assert response.status_code in (302, 303)
    assert response.headers["Location"].startswith("/ja/")
    messages = db.session.scalars(db.select(OutboxMessage)).all()
    acknowledgement = next(m for m in messages if m.recipient == "ada@example.org")
    body = email.message_from_bytes(acknowledgement.raw, policy=email.policy.default)
    text = body.get_body(("plain",)).get_content()
    with force_locale("ja"):
        hello = gettext("Hello,")
    assert hello != "Hello," and hello in text
    from portal.inquiries.models import Inquiry

    assert db.session.scalar(db.select(Inquiry.language)) == "ja"


def test_a_language_without_its_catalogue_is_not_offered(client):
    """A page never says `lang="ko"` over English words: a planned language whose catalogue is
    not compiled has no address, and no menu entry or alternate points to it."""
    html = client.get("/events").get_data(as_text=True)
    for language in PLANNED:
        assert (language in LANGUAGES) == (language.code == "en" or is_compiled(language))
        assert (f'hreflang="{language.tag}"' in html) == (language in LANGUAGES), language.code
    italian = Language("it", "it", "it", "Italiano")  # a language with no catalogue (yet)
    assert not is_compiled(italian)
    assert client.get("/it/events").status_code == 404
    assert 'hreflang="it"' not in html


def test_every_translated_language_has_its_catalogue(app):
    for language in TRANSLATED:
        with force_locale(language.locale):
            assert gettext("Upcoming events") != "Upcoming events", language.code
