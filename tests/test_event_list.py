"""/events: every filter, their combinations, pagination, past/upcoming, and bad input."""

from datetime import UTC, date, datetime, time

import pytest

from portal.events.models import EventFormat, EventKind, EventStatus

pytestmark = pytest.mark.usefixtures("frozen_now")  # 2024-11-20

NA_2025 = "OpenInfra Days North America 2025"
FOSDEM = "OpenStack 15th Birthday at FOSDEM"
PTG_PROJECTS = ("openstack", "kata-containers", "starlingx", "zuul")
EVERY_PROJECT = ("openinfra", *PTG_PROJECTS)


@pytest.fixture
def catalogue(make_project, make_event):
    """Thirteen events from April 2024 to November 2025: five are over on 2024-11-20. Four are
    virtual PTGs (no country) for the projects, among them Kata Containers; the others take
    place in Sweden (twice), Türkiye, Korea, Belgium, the US, Kenya, France and China."""
    make_project("kata-containers", "Kata Containers")

    def ptg(title, first, last):
        make_event(
            title=title,
            kind=EventKind.PTG,
            format=EventFormat.VIRTUAL,
            starts_on=first,
            ends_on=last,
            city=None,
            country=None,
            projects=PTG_PROJECTS,
        )

    def days(
        title, first, last, city, country, zone, projects=("openinfra", "openstack"), **fields
    ):
        make_event(
            title=title,
            starts_on=first,
            ends_on=last,
            city=city,
            country=country,
            timezone=zone,
            projects=projects,
            **fields,
        )

    # Made out of order: the lists sort them.
    ptg("PTG October 2025", date(2025, 10, 27), date(2025, 10, 31))
    days(
        NA_2025,
        date(2025, 3, 6),
        date(2025, 3, 7),
        "Pasadena",
        "US",
        "America/Los_Angeles",
        region="CA",
        colocated_name="SCaLE 22x",
    )
    days(
        "OpenInfra Day Türkiye",
        date(2024, 5, 20),
        date(2024, 5, 20),
        "Istanbul",
        "TR",
        "Europe/Istanbul",
        venue="Boğaziçi University",
    )
    ptg("PTG April 2024", date(2024, 4, 8), date(2024, 4, 12))
    days(
        "OpenInfra Summit Europe 2025",
        date(2025, 10, 17),
        date(2025, 10, 19),
        "Palaiseau",
        "FR",
        "Europe/Paris",
        kind=EventKind.SUMMIT,
        projects=EVERY_PROJECT,
    )
    days(
        "OpenInfra User Group Sweden 10th anniversary",
        date(2025, 5, 22),
        date(2025, 5, 22),
        "Stockholm",
        "SE",
        "Europe/Stockholm",
        kind=EventKind.MEETUP,
    )
    ptg("PTG October 2024", date(2024, 10, 21), date(2024, 10, 25))
    days(
        "OpenInfra Days China 2025",
        date(2025, 11, 15),
        date(2025, 11, 15),
        "Hangzhou",
        "CN",
        "Asia/Shanghai",
    )
    days(
        FOSDEM,
        date(2025, 2, 1),
        date(2025, 2, 1),
        "Brussels",
        "BE",
        "Europe/Brussels",
        kind=EventKind.COMMUNITY_EVENT,
        projects=("openstack",),
    )
    days(
        "OpenInfra Summit Asia 2024",
        date(2024, 9, 3),
        date(2024, 9, 4),
        "Suwon",
        "KR",
        "Asia/Seoul",
        kind=EventKind.SUMMIT,
        projects=EVERY_PROJECT,
    )
    ptg("PTG April 2025", date(2025, 4, 7), date(2025, 4, 11))
    days(
        "OpenInfra Days Kenya",
        date(2025, 9, 6),
        date(2025, 9, 6),
        "Nairobi",
        "KE",
        "Africa/Nairobi",
    )
    days(
        "OpenInfra Day Sweden",
        date(2024, 5, 7),
        date(2024, 5, 7),
        "Gothenburg",
        "SE",
        "Europe/Stockholm",
    )


def titles(response) -> list[str]:
    """Event titles in page order, read from the card headings."""
    import re

    html = response.get_data(as_text=True)
    return re.findall(r'<h[23]><a href="/events/[^"]+">([^<]+)</a>', html)


def test_upcoming_lists_pasadena_and_not_the_october_ptg(client, catalogue):
    response = client.get("/events")
    assert response.status_code == 200
    shown = titles(response)
    assert NA_2025 in shown
    assert "PTG October 2024" not in shown
    assert shown[0] == FOSDEM  # soonest first
    assert len(shown) == 8  # the thirteen, less the five that are over


def test_past_shows_the_october_ptg_newest_first(client, catalogue):
    shown = titles(client.get("/events?past=1"))
    assert shown[0] == "PTG October 2024"
    assert shown[1] == "OpenInfra Summit Asia 2024"
    assert NA_2025 not in shown
    assert shown[-1] == "PTG April 2024"
    assert len(shown) == 5


def test_format_virtual_keeps_april_ptg_and_drops_pasadena(client, catalogue):
    shown = titles(client.get("/events?format=virtual"))
    assert "PTG April 2025" in shown
    assert NA_2025 not in shown
    assert set(shown) == {"PTG April 2025", "PTG October 2025"}


def test_search_pasadena_finds_pasadena_only(client, catalogue):
    assert titles(client.get("/events?q=pasadena")) == [NA_2025]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=PASAD", [NA_2025]),  # word prefix, any case
        ("q=turkiye&past=1", ["OpenInfra Day Türkiye"]),  # accents folded
        ("q=Boğaziçi&past=1", ["OpenInfra Day Türkiye"]),
        ("q=scale 22x", [NA_2025]),  # every word must match
        ("q=scale nairobi", []),
        ("q=kata&format=virtual", ["PTG April 2025", "PTG October 2025"]),  # project names
    ],
)
def test_search(client, catalogue, query, expected):
    assert titles(client.get(f"/events?{query}")) == expected


def test_project_filter(client, catalogue):
    shown = titles(client.get("/events?project=kata-containers"))
    assert shown == ["PTG April 2025", "OpenInfra Summit Europe 2025", "PTG October 2025"]


def test_country_filter_accepts_lower_case(client, catalogue):
    assert titles(client.get("/events?country=se")) == [
        "OpenInfra User Group Sweden 10th anniversary"
    ]
    assert titles(client.get("/events?country=SE&past=1")) == ["OpenInfra Day Sweden"]


def test_date_range_selects_events_overlapping_it(client, catalogue):
    shown = titles(client.get("/events?from=2025-03-07&to=2025-04-07"))
    assert shown == [NA_2025, "PTG April 2025"]  # NA ends on the 7th, the PTG starts on the 7th
    assert titles(client.get("/events?from=2025-03-08&to=2025-04-06")) == []


def test_filters_combine(client, catalogue):
    query = "project=openstack&format=in_person&country=FR&from=2025-01-01&to=2025-12-31&q=summit"
    assert titles(client.get(f"/events?{query}")) == ["OpenInfra Summit Europe 2025"]
    assert titles(client.get("/events?project=zuul&country=US")) == []


def test_drafts_are_never_listed(client, make_event):
    make_event(title="Secret plan", status=EventStatus.DRAFT)
    make_event(title="Called off", status=EventStatus.CANCELLED)
    response = client.get("/events")
    assert titles(response) == ["Called off"]
    assert "Cancelled" in response.get_data(as_text=True)


def test_an_event_is_upcoming_until_its_last_day_ends_in_its_own_zone(client, make_event, travel):
    # Nov 20 in Auckland (UTC+13) ends at 2024-11-20 11:00 UTC; in Honolulu (UTC-10) it ends
    # at 2024-11-21 10:00 UTC.
    make_event(
        title="Auckland",
        starts_on=date(2024, 11, 20),
        ends_on=date(2024, 11, 20),
        timezone="Pacific/Auckland",
    )
    make_event(
        title="Honolulu",
        starts_on=date(2024, 11, 20),
        ends_on=date(2024, 11, 20),
        timezone="Pacific/Honolulu",
    )
    travel(datetime(2024, 11, 20, 10, 59, tzinfo=UTC))
    assert titles(client.get("/events")) == ["Auckland", "Honolulu"]
    travel(datetime(2024, 11, 20, 11, 0, tzinfo=UTC))
    assert titles(client.get("/events")) == ["Honolulu"]
    assert titles(client.get("/events?past=1")) == ["Auckland"]
    travel(datetime(2024, 11, 21, 10, 0, tzinfo=UTC))
    assert titles(client.get("/events")) == []
    assert titles(client.get("/events?past=1")) == ["Honolulu", "Auckland"]


def test_a_timed_event_is_past_once_its_end_time_has_passed(client, make_event, travel):
    make_event(
        title="Webinar",
        starts_on=date(2024, 11, 20),
        ends_on=date(2024, 11, 20),
        start_time=time(9),
        end_time=time(10),
        timezone="America/New_York",
    )
    travel(datetime(2024, 11, 20, 14, 59, tzinfo=UTC))
    assert titles(client.get("/events")) == ["Webinar"]
    travel(datetime(2024, 11, 20, 15, 0, tzinfo=UTC))
    assert titles(client.get("/events")) == []


class TestPagination:
    @pytest.fixture
    def many(self, app, make_event):
        app.config["EVENTS_PER_PAGE"] = 5
        for day in range(1, 13):
            make_event(
                title=f"Day {day:02d}", starts_on=date(2025, 1, day), ends_on=date(2025, 1, day)
            )

    def test_pages_split_the_list_in_order(self, client, many):
        first = client.get("/events")
        assert titles(first) == [f"Day {d:02d}" for d in range(1, 6)]
        assert "12 events · page 1 of 3" in first.get_data(as_text=True)
        assert titles(client.get("/events?page=3")) == ["Day 11", "Day 12"]

    def test_page_links_keep_the_filters(self, client, many):
        html = client.get("/events?q=day&page=2").get_data(as_text=True)
        assert 'href="/events?q=day&amp;page=3"' in html
        assert 'href="/events?q=day&amp;page=1"' in html

    def test_a_page_past_the_end_is_empty_and_says_so(self, client, many):
        response = client.get("/events?page=4")
        assert response.status_code == 200
        assert titles(response) == []
        assert "There is no page 4" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "query",
    [
        "from=garbage",
        "to=2025-02-30",
        "from=2025-03-01&to=2025-02-01",
        "page=-1",
        "page=0",
        "page=abc",
        "page=99999999999999999999",
        "format=zzz",
        "format=<script>",
        "project=Not a Slug!",
        "country=XX",
        "country=%0D%0ASet-Cookie:x=1",
        "q=" + "a" * 5000,
    ],
)
def test_bad_query_input_answers_400_with_the_form(client, query):
    response = client.get(f"/events?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "could not be read" in html
    assert '<form class="filters"' in html
    assert "<script>" not in html


@pytest.mark.parametrize(
    "query",
    ["q=%3Cscript%3Ealert(1)%3C/script%3E", "q=%22%20OR%201=1", "q=a*b:c&(d|e)!", "q=___"],
)
def test_hostile_search_text_is_harmless(client, catalogue, query):
    response = client.get(f"/events?{query}")
    assert response.status_code == 200
    assert "<script>alert" not in response.get_data(as_text=True)


def test_unknown_parameters_are_ignored(client, catalogue):
    response = client.get("/events?utm_source=newsletter&format=")
    assert response.status_code == 200
    assert titles(response) == titles(client.get("/events"))
    assert len(titles(response)) == 8  # every upcoming event: no filter applied


def test_home_shows_upcoming_events(client, catalogue):
    response = client.get("/")
    assert response.status_code == 200
    assert "Upcoming events" in response.get_data(as_text=True)
    assert titles(response)[0] == FOSDEM


def test_home_shows_latest_events_when_nothing_is_upcoming(client, catalogue, travel):
    travel(datetime(2026, 6, 1, tzinfo=UTC))
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert "No events are scheduled right now" in html
    assert titles(response)[0] == "OpenInfra Days China 2025"


def test_format_filter_values_are_the_contract_ones(client, catalogue):
    assert {value.value for value in EventFormat} == {"in_person", "virtual", "hybrid"}
    shown = {value: titles(client.get(f"/events?format={value.value}")) for value in EventFormat}
    assert shown[EventFormat.VIRTUAL] and all(
        "PTG" in title for title in shown[EventFormat.VIRTUAL]
    )
    assert shown[EventFormat.IN_PERSON] and not any(
        "PTG" in t for t in shown[EventFormat.IN_PERSON]
    )


def test_unknown_project_or_eventless_country_gives_an_empty_200(client, catalogue):
    for query in ("project=no-such-project", "country=GB", "project=gone&country=gb"):
        response = client.get(f"/events?{query}")
        assert response.status_code == 200
        assert titles(response) == []
    html = client.get("/events?country=GB").get_data(as_text=True)
    assert '<option selected value="GB">' in html or 'value="GB" selected' in html


def test_no_upcoming_events_says_so_and_offers_past_events_and_the_next_month(
    client, make_event, frozen_now
):
    make_event(title="Old Days", starts_on=date(2023, 5, 1), ends_on=date(2023, 5, 1))
    html = client.get("/events?q=nothing-like-this").get_data(as_text=True)
    assert "No upcoming events match these filters." in html
    assert "clear them" in html and "see the past events that match" in html
    make_event(title="Later Days", starts_on=date(2025, 4, 3), ends_on=date(2025, 4, 3))
    html = client.get("/events?q=nothing-like-this").get_data(as_text=True)
    assert 'The next month with events is <a href="/events/month/2025-04">April 2025</a>' in html


def test_past_events_are_grouped_by_year_with_headings_in_order(client, make_event, frozen_now):
    make_event(title="Days 2023", starts_on=date(2023, 5, 1), ends_on=date(2023, 5, 1))
    make_event(title="Days 2024", starts_on=date(2024, 5, 1), ends_on=date(2024, 5, 1))
    html = client.get("/events?past=1").get_data(as_text=True)
    assert html.index('<h2 id="year-2024">2024</h2>') < html.index("Days 2024")
    assert html.index("Days 2024") < html.index('<h2 id="year-2023">2023</h2>')
    upcoming = client.get("/events").get_data(as_text=True)
    assert "<h3>" not in upcoming.split("<main", 1)[-1]  # h1 then h2: no jump


class TestWithoutThePageCache:
    """The pager's count is counted once per state of the catalogue, and is exact: it follows
    an edit at once and an event that ends at the instant it ends. So is the first start of an
    event not over, from which upcoming lists read."""

    @pytest.fixture
    def settings(self):
        return {"PAGE_CACHE": False}

    @staticmethod
    def count(response) -> str:
        import re

        html = response.get_data(as_text=True)
        return " ".join(re.search(r'class="result-count"[^>]*>(.*?)</p>', html, re.S)[1].split())

    def test_the_count_follows_an_event_that_ends(self, client, make_event, travel):
        make_event(title="Morning", starts_on=date(2024, 11, 20), ends_on=date(2024, 11, 20),
                   start_time=time(13), end_time=time(14))  # fmt: skip
        make_event(title="Later", starts_on=date(2024, 12, 2), ends_on=date(2024, 12, 2))
        assert self.count(client.get("/events")) == "2 events"
        assert self.count(client.get("/events?page=2")) == "2 events"
        assert self.count(client.get("/events?past=1")) == "No past events."
        travel(datetime(2024, 11, 20, 13, 59, tzinfo=UTC))
        assert self.count(client.get("/events?page=3")) == "2 events"
        travel(datetime(2024, 11, 20, 14, 0, tzinfo=UTC))
        assert self.count(client.get("/events")) == "1 event"
        assert self.count(client.get("/events?past=1")) == "1 event"

    def test_the_count_follows_an_edit_at_once(self, client, make_event):
        make_event(title="First", country="DE")
        assert self.count(client.get("/events?country=DE")) == "1 event"
        second = make_event(title="Second", country="DE")
        assert self.count(client.get("/events?country=DE")) == "2 events"
        second.country = "FR"
        from portal.extensions import db

        db.session.commit()
        assert self.count(client.get("/events?country=DE")) == "1 event"
        assert self.count(client.get("/events?country=FR")) == "1 event"

    def test_pages_of_a_list_count_it_once(self, client, make_event, count_queries):
        for day in range(1, 4):
            make_event(starts_on=date(2025, 1, day), ends_on=date(2025, 1, day))
        client.get("/events?q=event")
        with count_queries() as counted:
            assert client.get("/events?q=event&page=2").status_code == 200
        assert not [s for s in counted.statements if "count(" in s.lower()], counted.statements

    def test_an_event_under_way_for_months_stays_first_until_it_ends(self, client, make_event,
                                                                     travel):  # fmt: skip
        make_event(title="Year long", starts_on=date(2024, 1, 1), ends_on=date(2024, 12, 31))
        make_event(title="Today", starts_on=date(2024, 11, 20), ends_on=date(2024, 11, 20))
        make_event(title="February", starts_on=date(2025, 2, 1), ends_on=date(2025, 2, 1))
        assert titles(client.get("/events")) == ["Year long", "Today", "February"]
        travel(datetime(2024, 11, 21, tzinfo=UTC))
        assert titles(client.get("/events")) == ["Year long", "February"]
        travel(datetime(2025, 1, 1, tzinfo=UTC))
        assert titles(client.get("/events")) == ["February"]
        assert titles(client.get("/")) == ["February"]
