"""The page cache of public pages: what one visitor is served is what the catalogue holds now,
never another visitor's token or session, never a cached page for staff; 304s by ETag."""

import os
import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import text

from portal import create_app
from portal.core.pages import Cached, Store, stores
from portal.extensions import db

REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL")
TOKEN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def token_of(html: str) -> str:
    found = TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return next(group for group in found.groups() if group)


def today_plus(days: int) -> date:
    return datetime.now(UTC).date() + timedelta(days=days)


@pytest.fixture
def settings():
    return {"CALENDAR_VERSION_TTL": 60}


def test_a_cached_page_costs_no_statement(client, make_event, count_queries):
    make_event(title="Zuul Day", starts_on=today_plus(5), ends_on=today_plus(5))
    first = client.get("/events")
    with count_queries() as counted:
        second = client.get("/events")
    assert second.data == first.data
    assert counted.total == 0, counted.statements


def test_a_change_is_served_at_once_by_the_process_that_made_it(client, make_event):
    event = make_event(title="Zuul Day", starts_on=today_plus(5), ends_on=today_plus(5))
    assert "Zuul Day" in client.get("/events").get_data(as_text=True)
    assert "Zuul Day" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    event.title = "Kata Day"
    db.session.commit()
    assert "Kata Day" in client.get("/events").get_data(as_text=True)
    assert "Kata Day" in client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Kata Day" in client.get("/").get_data(as_text=True)


def test_another_process_serves_a_change_within_the_version_ttl(app, client, make_event, tmp_path):
    event = make_event(title="Zuul Day", starts_on=today_plus(5), ends_on=today_plus(5))
    other = create_app(
        {**app.config, "CALENDAR_VERSION_TTL": 0.3}, instance_path=str(tmp_path / "b")
    )
    with other.app_context():
        assert "Zuul Day" in other.test_client().get("/events").get_data(as_text=True)
        db.session.remove()
    event.title = "Kata Day"
    db.session.commit()
    time.sleep(0.35)
    with other.app_context():
        page = other.test_client().get("/events").get_data(as_text=True)
        db.session.remove()
        db.engine.dispose()
    assert "Kata Day" in page and "Zuul Day" not in page


def test_an_event_that_ends_leaves_a_cached_list(client, make_event, travel):
    travel(datetime(2025, 3, 5, 12, 0, tzinfo=UTC))
    make_event(title="Short Meetup", starts_on=date(2025, 3, 5), ends_on=date(2025, 3, 5))
    make_event(title="Long Summit", starts_on=date(2025, 3, 20), ends_on=date(2025, 3, 22))
    page = client.get("/events").get_data(as_text=True)
    assert "Short Meetup" in page and "Long Summit" in page
    assert "Short Meetup" in client.get("/").get_data(as_text=True)
    travel(datetime(2025, 3, 6, 0, 0, 1, tzinfo=UTC))  # the meetup's day is over (UTC)
    page = client.get("/events").get_data(as_text=True)
    assert "Short Meetup" not in page and "Long Summit" in page
    assert "Short Meetup" not in client.get("/").get_data(as_text=True)
    assert "Short Meetup" in client.get("/events?past=1").get_data(as_text=True)


def test_staff_never_get_a_cached_page(app, client, make_event, make_staff, login):
    event = make_event(title="Zuul Day", starts_on=today_plus(5), ends_on=today_plus(5))
    visitor = app.test_client()
    assert "Zuul Day" in visitor.get("/events").get_data(as_text=True)
    # Behind the ORM's back: the version does not rise, so visitors keep the cached page...
    db.session.execute(text("UPDATE event SET title = 'Kata Day' WHERE id = :id"), {"id": event.id})
    db.session.commit()
    assert "Zuul Day" in visitor.get("/events").get_data(as_text=True)
    # ...and staff see what the database holds.
    assert login(make_staff("editor")).status_code == 303
    for path in ("/events", f"/events/{event.slug}", "/", "/membership"):
        response = client.get(path)
        assert response.headers["Cache-Control"] == "private, no-store", path
        assert "ETag" not in response.headers
    assert "Kata Day" in client.get("/events").get_data(as_text=True)


def test_no_visitor_receives_another_visitors_token_or_session(app, make_tier):
    make_tier("gold")
    first, second = app.test_client(), app.test_client()
    one = first.get("/membership")
    two = second.get("/membership")
    token_one, token_two = (
        token_of(one.get_data(as_text=True)),
        token_of(two.get_data(as_text=True)),
    )
    assert token_one != token_two
    assert token_one not in two.get_data(as_text=True)
    cookie_one = one.headers["Set-Cookie"].split(";")[0]
    cookie_two = two.headers["Set-Cookie"].split(";")[0]
    assert cookie_one.startswith("session=") and cookie_two.startswith("session=")
    assert cookie_one != cookie_two
    assert "csrf-token-of-this-visitor" not in two.get_data(as_text=True)
    # Each token works for its own visitor only.
    fields = {
        "name": "Ada",
        "email": "ada@example.org",
        "organization": "Example",
        "tier": "",
        "message": "We would like to join the foundation.",
        "consent": "y",
    }
    assert second.post("/membership", data={**fields, "csrf_token": token_one}).status_code == 400
    assert second.post("/membership", data={**fields, "csrf_token": token_two}).status_code == 303


def test_shared_pages_set_no_cookie(client, make_event):
    event = make_event(starts_on=today_plus(5), ends_on=today_plus(5))
    for path in ("/", "/events", f"/events/{event.slug}", "/events/month"):
        client.get(path)
        response = client.get(path)
        assert response.status_code == 200, path
        assert not response.headers.getlist("Set-Cookie"), path


def test_pages_answer_304_to_their_etag_and_200_after_a_change(client, make_event):
    event = make_event(title="Zuul Day", starts_on=today_plus(5), ends_on=today_plus(5))
    for path in ("/", "/events", f"/events/{event.slug}", "/events/month"):
        first = client.get(path)
        etag = first.headers["ETag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.data == b""
    etag = client.get("/events").headers["ETag"]
    event.title = "Kata Day"
    db.session.commit()
    changed = client.get("/events", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag


def test_a_form_page_answers_304_only_to_its_own_visitor(app, make_tier):
    make_tier("gold")
    first, second = app.test_client(), app.test_client()
    etag = first.get("/membership").headers["ETag"]
    assert first.get("/membership", headers={"If-None-Match": etag}).status_code == 304
    second.get("/membership")
    assert second.get("/membership", headers={"If-None-Match": etag}).status_code == 200


def test_tier_changes_reach_the_cached_membership_page(client, make_tier):
    tier = make_tier("gold")
    assert tier.name in client.get("/membership").get_data(as_text=True)
    tier.name = "Golden Partner"
    db.session.commit()
    assert "Golden Partner" in client.get("/membership").get_data(as_text=True)


def test_unknown_parameters_are_left_out_of_key_and_page(client, make_event, count_queries):
    make_event(title="Zuul Day", country="DE", starts_on=today_plus(5), ends_on=today_plus(5))
    plain = client.get("/events?country=DE")
    with count_queries() as counted:
        noisy = client.get("/events?utm_source=mail&country=DE&country=FR")
    assert counted.total == 0
    assert noisy.data == plain.data
    assert b"utm_source" not in noisy.data


def test_the_cache_keeps_within_its_bytes():
    cache = Store(max_bytes=10_000)
    for number in range(100):
        cache.set(f"key-{number}", Cached.of(b"x" * 1000))
    assert cache.size_in_bytes <= 10_000
    assert cache.get("key-99") is not None
    assert cache.get("key-0") is None


@pytest.mark.redis
def test_a_page_rendered_by_one_process_is_served_by_another_through_redis(
    app, make_event, tmp_path, count_queries
):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    make_event(title="Zuul Day", starts_on=today_plus(5), ends_on=today_plus(5))
    config = {**app.config, "CACHE_REDIS_URL": REDIS_URL}
    apps = [create_app(config, instance_path=str(tmp_path / name)) for name in ("a", "b")]
    pages = []
    for number, other in enumerate(apps):
        with other.app_context():
            other.test_client().get("/events")  # reads the version and the next change
            stores(other).clear()
            with count_queries() as counted:
                pages.append(other.test_client().get("/events"))
            if number == 1:
                assert counted.total == 0, counted.statements  # from Redis, not rendered
            db.session.remove()
            db.engine.dispose()
    assert pages[0].data == pages[1].data
    assert pages[0].headers["ETag"] == pages[1].headers["ETag"]


def test_a_cookieless_visitor_is_answered_like_any_other(app, make_event):
    make_event(title="Zuul Day", starts_on=today_plus(5), ends_on=today_plus(5))
    rendered = app.test_client().get("/events")  # through the app, into the cache
    fast = app.test_client().get("/events")  # no cookie: from the cache, before Flask
    assert fast.data == rendered.data
    assert fast.headers["ETag"] == rendered.headers["ETag"]
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options"):
        assert fast.headers[name] == rendered.headers[name]
    assert fast.headers["Content-Type"] == "text/html; charset=utf-8"
    etag = fast.headers["ETag"]
    assert app.test_client().get("/events", headers={"If-None-Match": etag}).status_code == 304
    assert app.test_client().head("/events").data == b""
    refused = app.test_client().get("/events", headers={"Host": "evil.example"})
    assert refused.status_code == 400


def test_a_rendered_feed_is_answered_alike_on_the_fast_path(app, make_event):
    make_event(title="Zuul Day", starts_on=today_plus(5), ends_on=today_plus(5))
    with_cookie = app.test_client()
    with_cookie.set_cookie("other", "1")  # a cookie: through the app
    rendered = with_cookie.get("/events.ics?format=in_person")
    fast = app.test_client().get("/events.ics?format=in_person&utm=x")
    assert fast.data == rendered.data
    for name in ("ETag", "Last-Modified", "Cache-Control", "Content-Type", "X-Frame-Options"):
        assert fast.headers[name] == rendered.headers[name], name
    etag = fast.headers["ETag"]
    again = app.test_client().get("/events.ics?format=in_person", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["ETag"] == etag
