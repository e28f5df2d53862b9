"""The JSON API as its clients read it: the OpenAPI document (validated, then used by
schemathesis against the app), filters, cursors, errors, ETags, CORS and the cache."""

from __future__ import annotations

from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import checks

from portal.events.models import EventStatus, LinkKind, LinkState


@pytest.fixture
def api_app(app, seeded, frozen_now):
    return app


def test_the_openapi_document_validates(client, api_app):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)  # raises when it is not a valid OpenAPI 3.1 document


# Schemathesis' own pytest plugin does not run under pytest 9 (its Function objects changed):
# the operations' strategies are run by Hypothesis directly, which is what the plugin does.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def test_no_generated_request_gets_a_5xx_or_an_answer_outside_the_schema(api_app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", api_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.label for op in operations} == {"GET /api/events", "GET /api/events/{slug}"}
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=80, deadline=None, derandomize=True, database=None,
            suppress_health_check=list(HealthCheck),
        )  # fmt: skip
        def run(case) -> None:
            case.call_and_validate(checks=CHECKS)

        run()


def test_the_list_gives_every_field_in_the_events_zone(client, make_event, frozen_now):
    make_event(
        slug="kata-day",
        title="Kata Day",
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 7),
        timezone="America/Los_Angeles",
        venue="Pasadena Convention Center",
        city="Pasadena",
        region="CA",
        country="US",
        projects=("kata-containers",),
        links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org/register"),),
    )
    body = client.get("/api/events?project=kata-containers").get_json()
    (event,) = body["events"]
    assert body["next"] is None
    assert event["start"] == "2025-03-06T00:00:00-08:00"
    assert event["end"] == "2025-03-08T00:00:00-08:00"
    assert event["all_day"] is True and event["timezone"] == "America/Los_Angeles"
    assert (event["venue"], event["city"], event["region"], event["country"]) == (
        "Pasadena Convention Center", "Pasadena", "CA", "US"
    )  # fmt: skip
    assert event["projects"] == [{"slug": "kata-containers", "name": "Kata Containers"}]
    assert event["links"] == [
        {"kind": "register", "url": "https://example.org/register", "state": "open",
         "deadline": None}
    ]  # fmt: skip
    assert event["url"] == "http://portal.test/events/kata-day"
    assert event["ics"] == "http://portal.test/events/kata-day.ics"
    assert event["status"] == "published" and event["format"] == "in_person"


def test_cursors_walk_every_event_once_in_order(client, make_event, frozen_now):
    for day in range(1, 8):
        make_event(starts_on=date(2025, 1, day), ends_on=date(2025, 1, day))
    make_event(starts_on=date(2025, 1, 3), ends_on=date(2025, 1, 3))  # a tie on the start
    seen, url = [], "/api/events?limit=3"
    while url:
        body = client.get(url).get_json()
        assert len(body["events"]) <= 3
        seen += [event["slug"] for event in body["events"]]
        url = body["next"] and body["next"].removeprefix("http://portal.test")
    assert len(seen) == len(set(seen)) == 8
    starts = [client.get(f"/api/events/{slug}").get_json()["start"] for slug in seen]
    assert starts == sorted(starts)


def test_a_bad_parameter_is_a_400_naming_it(client, frozen_now):
    for query, name in [
        ("from=2025-13-01", "from"),
        ("country=Germany", "country"),
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("cursor=not-one", "cursor"),
        ("from=2025-02-01&to=2025-01-01", "to"),
    ]:
        response = client.get(f"/api/events?{query}")
        assert response.status_code == 400, query
        assert response.mimetype == "application/json"
        assert response.get_json()["parameter"] == name
        assert response.get_json()["reason"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_an_unknown_or_draft_event_is_a_json_404(client, make_event):
    make_event(slug="secret", status=EventStatus.DRAFT)
    for slug in ("secret", "nothing-here"):
        response = client.get(f"/api/events/{slug}")
        assert response.status_code == 404
        assert response.get_json()["error"] == "not_found"


def test_strong_etags_304_cors_and_the_cache(app, client, make_event, frozen_now):
    event = make_event(title="First title")
    response = client.get(f"/api/events/{event.slug}")
    etag = response.headers["ETag"]
    assert etag.startswith('"') and not etag.startswith("W/")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Cache-Control"] == "public, max-age=60"
    again = client.get(f"/api/events/{event.slug}", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    # Answered from the page cache, before Flask: the WSGI fast path keeps the CORS header.
    fast = client.get(f"/api/events/{event.slug}")
    assert fast.headers["ETag"] == etag and fast.headers["Access-Control-Allow-Origin"] == "*"
    event.title = "Second title"
    from portal.extensions import db

    db.session.commit()
    changed = client.get(f"/api/events/{event.slug}", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.get_json()["title"] == "Second title"


def test_filters_are_those_of_the_list(client, make_event, frozen_now):
    make_event(slug="berlin", country="DE", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 1))
    make_event(slug="austin", country="US", starts_on=date(2025, 6, 1), ends_on=date(2025, 6, 1))
    make_event(slug="old", country="DE", starts_on=date(2024, 1, 1), ends_on=date(2024, 1, 1))

    def slugs(query: str) -> list[str]:
        return [e["slug"] for e in client.get(f"/api/events?{query}").get_json()["events"]]

    assert slugs("country=de") == ["berlin"]
    assert slugs("") == ["berlin", "austin"]
    assert slugs("past=1") == ["old"]
    assert slugs("from=2025-05-15") == ["austin"]
    assert slugs("q=nothingmatches") == []
