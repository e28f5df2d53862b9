"""/metrics: Prometheus' text format, read by the machine itself only, counting requests (the
fast path's too), the page cache's answers, inquiries, and what /healthz knows."""

from __future__ import annotations

import re

from prometheus_client.parser import text_string_to_metric_families

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def samples(response) -> dict[tuple[str, tuple], float]:
    """Every sample of the exposition, parsed by prometheus-client's own reader."""
    found = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name: str, **labels) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_read_from_this_machine_only(client):
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404
    relayed = client.get(
        "/metrics",
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert relayed.status_code == 404  # a proxy the portal was not told of relayed it


def test_requests_cache_answers_and_inquiries_are_counted(app, client, routed_gold, make_event):
    local = {"REMOTE_ADDR": "127.0.0.1"}
    before = samples(client.get("/metrics", environ_base=local))
    client.get("/events")  # rendered
    app.test_client().get("/events")  # the fast path
    page = client.get("/membership")
    client.post(
        "/membership",
        data={
            "csrf_token": TOKEN.search(page.text).group(1), "name": "Ada",
            "email": "ada@example.org", "organization": "Engines", "tier": "gold",
            "message": "We would like to join, please.", "consent": "y",
        },
    )  # fmt: skip
    response = client.get("/metrics", environ_base=local)
    assert response.headers["Content-Type"].startswith("text/plain; version=")
    after = samples(response)

    def grew(name: str, **labels) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    index = {"endpoint": "events.index", "method": "GET", "status": "200"}
    assert grew("portal_http_requests_total", **index) == 2
    assert grew("portal_http_requests_total", endpoint="inquiries.membership", method="POST",
                status="303") == 1  # fmt: skip
    assert grew("portal_page_cache_answers_total", how="rendered") >= 1
    assert grew("portal_page_cache_answers_total", how="fast") >= 1
    assert grew("portal_inquiries_received_total", kind="membership") == 1
    assert grew("portal_http_request_duration_seconds_count", endpoint="events.index") == 2
    assert value(after, "portal_up", dependency="database") == 1
    assert value(after, "portal_outbox_pending") >= 0
    assert ("portal_outbox_oldest_claim_seconds", ()) in after


def test_an_unknown_method_does_not_make_a_label_of_its_own(app, client):
    client.open("/events", method="BREW")
    found = samples(client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"}))
    methods = {
        dict(labels).get("method") for name, labels in found if name.startswith("portal_http")
    }
    assert "BREW" not in methods
