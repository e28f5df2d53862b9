"""The portal with PostgreSQL and Redis taken away under it, through a TCP proxy the test
controls (tests/faults.py): stopped (refused), hung (nothing answers) or restarted (cut). On
the PostgreSQL and Redis that CI has (PORTAL_TEST_DATABASE_URL, PORTAL_TEST_REDIS_URL)."""

from __future__ import annotations

import os
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from faults import Proxy
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from portal import create_app
from portal.extensions import db

PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL")
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
KEY = re.compile(r'name="submission" type="hidden" value="([^"]+)"')

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def soon(days: int) -> datetime:
    return datetime.now(UTC) + timedelta(days=days)


@pytest.fixture
def database_proxy(database_uri):
    url = make_url(database_uri)
    proxy = Proxy(url.host or "127.0.0.1", url.port or 5432)
    yield proxy, url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    proxy.close()


@pytest.fixture
def redis_proxy():
    parts = urlsplit(REDIS_URL)
    proxy = Proxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    yield proxy, f"redis://127.0.0.1:{proxy.port}{parts.path or '/0'}"
    proxy.close()


@pytest.fixture
def portal(app, database_proxy, tmp_path):
    """An app of its own that reaches the test's database through the proxy."""
    proxy, url = database_proxy
    config = {**app.config, "SQLALCHEMY_DATABASE_URI": url, "CALENDAR_VERSION_TTL": 0}
    config.pop("SQLALCHEMY_ENGINE_OPTIONS", None)  # made again for the proxied URL
    other = create_app(config, instance_path=str(tmp_path / "proxied"))
    yield other, proxy
    with other.app_context():
        db.engine.dispose()


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_database_stopped_cached_pages_stay_and_health_says_503_within_a_second(portal, make_event):
    other, proxy = portal
    event = make_event(title="Zuul Day", starts_on=soon(5).date(), ends_on=soon(5).date())
    client = other.test_client()
    assert client.get("/events").status_code == 200  # now cached
    assert client.get("/events.ics").status_code == 200
    proxy.refuse()
    health, took = timed(lambda: client.get("/healthz"))
    assert health.status_code == 503 and took < 1.5
    assert health.json["database"] == "unreachable"
    for path in ("/events", "/events.ics"):
        response, took = timed(lambda path=path: client.get(path))
        assert response.status_code == 200 and took < 1.5, path
        assert response.headers["Cache-Control"] == "no-cache"  # stale, for now only
    other_page = client.get(f"/events/{event.slug}")
    assert other_page.status_code == 503
    assert other_page.headers["Retry-After"]
    proxy.restore()
    assert client.get(f"/events/{event.slug}").status_code == 200


def test_database_hung_health_answers_within_a_second(portal, make_event):
    other, proxy = portal
    make_event(title="Zuul Day", starts_on=soon(5).date(), ends_on=soon(5).date())
    client = other.test_client()
    assert client.get("/events").status_code == 200
    proxy.hang()
    for _ in range(3):
        health, took = timed(lambda: client.get("/healthz"))
        assert health.status_code == 503 and took < 1.5
    cached, took = timed(lambda: client.get("/events"))
    assert cached.status_code == 200 and took < 1.5
    proxy.restore()
    proxy.cut()  # what hung is gone; the pool pings and reconnects
    deadline = time.monotonic() + 10
    while client.get("/healthz").status_code != 200:
        assert time.monotonic() < deadline, "never came back"
        time.sleep(0.2)


def test_a_database_restart_costs_no_request(portal, make_event, routed_gold):
    other, proxy = portal
    make_event(title="Zuul Day", starts_on=soon(5).date(), ends_on=soon(5).date())
    client = other.test_client()
    statuses: list[tuple[float, float, int]] = []
    stop = threading.Event()

    def visitor() -> None:
        mine = other.test_client()
        number = 0
        while not stop.is_set():
            number += 1
            # A search is never cached the same: each one reads the database.
            started = time.monotonic()
            status = mine.get(f"/events?q=zuul{number % 7}").status_code
            statuses.append((started, time.monotonic(), status))
            time.sleep(0.01)

    assert client.get("/events?q=zuul").status_code == 200
    threads = [threading.Thread(target=visitor) for _ in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    down = time.monotonic()
    proxy.refuse()  # the server goes down: open connections cut, new ones refused
    time.sleep(1.5)
    proxy.restore()  # and is back 1.5 s later
    up = time.monotonic()
    time.sleep(1.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
    page = client.get("/membership")
    posted = client.post(
        "/membership",
        data={
            "csrf_token": TOKEN.search(page.text).group(1),
            "submission": KEY.search(page.text).group(1), "name": "Ada",
            "email": "ada@example.org", "organization": "Engines", "tier": "gold",
            "message": "We would like to join, please.", "consent": "y",
        },
    )  # fmt: skip
    assert posted.status_code == 303
    # Some were being answered while it was down (they waited for it to come back).
    assert any(started <= up and ended >= down for started, ended, _ in statuses)
    answered = [status for _, _, status in statuses]
    assert set(answered) == {200}, {s: answered.count(s) for s in set(answered)}


def test_redis_hung_costs_no_request_and_little_time(app, redis_proxy, tmp_path, routed_gold):
    proxy, url = redis_proxy
    config = {**app.config, "CACHE_REDIS_URL": url, "RATELIMIT_STORAGE_URI": url}
    other = create_app(config, instance_path=str(tmp_path / "redis"))
    client = other.test_client()
    assert client.get("/events").status_code == 200

    def send(count: int, tag: str) -> tuple[int, float]:
        started, stored = time.monotonic(), 0
        for number in range(count):
            page = client.get("/membership")
            response = client.post(
                "/membership",
                data={
                    "csrf_token": TOKEN.search(page.text).group(1),
                    "submission": KEY.search(page.text).group(1), "name": "Ada",
                    "email": f"ada-{tag}{number}@example.org", "organization": "Engines",
                    "tier": "gold", "message": "We would like to join, please.", "consent": "y",
                },
            )  # fmt: skip
            stored += response.status_code == 303
        return stored, time.monotonic() - started

    stored, with_redis = send(6, "up")
    assert stored == 6
    proxy.hang()
    stored, without = send(6, "hung")
    health = client.get("/healthz")
    from portal.inquiries.models import Inquiry

    count = db.session.scalar(select(func.count()).select_from(Inquiry))
    proxy.restore()
    assert stored == 6 and count == 12
    # Each Redis client waits half a second at most, then leaves Redis alone for a while: a
    # few half-seconds in all, not one (or more) a request.
    assert without - with_redis < 3.5, (without, with_redis)
    assert health.status_code == 200 and health.json["redis"] == "unreachable"
