"""How the page cache serves what it keeps: a visitor's token only in the hidden field of a
form (never where text looks like a placeholder), calendars gzipped from bytes compressed once,
and what is cached still served while the database is away."""

from __future__ import annotations

import gzip
import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from portal.core import cached, pages, version
from portal.extensions import db

TOKEN_INPUT = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def today_plus(days: int) -> date:
    return datetime.now(UTC).date() + timedelta(days=days)


@pytest.fixture
def known_placeholder(monkeypatch):
    """The next placeholder the cache renders with, made known (it is random otherwise)."""
    monkeypatch.setattr(pages.secrets, "token_hex", lambda _: "0123456789abcdef")
    return "token-0123456789abcdef"


def test_text_that_holds_the_placeholder_never_receives_a_token(
    client, make_tier, make_event, known_placeholder
):
    make_tier("gold", summary=f"Ask for {known_placeholder} at the desk")
    page = client.get(f"/membership?tier={known_placeholder}").get_data(as_text=True)
    (token,) = TOKEN_INPUT.findall(page)
    assert page.count(token) == 1  # the hidden field, nowhere else
    # The placeholder itself was taken out of the cached page, the tier's text with it.
    assert known_placeholder not in page
    again = client.get("/membership").get_data(as_text=True)
    assert again.count(TOKEN_INPUT.findall(again)[0]) == 1


def test_an_old_style_placeholder_in_the_query_or_text_stays_text(client, make_tier):
    old = "csrf-token-of-this-visitor-9d1c4e"
    make_tier("gold", summary=f"Quote {old}")
    page = client.get(f"/membership?tier={old}").get_data(as_text=True)
    (token,) = TOKEN_INPUT.findall(page)
    assert f"Quote {old}" in page and page.count(token) == 1


def test_an_event_description_link_never_carries_the_visitors_token(
    client, make_event, known_placeholder
):
    event = make_event(
        starts_on=today_plus(5),
        ends_on=today_plus(5),
        description=f"[Register](https://example.org/?t={known_placeholder})",
    )
    client.get("/membership")  # a session with a token
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    with client.session_transaction() as session:
        secret = session.get("csrf_token")
    assert secret is None or secret not in page
    assert "https://example.org/?t=" in page


def test_the_offsets_are_those_of_the_hidden_field_alone():
    body = (
        b'<p>token-x</p><input name="csrf_token" type="hidden" value="token-x"><a href="?token-x">'
    )
    entry = cached.Cached.of(body, placeholder=b"token-x")
    assert entry.with_token(b"SECRET") == (
        b'<p></p><input name="csrf_token" type="hidden" value="SECRET"><a href="?">'
    )


def test_a_feed_is_gzipped_for_clients_that_ask_and_compressed_once(
    client, make_event, monkeypatch
):
    for number in range(20):
        make_event(title=f"Zuul Day {number}", starts_on=today_plus(5), ends_on=today_plus(5))
    plain = client.get("/events.ics")
    assert "Content-Encoding" not in plain.headers
    assert plain.headers["Vary"] == "Accept-Encoding"
    calls = []
    real = gzip.compress
    monkeypatch.setattr(cached.gzip, "compress", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    packed = client.get("/events.ics", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) * 4 < len(plain.data)
    assert packed.headers["ETag"] != plain.headers["ETag"]
    assert calls == []  # served from the bytes compressed when the feed was rendered
    # Each encoding revalidates with its own ETag.
    gz = {"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
    assert client.get("/events.ics", headers=gz).status_code == 304
    crossed = {"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]}
    assert client.get("/events.ics", headers=crossed).status_code == 200
    refused = client.get("/events.ics", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    # The fast path (no cookie at all) answers the same.
    fresh = client.application.test_client()
    fast = fresh.get("/events.ics", headers={"Accept-Encoding": "gzip"})
    assert fast.headers["Content-Encoding"] == "gzip" and fast.data == packed.data


def test_an_event_file_is_gzipped_too(client, make_event):
    event = make_event(
        starts_on=today_plus(5),
        ends_on=today_plus(6),
        start_time=time(9),
        end_time=time(17),
        timezone="Europe/Berlin",
        summary="A day of talks. " * 20,
    )
    response = client.get(f"/events/{event.slug}.ics", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data).startswith(b"BEGIN:VCALENDAR")


@pytest.fixture
def database_away(app):
    """Make the SQLite database go away (its file moved): every statement then fails."""
    path = Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///"))
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        pytest.skip("the database is taken away by moving its file (SQLite)")

    def away() -> None:
        db.session.remove()
        db.engine.dispose()
        path.rename(path.with_suffix(".away"))
        path.touch(mode=0o000)  # neither the tables nor a new database
        version.memo().ttl = 0  # read the version again now

    yield away
    if path.with_suffix(".away").exists():
        path.unlink(missing_ok=True)
        path.with_suffix(".away").rename(path)
        db.engine.dispose()


def test_while_the_database_is_away_cached_pages_are_served_and_others_answer_503(
    client, make_event, database_away
):
    event = make_event(title="Zuul Day", starts_on=today_plus(5), ends_on=today_plus(5))
    cached_list = client.get("/events")
    cached_feed = client.get("/events.ics")
    database_away()
    fresh = client.application.test_client()
    for path, before in (("/events", cached_list), ("/events.ics", cached_feed)):
        for visitor in (client, fresh):
            response = visitor.get(path)
            assert response.status_code == 200, path
            assert response.data == before.data
            assert response.headers["Cache-Control"] == "no-cache"  # stale: for now only
    other = client.get(f"/events/{event.slug}")
    assert other.status_code == 503
    assert other.headers["Retry-After"] == "30"
    assert "back in a moment" in other.get_data(as_text=True).lower()
    assert client.get("/events.ics?format=virtual").status_code == 503


def test_an_inquiry_that_cannot_be_stored_gives_back_what_was_typed(
    client, routed_gold, database_away
):
    page = client.get("/membership").get_data(as_text=True)
    token = TOKEN_INPUT.search(page).group(1)
    database_away()
    message = "We would like to join.\nTwo lines, <b>and markup</b>."
    response = client.post(
        "/membership",
        data={
            "csrf_token": token, "name": "Ada Lovelace", "email": "ada@example.org",
            "organization": "Analytical Engines", "tier": "gold", "message": message,
            "consent": "y",
        },
    )  # fmt: skip
    assert response.status_code == 503
    text = response.get_data(as_text=True)
    assert "not</strong> be stored" in text
    assert 'value="Ada Lovelace"' in text and "Analytical Engines" in text
    assert "&lt;b&gt;and markup&lt;/b&gt;" in text and "<b>and markup</b>" not in text
    assert 'action="/membership"' in text


def test_redis_away_is_tried_again_only_after_a_pause_and_logged_once(app, caplog, monkeypatch):
    """A Redis that does not answer: the cache serves from this process, does not wait on
    Redis for every request, and logs one line for many failures."""
    from portal.core import cache

    store = cached.Store(1_000_000, redis_url="redis://127.0.0.1:9/0", name="page cache")
    tries = []
    real = store._redis.hgetall
    monkeypatch.setattr(store._redis, "hgetall", lambda *a: tries.append(1) or real(*a))
    with caplog.at_level("WARNING", logger="portal.core.cache"):
        for number in range(50):
            store.set(f"k{number}", cached.Cached.of(b"x"))
            assert store.get(f"k{number}") is not None  # this process's copy
            assert store.get(f"missing{number}") is None
    assert len(tries) <= 1  # after the first failure, the rest waited for the pause to end
    before = len(tries)
    lines = [r for r in caplog.records if "Redis unavailable" in r.getMessage()]
    assert len(lines) == 1
    now = cache.time.monotonic()
    monkeypatch.setattr(cache.time, "monotonic", lambda: now + cache.RETRY_AFTER + 1)
    assert store.get("missing-again") is None
    assert len(tries) == before + 1  # tried again after the pause


def cookie_attributes(header: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}


@pytest.mark.parametrize("secure", [False, True])
def test_a_new_visitor_gets_the_same_session_on_the_fast_path_as_through_flask(
    app, make_tier, secure
):
    app.config["SESSION_COOKIE_SECURE"] = secure
    make_tier("gold")
    app.test_client().get("/membership")  # into the cache
    fast = app.test_client().get("/membership")  # no cookie: the fast path
    other = app.test_client()
    other.set_cookie("unrelated", "1")  # a cookie, but no session: through Flask
    slow = other.get("/membership")
    assert fast.headers["Cache-Control"] == slow.headers["Cache-Control"] == "private, no-cache"
    assert "Cookie" in fast.headers["Vary"] and "Cookie" in slow.headers["Vary"]
    fast_cookie, slow_cookie = fast.headers["Set-Cookie"], slow.headers["Set-Cookie"]
    assert cookie_attributes(fast_cookie) == cookie_attributes(slow_cookie)
    assert ("secure" in cookie_attributes(fast_cookie)) is secure
    serializer = app.session_interface.get_signing_serializer(app)
    for response, cookie in ((fast, fast_cookie), (slow, slow_cookie)):
        session = serializer.loads(cookie.split(";")[0].split("=", 1)[1])
        assert set(session) == {"csrf_token"}
        token = TOKEN_INPUT.search(response.get_data(as_text=True)).group(1)
        from itsdangerous import URLSafeTimedSerializer

        signer = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token")
        assert signer.loads(token) == session["csrf_token"]
