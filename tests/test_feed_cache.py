"""The feed cache cannot be poisoned, filled with junk, or made to render on demand without
end (issue 9, findings 2, 3 and 9): one canonical key per feed, keys and bookkeeping counted
in the memory bound, and renders that miss the cache rate-limited per client."""

import tracemalloc
from datetime import date

import icalendar
import pytest

from portal.calendar.feeds import FEED_POLICY, feed_filters
from portal.core import pages

pytestmark = pytest.mark.usefixtures("frozen_now")


def summaries(response) -> set[str]:
    assert response.status_code == 200, response.status_code
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}


@pytest.fixture
def x_days(make_event):
    make_event(title="X Day 2025", starts_on=date(2025, 5, 1), ends_on=date(2025, 5, 1))
    make_event(title="X Day 2028", starts_on=date(2028, 5, 1), ends_on=date(2028, 5, 1))


def test_an_encoded_ampersand_does_not_share_a_feed_with_a_real_one(client, x_days):
    for _ in range(3):
        poisoned = client.get("/events.ics?q=x%26to%3D2027-12-31")
        assert summaries(poisoned) == set()  # the words x, to, 2027, 12, 31: nothing matches
    assert summaries(client.get("/events.ics?q=x&to=2027-12-31")) == {"X Day 2025"}


def test_repeated_values_read_as_the_filter_form_reads_them(client, make_event):
    make_event(title="Alpha Day")
    make_event(title="Beta Day")
    assert summaries(client.get("/events.ics?q=alpha&q=beta")) == {"Alpha Day"}
    assert summaries(client.get("/events.ics?q=beta&q=alpha")) == {"Beta Day"}


def test_junk_parameters_and_spelling_make_no_new_feed(app, client, x_days):
    cache = pages.stores(app).of(FEED_POLICY)
    first = client.get("/events.ics?q=x&country=us")
    for number in range(50):
        again = client.get(f"/events.ics?junk={number}&country=US&q=%20x%20&utm={number}")
        assert again.data == first.data
    assert len(cache._local) == 1


def test_the_feed_names_its_canonical_address_whatever_was_asked(client, x_days):
    calendar = icalendar.Calendar.from_ical(
        client.get("/events.ics?junk=1&country=us&q=%20x&q=y").data
    )
    assert str(calendar["SOURCE"]) == "http://portal.test/events.ics?q=x&country=US"


def feed_key(app, query: tuple[tuple[str, str], ...], host: str = "portal.test") -> str:
    asked = pages.Asked("GET", "calendar.feed", {}, "http", host, query, False, False)
    return pages.decide(app, asked).key


def test_a_key_has_the_same_length_whatever_the_filters_and_host(app):
    short = feed_key(app, (("q", "x"),), "a")
    long = feed_key(app, (("q", "x" * 4000), ("country", "DE")), "h" * 300)
    assert len(short) == len(long) < 100


def test_filters_are_read_once_each_in_one_order():
    args = [("to", "2025-01-01"), ("q", " a  b "), ("q", "c"), ("x", "1"), ("format", "VIRTUAL")]
    assert feed_filters(args) == (("q", "a b"), ("format", "virtual"), ("to", "2025-01-01"))


def test_ten_thousand_feeds_stay_within_the_memory_bound(app):
    """What the cache really holds (tracemalloc: bodies, keys, objects, the LRU) stays under
    what it counts, and what it counts under its bound, with 10,000 distinct keys."""
    bound = 2 * 1024 * 1024
    cache = pages.Store(max_bytes=bound)
    headers = [("Last-Modified", "Wed, 20 Nov 2024 00:00:00 GMT")]
    keys = [feed_key(app, (("q", f"word{number}" * 20),)) for number in range(10_000)]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for number, key in enumerate(keys):
        body = b"BEGIN:VCALENDAR" + str(number).encode() * 40
        cache.set(key, pages.Cached.of(body, headers))
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert cache.size_in_bytes <= bound
    assert used <= bound * 1.05, f"{used:,} bytes really used for a bound of {bound:,}"
    assert 1000 < len(cache._local) < 10_000  # it held many, and pushed the oldest out


class TestRendersThatMissTheCacheAreLimited:
    @pytest.fixture
    def settings(self):
        return {"CALENDAR_RENDER_LIMIT": "3 per minute"}

    def test_new_feeds_past_the_budget_answer_429_and_cached_ones_still_200(self, client, x_days):
        statuses = [client.get(f"/events.ics?from=2025-0{n}-01").status_code for n in range(1, 6)]
        assert statuses == [200, 200, 200, 429, 429]
        assert client.get("/events.ics?from=2025-01-01").status_code == 200  # in the cache
        assert client.get("/events.ics?from=2025-02-01&junk=1").status_code == 200
