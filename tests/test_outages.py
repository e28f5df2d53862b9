"""The portal with its dependencies away: Redis (the shared cache and rate-limit store) gone
costs no request, and the log says so once, not once a request."""

from __future__ import annotations

import logging
import re

import pytest

from portal import create_app
from portal.extensions import db

NO_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def without_redis(app, tmp_path):
    """The test's app, configured with a Redis for caches and limits that does not answer."""
    config = {
        **app.config,
        "CACHE_REDIS_URL": NO_REDIS,
        "RATELIMIT_STORAGE_URI": NO_REDIS,
        "INQUIRY_RATELIMIT_PER_EMAIL": "5 per hour",
        "INQUIRY_RATELIMIT_PER_IP": "20 per hour",
    }
    broken = create_app(config, instance_path=str(tmp_path / "no-redis"))
    with broken.app_context():
        yield broken
        db.session.remove()
        db.engine.dispose()


def test_with_redis_away_inquiries_are_stored_and_pages_served(
    without_redis, routed_gold, make_event, make_staff, caplog
):
    client = without_redis.test_client()
    with caplog.at_level(logging.WARNING):
        for number in range(8):
            page = client.get("/membership")
            assert page.status_code == 200
            token = TOKEN.search(page.get_data(as_text=True)).group(1)
            response = client.post(
                "/membership",
                data={
                    "csrf_token": token, "name": "Ada", "email": f"ada{number}@example.org",
                    "organization": "Engines", "tier": "gold", "consent": "y",
                    "message": "We would like to join, please.",
                },
            )  # fmt: skip
            assert response.status_code == 303, response.status_code
        assert client.get("/events").status_code == 200
        assert client.get("/events.ics?format=virtual").status_code == 200  # a render is charged
    from portal.inquiries.models import Inquiry

    assert db.session.query(Inquiry).count() == 8
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert tracebacks == []
    redis_lines = [r for r in caplog.records if "nreachable" in r.getMessage()]
    assert 1 <= len(redis_lines) <= 3  # the cache, the limits and the render budget: once each


def test_limits_still_hold_per_process_while_redis_is_away(without_redis, routed_gold):
    client = without_redis.test_client()
    statuses = []
    for _ in range(7):
        page = client.get("/membership")
        token = TOKEN.search(page.get_data(as_text=True)).group(1)
        statuses.append(
            client.post(
                "/membership",
                data={
                    "csrf_token": token, "name": "Ada", "email": "same@example.org",
                    "organization": "Engines", "tier": "gold", "consent": "y",
                    "message": "We would like to join, please.",
                },
            ).status_code
        )  # fmt: skip
    assert statuses == [303] * 5 + [429] * 2


def test_healthz_with_redis_away_is_200_and_says_so(without_redis):
    response = without_redis.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "degraded"
    assert response.json["redis"] == "unreachable"
    assert response.json["rate_limit_store"] == "unreachable"
    assert response.json["database"] == "ok"


def test_sign_in_works_with_redis_away(without_redis, make_staff):
    user = make_staff("editor")
    client = without_redis.test_client()
    page = client.get("/staff/login").get_data(as_text=True)
    token = TOKEN.search(page).group(1)
    data = {"email": user.email, "password": "a long enough password", "csrf_token": token}
    assert client.post("/staff/login", data=data).status_code == 303
