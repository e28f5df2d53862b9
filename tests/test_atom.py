"""/events.atom as feed readers read it: feedparser (the parser of most Python readers and
planets) finds every entry's fields; ids are stable and not the request's; `updated` moves."""

from __future__ import annotations

from datetime import date

import feedparser

from portal.events.models import EventStatus
from portal.extensions import db


def parse(client, query: str = ""):
    response = client.get(f"/events.atom{query}")
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    return feedparser.parse(response.data), response


def test_feedparser_reads_every_entry_field(client, make_event, frozen_now):
    make_event(
        slug="kata-day", title="Kata Day", summary="A day of Kata.", projects=("kata-containers",),
        starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 7), city="Pasadena", region="CA",
    )  # fmt: skip
    make_event(slug="cancelled-one", title="Gone", status=EventStatus.CANCELLED)
    feed, _ = parse(client)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "OpenInfra Foundation events"
    assert feed.feed.updated_parsed is not None
    assert {entry.link for entry in feed.entries} == {
        "http://portal.test/events/kata-day", "http://portal.test/events/cancelled-one"
    }  # fmt: skip
    for entry in feed.entries:
        assert entry.id.startswith("tag:openinfra.dev,2025:event:")
        assert entry.title and entry.summary and entry.updated_parsed and entry.published_parsed
        assert entry.author == "OpenInfra Foundation"
    kata = next(entry for entry in feed.entries if entry.link.endswith("kata-day"))
    assert [tag.term for tag in kata.tags] == ["kata-containers"]
    assert "Pasadena, CA, United States" in kata.summary and "A day of Kata." in kata.summary
    enclosure = [link for link in kata.links if link.rel == "enclosure"]
    assert enclosure[0].href == "http://portal.test/events/kata-day.ics"
    gone = next(entry for entry in feed.entries if entry.link.endswith("cancelled-one"))
    assert gone.title == "Cancelled: Gone" and "Cancelled" in gone.summary


def test_ids_do_not_follow_the_host_and_updated_moves_newest_first(
    app, client, make_event, travel, frozen_now
):
    from datetime import UTC, datetime

    first = make_event(slug="first", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 1))
    make_event(slug="second", starts_on=date(2025, 6, 1), ends_on=date(2025, 6, 1))
    feed, _ = parse(client)
    ids = {entry.link: entry.id for entry in feed.entries}
    before = {entry.link: entry.updated_parsed for entry in feed.entries}
    assert not any("portal.test" in entry_id for entry_id in ids.values())  # not the Host
    app.config["BASE_URL"] = "https://events.example.org"
    other, _ = parse(client)
    assert {entry.id.split(":", 2)[2] for entry in other.entries} == {
        entry_id.split(":", 2)[2] for entry_id in ids.values()
    }
    assert all(entry.id.startswith("tag:events.example.org,2025:") for entry in other.entries)
    app.config["BASE_URL"] = None
    travel(datetime(2024, 11, 21, 12, 0, tzinfo=UTC))
    first.title = "First, renamed"
    db.session.commit()
    feed, _ = parse(client)
    assert feed.entries[0].link == "http://portal.test/events/first"
    assert feed.entries[0].id == ids["http://portal.test/events/first"]
    assert feed.entries[0].updated_parsed > before["http://portal.test/events/first"]
    assert feed.entries[0].title == "First, renamed"


def test_filters_select_entries_and_bad_ones_are_a_400(client, make_event, frozen_now):
    make_event(slug="berlin", country="DE", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 1))
    make_event(slug="austin", country="US", starts_on=date(2025, 6, 1), ends_on=date(2025, 6, 1))
    make_event(slug="draft", country="DE", status=EventStatus.DRAFT)
    feed, response = parse(client, "?country=de")
    assert [entry.link for entry in feed.entries] == ["http://portal.test/events/berlin"]
    assert feed.feed.title == "OpenInfra Foundation events: in Germany"
    assert response.headers["ETag"].startswith('"')
    again = client.get(
        "/events.atom?country=de", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    assert client.get("/events.atom?from=2025-99-01").status_code == 400
