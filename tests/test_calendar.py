"""Calendar export: single-event files and the subscribable feed, read back by two parsers."""

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo

import icalendar
import pytest
import sample
import vobject
from sqlalchemy import select

from portal import create_app
from portal.core import version
from portal.events.models import Event, EventFormat, EventKind, EventStatus, LinkKind, LinkState
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("frozen_now")  # 2024-11-20

NA = "openinfra-days-north-america-2025"
LA = ZoneInfo("America/Los_Angeles")
PTG_PROJECTS = ("openstack", "kata-containers", "starlingx", "zuul")


@pytest.fixture
def projects(make_project):
    """The projects, under the names calendars show as categories."""
    for slug, name in [
        ("openinfra", "OpenInfra"),
        ("openstack", "OpenStack"),
        ("kata-containers", "Kata Containers"),
        ("starlingx", "StarlingX"),
        ("zuul", "Zuul"),
    ]:
        make_project(slug, name)


@pytest.fixture
def north_america(projects, make_event):
    """OpenInfra Days North America 2025: all day on March 6 and 7 in Pasadena, Pacific time;
    registration open, the schedule coming soon, and a contact address."""
    return make_event(
        **sample.north_america(
            "summary",
            "description",
            "venue",
            "street",
            "colocated_name",
            "colocated_starts_on",
            "colocated_ends_on",
            "colocated_url",
            projects=("openinfra", "openstack"),
            links=(sample.REGISTER, sample.SCHEDULE_SOON),
        )
    )


@pytest.fixture
def make_ptg(projects, make_event):
    """A Project Teams Gathering: a week online, all day in UTC, for four projects."""

    def make(slug: str, first: date, last: date, **fields) -> Event:
        values = dict(
            slug=slug,
            title=slug.replace("-", " ").title().replace("Ptg", "PTG"),
            kind=EventKind.PTG,
            format=EventFormat.VIRTUAL,
            starts_on=first,
            ends_on=last,
            timezone="UTC",
            city=None,
            country=None,
            projects=PTG_PROJECTS,
        )
        return make_event(**{**values, **fields})

    return make


@pytest.fixture
def catalogue(north_america, make_ptg, make_event):
    """Ten events from April 2024 to October 2025 (four of them virtual PTGs, in UTC), in
    Sweden, Korea, Belgium, the US and France, for the feed's filters to choose from."""
    every = ("openinfra", *PTG_PROJECTS)

    def days(slug, first, last, city, country, zone, **fields):
        return make_event(
            slug=slug,
            starts_on=first,
            ends_on=last,
            city=city,
            country=country,
            timezone=zone,
            projects=fields.pop("projects", ("openinfra", "openstack")),
            **fields,
        )

    make_ptg("ptg-october-2025", date(2025, 10, 27), date(2025, 10, 31))
    make_ptg("ptg-april-2024", date(2024, 4, 8), date(2024, 4, 12))
    days(
        "openinfra-summit-europe-2025",
        date(2025, 10, 17),
        date(2025, 10, 19),
        "Palaiseau",
        "FR",
        "Europe/Paris",
        kind=EventKind.SUMMIT,
        projects=every,
    )
    days(
        "openinfra-day-sweden-2024",
        date(2024, 5, 7),
        date(2024, 5, 7),
        "Gothenburg",
        "SE",
        "Europe/Stockholm",
    )
    make_ptg("ptg-april-2025", date(2025, 4, 7), date(2025, 4, 11))
    days(
        "openinfra-summit-asia-2024",
        date(2024, 9, 3),
        date(2024, 9, 4),
        "Suwon",
        "KR",
        "Asia/Seoul",
        kind=EventKind.SUMMIT,
        projects=every,
    )
    make_ptg("ptg-october-2024", date(2024, 10, 21), date(2024, 10, 25))
    days(
        "openstack-15th-birthday-fosdem-2025",
        date(2025, 2, 1),
        date(2025, 2, 1),
        "Brussels",
        "BE",
        "Europe/Brussels",
        kind=EventKind.COMMUNITY_EVENT,
        projects=("openstack",),
    )
    days(
        "openinfra-user-group-sweden-10th-anniversary",
        date(2025, 5, 22),
        date(2025, 5, 22),
        "Stockholm",
        "SE",
        "Europe/Stockholm",
        kind=EventKind.MEETUP,
    )


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.data
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.data)


def vevents(response) -> dict[str, icalendar.Event]:
    return {str(e["URL"]).rsplit("/", 1)[1]: e for e in parse(response).walk("VEVENT")}


def other_parser(response):
    """vobject, an independent implementation, must read the same file."""
    return vobject.readOne(response.get_data(as_text=True))


def fetch(client, path, **headers):
    return client.get(path, headers=headers)


def test_event_file_of_north_america_covers_march_6_and_7_in_pasadena(client, north_america):
    response = client.get(f"/events/{NA}.ics")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{NA}.ics"'
    (event,) = parse(response).walk("VEVENT")
    assert event.start == date(2025, 3, 6)
    assert event.end == date(2025, 3, 8)  # DTEND;VALUE=DATE is exclusive
    assert b"DTEND;VALUE=DATE:20250308" in response.data
    assert "Pasadena" in str(event["LOCATION"])
    assert str(event["URL"]) == f"http://portal.test/events/{NA}"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "register.socallinuxexpo.org/reg6/" in str(event["DESCRIPTION"])
    assert "Schedule coming soon" in str(event["DESCRIPTION"])
    assert {"OpenInfra", "OpenStack", "OpenInfra Days"} <= set(event.categories)
    assert "ORGANIZER" not in event and "ATTENDEE" not in event
    again = other_parser(response).vevent
    assert again.dtstart.value == date(2025, 3, 6)
    assert again.dtend.value == date(2025, 3, 8)
    assert again.location.value == str(event["LOCATION"])


def test_event_crossing_dst_keeps_its_local_hours(client, make_event):
    made = make_event(
        starts_on=date(2025, 3, 8),
        ends_on=date(2025, 3, 10),
        start_time=time(9),
        end_time=time(17),
        timezone="America/Los_Angeles",
    )
    response = client.get(f"/events/{made.slug}.ics")
    calendar = parse(response)
    (event,) = calendar.walk("VEVENT")
    assert event.start.astimezone(UTC) == datetime(2025, 3, 8, 17, tzinfo=UTC)  # 9:00 PST
    assert event.end.astimezone(UTC) == datetime(2025, 3, 11, 0, tzinfo=UTC)  # 17:00 PDT
    assert b"DTSTART;TZID=America/Los_Angeles:20250308T090000" in response.data
    assert [tz.tz_name for tz in calendar.timezones] == ["America/Los_Angeles"]
    again = other_parser(response).vevent
    assert again.dtstart.value.astimezone(UTC) == datetime(2025, 3, 8, 17, tzinfo=UTC)
    assert again.dtend.value.astimezone(UTC) == datetime(2025, 3, 11, 0, tzinfo=UTC)


def test_time_zones_are_bounded_to_the_events_span(client, make_event):
    made = make_event(
        starts_on=date(2025, 3, 8),
        ends_on=date(2025, 3, 8),
        start_time=time(9),
        end_time=time(10),
        timezone="Europe/Berlin",
    )
    calendar = parse(client.get(f"/events/{made.slug}.ics"))
    (zone,) = calendar.timezones
    starts = [sub.DTSTART.year for sub in zone.subcomponents]
    assert starts and min(starts) >= 2024 and max(starts) <= 2026


def test_virtual_ptg_is_in_utc(client, make_ptg, make_event):
    make_ptg("ptg-april-2025", date(2025, 4, 7), date(2025, 4, 11))
    (event,) = parse(client.get("/events/ptg-april-2025.ics")).walk("VEVENT")
    assert (event.start, event.end) == (date(2025, 4, 7), date(2025, 4, 12))
    assert str(event["LOCATION"]) == "Online"
    timed = make_event(
        format=EventFormat.VIRTUAL,
        starts_on=date(2025, 4, 7),
        ends_on=date(2025, 4, 7),
        start_time=time(13),
        end_time=time(15),
        timezone="UTC",
    )
    response = client.get(f"/events/{timed.slug}.ics")
    calendar = parse(response)
    assert b"DTSTART:20250407T130000Z" in response.data
    assert calendar.timezones == []


def test_changing_the_start_raises_sequence_and_last_modified_and_keeps_the_uid(
    client, north_america, travel
):
    before = vevents(client.get("/events.ics"))[NA]
    event = db.session.scalar(select(Event).where(Event.slug == NA))
    travel(datetime(2024, 11, 21, 9, tzinfo=UTC))
    event.starts_on = date(2025, 3, 5)
    db.session.commit()
    after = vevents(client.get("/events.ics"))[NA]
    assert str(after["UID"]) == str(before["UID"]) == event.uid
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert after["LAST-MODIFIED"].dt == datetime(2024, 11, 21, 9, tzinfo=UTC)
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt
    assert after.start == date(2025, 3, 5)


def test_a_minor_edit_moves_last_modified_but_not_sequence(client, north_america, travel):
    before = vevents(client.get("/events.ics"))[NA]
    event = db.session.scalar(select(Event).where(Event.slug == NA))
    travel(datetime(2024, 11, 22, tzinfo=UTC))
    event.summary = "A new summary, with commas; and semicolons."
    db.session.commit()
    after = vevents(client.get("/events.ics"))[NA]
    assert after["SEQUENCE"] == before["SEQUENCE"]
    assert after["LAST-MODIFIED"].dt > before["LAST-MODIFIED"].dt
    assert str(after["DESCRIPTION"]).startswith("A new summary, with commas; and semicolons.")


def test_cancelling_keeps_the_event_with_status_cancelled(client, north_america):
    event = db.session.scalar(select(Event).where(Event.slug == NA))
    sequence = event.sequence
    event.status = EventStatus.CANCELLED
    db.session.commit()
    cancelled = vevents(client.get("/events.ics"))[NA]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert str(cancelled["SUMMARY"]) == "Cancelled: OpenInfra Days North America 2025"
    assert cancelled["SEQUENCE"] == sequence + 1
    assert other_parser(client.get(f"/events/{NA}.ics")).vevent.status.value == "CANCELLED"


def test_the_feed_holds_upcoming_events_and_those_that_ended_in_the_last_year(
    client, north_america, make_ptg, make_event
):
    # Today is 2024-11-20: the feed keeps what ended in the 365 days before midnight (UTC),
    # after 2023-11-21 00:00 UTC.
    make_event(
        slug="openinfra-days-china-2025", starts_on=date(2025, 11, 15), ends_on=date(2025, 11, 15)
    )
    make_ptg("ptg-october-2024", date(2024, 10, 21), date(2024, 10, 25))
    make_ptg("ptg-april-2024", date(2024, 4, 8), date(2024, 4, 12))
    make_event(slug="ended-364-days-ago", starts_on=date(2023, 11, 21), ends_on=date(2023, 11, 21))
    make_event(slug="ended-365-days-ago", starts_on=date(2023, 11, 20), ends_on=date(2023, 11, 20))
    make_event(slug="long-ago", starts_on=date(2023, 11, 1), ends_on=date(2023, 11, 1))
    make_event(slug="draft", status=EventStatus.DRAFT)
    shown = set(vevents(client.get("/events.ics")))
    assert shown == {
        NA,
        "openinfra-days-china-2025",
        "ptg-october-2024",
        "ptg-april-2024",
        "ended-364-days-ago",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "project=kata-containers",
            {
                "ptg-april-2024",
                "openinfra-summit-asia-2024",
                "ptg-october-2024",
                "ptg-april-2025",
                "openinfra-summit-europe-2025",
                "ptg-october-2025",
            },
        ),
        ("format=virtual&from=2025-01-01", {"ptg-april-2025", "ptg-october-2025"}),
        ("q=pasadena", {NA}),
        (
            "country=SE",
            {"openinfra-day-sweden-2024", "openinfra-user-group-sweden-10th-anniversary"},
        ),
        ("from=2025-03-07&to=2025-04-07", {NA, "ptg-april-2025"}),
    ],
)
def test_each_filter_yields_its_subset(client, catalogue, query, expected):
    assert set(vevents(client.get(f"/events.ics?{query}"))) == expected


def test_calendar_properties(client, catalogue):
    response = client.get("/events.ics?project=kata-containers&format=virtual")
    calendar = parse(response)
    name = "OpenInfra Foundation events: Kata Containers · virtual"
    # The words the portal chooses need no TEXT escaping (issue 17): a reader that does not
    # unescape NAME (icalendar's, which does not know its type) shows what vobject shows.
    again = other_parser(response)
    assert again.contents["name"][0].value == again.contents["x-wr-calname"][0].value == name
    assert "NAME:" + name + "\r\n" in response.data.decode()
    assert str(calendar["X-WR-CALNAME"]) == name
    assert str(calendar["X-WR-TIMEZONE"]) == "UTC"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in response.data
    assert b"X-PUBLISHED-TTL:PT6H\r\n" in response.data
    assert str(calendar["PRODID"]) == "-//OpenInfra Foundation//Events portal//EN"
    assert "METHOD" not in calendar  # not an iTIP message: see calendar()
    mixed = parse(client.get("/events.ics"))
    assert "X-WR-TIMEZONE" not in mixed  # no zone holds more than half of all events


def test_text_survives_a_round_trip(client, make_event):
    title = 'Réunion; Köln, Zürich & 東京 — "quotes", back\\slash'
    summary = "Long text, with commas; and semicolons. " * 12  # 480 characters
    made = make_event(
        title=title,
        summary=summary.strip(),
        venue="Hall 3, Level 2; East",
        city="Zürich",
        country="CH",
    )
    response = client.get(f"/events/{made.slug}.ics")
    (event,) = parse(response).walk("VEVENT")
    assert str(event["SUMMARY"]) == title
    assert str(event["DESCRIPTION"]).startswith(summary.strip())
    assert str(event["LOCATION"]) == "Hall 3, Level 2; East, Zürich, Switzerland"
    again = other_parser(response).vevent
    assert again.summary.value == title
    assert again.location.value == "Hall 3, Level 2; East, Zürich, Switzerland"


def test_every_line_is_at_most_75_octets_and_ends_in_crlf(client, north_america, make_event):
    long = make_event(
        title="Ünïcödé " * 24,
        summary="日本語のテキスト" * 60,
        starts_on=date(2025, 2, 1),
        ends_on=date(2025, 2, 1),
    )
    for path in ("/events.ics", f"/events/{NA}.ics", f"/events/{long.slug}.ics"):
        data = client.get(path).data
        assert data.endswith(b"\r\n")
        lines = data.split(b"\r\n")[:-1]
        assert all(len(line) <= 75 for line in lines)
        assert all(b"\n" not in line and b"\r" not in line for line in lines)
        data.decode("utf-8")  # folding never splits a character


def test_conditional_get_with_the_quoted_etag_answers_304(client, north_america):
    first = client.get("/events.ics")
    etag = first.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert first.headers["Cache-Control"] == "public, max-age=900"
    again = fetch(client, "/events.ics", **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    since = fetch(client, "/events.ics", **{"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304
    assert fetch(client, "/events.ics", **{"If-None-Match": '"other"'}).status_code == 200
    single = client.get(f"/events/{NA}.ics")
    assert (
        fetch(client, f"/events/{NA}.ics", **{"If-None-Match": single.headers["ETag"]}).status_code
        == 304
    )


def test_a_change_gives_a_new_etag(client, north_america):
    etag = client.get("/events.ics").headers["ETag"]
    event = db.session.scalar(select(Event).where(Event.slug == NA))
    event.city = "Los Angeles"
    db.session.commit()
    changed = fetch(client, "/events.ics", **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert b"Los Angeles" in changed.data


def test_the_feed_is_rendered_once_per_change(client, make_ptg, count_queries):
    make_ptg("ptg-april-2025", date(2025, 4, 7), date(2025, 4, 11))
    client.get("/events.ics?format=virtual")
    with count_queries() as cached:
        assert client.get("/events.ics?format=virtual").status_code == 200
    assert cached.total == 0  # served from memory: not even the version is read again
    event = db.session.scalar(select(Event).where(Event.slug == "ptg-april-2025"))
    event.title = "PTG April 2025 (moved)"
    db.session.commit()
    assert b"PTG April 2025 (moved)" in client.get("/events.ics?format=virtual").data


def test_a_change_made_by_another_process_is_seen_once_the_version_is_read_again(
    app, client, north_america, tmp_path
):
    memo = version.memo()
    memo.ttl = 3600
    client.get("/events.ics")  # this process has the feed and the version in memory now
    other = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "TESTING": True,
            "SECRET_KEY": "x" * 32,
        },
        instance_path=str(tmp_path / "other"),
    )
    with other.app_context():
        event = db.session.scalar(select(Event).where(Event.slug == NA))
        event.status = EventStatus.POSTPONED
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    assert str(vevents(client.get("/events.ics"))[NA]["STATUS"]) == "CONFIRMED"
    memo.ttl = 0  # what CALENDAR_VERSION_TTL seconds later brings
    assert str(vevents(client.get("/events.ics"))[NA]["STATUS"]) == "TENTATIVE"


def test_bad_filters_answer_400_in_plain_text(client):
    for query in ("format=zzz", "from=garbage", "q=" + "x" * 5000, "country=%0D%0AXX"):
        response = client.get(f"/events.ics?{query}")
        assert response.status_code == 400
        assert response.headers["Content-Type"].startswith("text/plain")


def test_hostile_text_in_filters_cannot_break_the_calendar(client, north_america):
    response = client.get("/events.ics?q=pasadena%0D%0AX-EVIL:1%0Aend&country=%20us%0D%0A")
    parse(response)
    again = other_parser(response)
    assert again.contents["name"][0].value == (
        "OpenInfra Foundation events: in United States · matching “pasadena x evil 1 end”"
    )
    assert b"\r\nX-EVIL" not in response.data and b"\r\nX-EVIL" not in response.data


def test_unknown_and_draft_events_have_no_file(client, make_event):
    draft = make_event(status=EventStatus.DRAFT)
    assert client.get(f"/events/{draft.slug}.ics").status_code == 404
    assert client.get("/events/nothing-here.ics").status_code == 404


def test_geo_when_coordinates_are_known(client, north_america):
    (event,) = parse(client.get(f"/events/{NA}.ics")).walk("VEVENT")
    assert (event["GEO"].latitude, event["GEO"].longitude) == (34.1444, -118.1443)


def test_link_states_in_the_description_do_not_depend_on_the_day(client, make_event):
    made = make_event(
        links=(
            (LinkKind.REGISTER, LinkState.SOLD_OUT, "https://example.org/r"),
            (LinkKind.CFP, LinkState.COMING_SOON, None),
        )
    )
    (event,) = parse(client.get(f"/events/{made.slug}.ics")).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert "Register sold out" in description
    assert "Call for papers coming soon" in description
    assert f"Details: http://portal.test/events/{made.slug}" in description


class TestPageLinks:
    def test_event_page_offers_ics_google_and_outlook(self, client, north_america):
        html = client.get(f"/events/{NA}").get_data(as_text=True)
        assert f'href="/events/{NA}.ics"' in html
        google = _href(html, "https://calendar.google.com/calendar/render")
        params = parse_qs(urlsplit(google).query)
        assert params["dates"] == ["20250306/20250308"]
        assert params["ctz"] == ["America/Los_Angeles"]
        assert params["text"] == ["OpenInfra Days North America 2025"]
        outlook = parse_qs(urlsplit(_href(html, "https://outlook.live.com/")).query)
        assert (outlook["startdt"], outlook["enddt"], outlook["allday"]) == (
            ["2025-03-06"],
            ["2025-03-08"],
            ["true"],
        )

    def test_google_link_of_a_timed_event_is_in_utc(self, client, make_event):
        made = make_event(
            starts_on=date(2025, 3, 6),
            ends_on=date(2025, 3, 6),
            start_time=time(9),
            end_time=time(17),
            timezone="America/Los_Angeles",
        )
        html = client.get(f"/events/{made.slug}").get_data(as_text=True)
        params = parse_qs(urlsplit(_href(html, "https://calendar.google.com/")).query)
        assert params["dates"] == ["20250306T170000Z/20250307T010000Z"]

    def test_list_offers_webcal_and_google_subscribe_with_the_filters(self, client, catalogue):
        html = client.get("/events?project=kata-containers&page=1").get_data(as_text=True)
        assert 'href="webcal://portal.test/events.ics?project=kata-containers"' in html
        cid = parse_qs(urlsplit(_href(html, "https://calendar.google.com/calendar/r?")).query)[
            "cid"
        ]
        assert unquote(cid[0]) == "webcal://portal.test/events.ics?project=kata-containers"


def _href(html: str, prefix: str) -> str:
    import html as html_lib
    import re

    found = re.search(r'href="(' + re.escape(prefix) + r'[^"]*)"', html)
    assert found, prefix
    return html_lib.unescape(found.group(1))


def test_feed_timestamps_are_stable_between_fetches(client, catalogue, travel):
    first = client.get("/events.ics").data
    travel(datetime(2024, 11, 20, 18, tzinfo=UTC) + timedelta(minutes=1))
    from portal.core.pages import stores

    stores().clear()  # render again from scratch: same bytes
    assert client.get("/events.ics").data == first


REDIS_URL = __import__("os").environ.get("PORTAL_TEST_REDIS_URL")


@pytest.mark.redis
class TestSharedCache:
    @pytest.fixture
    def settings(self):
        return {"CACHE_REDIS_URL": REDIS_URL}

    @pytest.fixture(autouse=True)
    def clean_redis(self):
        import redis

        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter("portal:feed:*"):
            store.delete(key)
        yield store
        for key in store.scan_iter("portal:feed:*"):
            store.delete(key)

    def other_process(self, app, tmp_path):
        return create_app(
            {**app.config, "SERVER_NAME": "portal.test"}, instance_path=str(tmp_path / "b")
        )

    def test_a_feed_rendered_by_one_process_is_served_by_another(
        self, app, client, make_ptg, tmp_path, count_queries
    ):
        make_ptg("ptg-april-2025", date(2025, 4, 7), date(2025, 4, 11))
        first = client.get("/events.ics?format=virtual")
        other = self.other_process(app, tmp_path)
        with other.app_context():
            with count_queries() as counted:
                second = other.test_client().get("/events.ics?format=virtual")
            assert second.data == first.data
            assert second.headers["ETag"] == first.headers["ETag"]
            assert counted.total == 1  # the catalogue version; rendering would take several
            db.session.remove()
            db.engine.dispose()

    def test_redis_down_still_serves_the_feed(self, app, north_america, tmp_path):
        broken = create_app(
            {**app.config, "CACHE_REDIS_URL": "redis://127.0.0.1:9/0"},
            instance_path=str(tmp_path / "c"),
        )
        with broken.app_context():
            response = broken.test_client().get("/events.ics")
            assert response.status_code == 200
            assert b"BEGIN:VEVENT" in response.data
            db.session.remove()
            db.engine.dispose()


def test_a_subscription_survives_its_project_being_retired(client, catalogue):
    from portal.events.models import Project

    assert len(vevents(client.get("/events.ics?project=zuul"))) > 0
    project = db.session.scalar(select(Project).where(Project.slug == "zuul"))
    project.retired_at = datetime(2024, 11, 20, tzinfo=UTC).replace(tzinfo=None)
    db.session.commit()
    response = client.get("/events.ics?project=zuul")
    assert response.status_code == 200
    assert len(vevents(response)) > 0  # its events keep the project


def test_the_feed_cache_is_bounded_by_bytes():
    from portal.core.pages import Cached, Store

    cache = Store(max_bytes=1000)
    for number in range(30):
        cache.set(f"k{number}", Cached.of(b"x" * 100))
    assert cache.size_in_bytes <= 1000
    assert cache.get("k29") is not None and cache.get("k0") is None
    cache.set("huge", Cached.of(b"x" * 5000))
    assert cache.get("huge") is None  # larger than the whole cache: not kept


def test_a_link_to_a_page_of_this_site_is_written_whole(client, make_event):
    made = make_event(links=((LinkKind.SPONSOR, LinkState.OPEN, "/events/event-1/sponsor"),))
    (event,) = parse(client.get(f"/events/{made.slug}.ics")).walk("VEVENT")
    assert "Sponsor: http://portal.test/events/event-1/sponsor" in str(event["DESCRIPTION"])


def test_public_calendar_responses_do_not_vary_by_cookie(client, north_america):
    for path in ("/events.ics", f"/events/{NA}.ics"):
        response = client.get(path)
        assert "Cookie" not in response.headers.get("Vary", ""), path
    assert "Cookie" in client.get("/staff/login").headers.get("Vary", "")


def test_a_rendered_feed_is_answered_before_the_other_request_hooks(app, client, make_ptg):
    from portal.core.pages import serve_from_cache

    make_ptg("ptg-april-2025", date(2025, 4, 7), date(2025, 4, 11))
    assert app.before_request_funcs[None][0] is serve_from_cache
    first = client.get("/events.ics?format=virtual")
    again = client.get(
        "/events.ics?format=virtual", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status_code == 304
    assert again.headers["Content-Security-Policy"]  # after-request hooks still run
    assert client.get("/events.ics?format=zzz").status_code == 400  # never cached: checked
