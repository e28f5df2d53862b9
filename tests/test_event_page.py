"""The event page: what a reader sees, its structured data, and pages that do not exist."""

import json
import re
from datetime import UTC, date, datetime, time

import pytest
import sample

from portal.core import i18n
from portal.events.models import EventFormat, EventKind, EventStatus, LinkKind, LinkState
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("frozen_now")  # 2024-11-20

NA = "openinfra-days-north-america-2025"


@pytest.fixture
def north_america(make_project, make_event):
    """OpenInfra Days North America 2025: all day on March 6 and 7 at the Pasadena Convention
    Center, co-located with SCaLE 22x (March 6-9); registration and sponsorship open, the
    schedule coming soon."""
    make_project("openstack", "OpenStack")
    return make_event(
        **sample.north_america(
            "summary",
            "description",
            "colocated_url",
            projects=("openstack",),
            links=(sample.REGISTER, sample.SPONSOR, sample.SCHEDULE_SOON),
        )
    )


def json_ld(response) -> dict:
    html = response.get_data(as_text=True)
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def meta(response, prop: str) -> str:
    html = response.get_data(as_text=True)
    return re.search(rf'<meta property="{prop}" content="([^"]*)">', html).group(1)


def test_north_america_page_reads_right(client, north_america):
    response = client.get("/events/openinfra-days-north-america-2025")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Thu, Mar 6\u2009–\u2009Fri, Mar 7, 2025" in html
    assert "All day" in html and "All day, PST" not in html  # all-day: no zone to name
    assert "Pasadena, CA, United States" in html
    assert "openstreetmap.org/?mlat=34.14440&amp;mlon=-118.14430" in html
    assert "SCaLE 22x" in html and "(Mar 6\u2009–\u20099, 2025)" in html
    assert 'href="https://register.socallinuxexpo.org/reg6/"' in html
    assert 'href="https://openinfra.dev/events/sponsorship"' in html
    assert "Schedule coming soon" in html
    assert 'href="mailto:events@openinfra.dev"' in html
    assert 'href="/events?project=openstack"' in html


def test_north_america_json_ld(client, north_america):
    data = json_ld(client.get("/events/openinfra-days-north-america-2025"))
    assert data["@type"] == "Event"
    assert data["name"] == "OpenInfra Days North America 2025"
    assert data["startDate"] == "2025-03-06"
    assert data["endDate"] == "2025-03-07"
    assert data["eventStatus"] == "https://schema.org/EventScheduled"
    assert data["eventAttendanceMode"] == "https://schema.org/OfflineEventAttendanceMode"
    location = data["location"]
    assert location["@type"] == "Place"
    assert location["name"] == "Pasadena Convention Center"
    assert location["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "300 E Green St",
        "addressLocality": "Pasadena",
        "addressRegion": "CA",
        "addressCountry": "US",
    }
    assert location["geo"]["latitude"] == pytest.approx(34.1444)
    assert data["organizer"] == {
        "@type": "Organization",
        "name": "OpenInfra Foundation",
        "url": "https://openinfra.dev",
    }
    assert data["url"] == "http://portal.test/events/openinfra-days-north-america-2025"
    assert data["offers"]["url"] == "https://register.socallinuxexpo.org/reg6/"


def test_open_graph_tags(client, north_america):
    response = client.get("/events/openinfra-days-north-america-2025")
    assert meta(response, "og:title") == "OpenInfra Days North America 2025"
    assert meta(response, "og:url") == "http://portal.test/events/openinfra-days-north-america-2025"
    assert meta(response, "og:type") == "website"
    assert meta(response, "og:locale") == "en_US"


def test_open_graph_names_the_other_languages_in_its_own_form():
    """og:locale is language_TERRITORY (Open Graph's form, not Babel's `zh_Hans`)."""
    assert [i18n.og_locale(language) for language in i18n.PLANNED] == [
        "en_US",
        "de_DE",
        "es_ES",
        "fr_FR",
        "id_ID",
        "pt_BR",
        "tr_TR",
        "vi_VN",
        "ja_JP",
        "ko_KR",
        "zh_CN",
    ]


def test_open_graph_lists_each_offered_language_but_the_page_own(client, north_america):
    html = client.get("/events/openinfra-days-north-america-2025").get_data(as_text=True)
    found = re.findall(r'<meta property="og:locale:alternate" content="([^"]*)">', html)
    assert found == [i18n.og_locale(language) for language in i18n.TRANSLATED]
    assert len(found) >= 7


@pytest.mark.parametrize("settings", [{"BASE_URL": "https://events.example.org/"}])
def test_base_url_is_used_for_absolute_addresses(client, north_america):
    data = json_ld(client.get("/events/openinfra-days-north-america-2025"))
    assert data["url"] == "https://events.example.org/events/openinfra-days-north-america-2025"


def test_virtual_event_is_in_utc_with_a_virtual_location(client, make_event):
    ptg = make_event(
        kind=EventKind.PTG,
        format=EventFormat.VIRTUAL,
        starts_on=date(2025, 4, 7),
        ends_on=date(2025, 4, 11),
        timezone="UTC",
        city=None,
        country=None,
    )
    response = client.get(f"/events/{ptg.slug}")
    html = response.get_data(as_text=True)
    assert "Mon, Apr 7\u2009–\u2009Fri, Apr 11, 2025" in html
    assert "All day" in html and "UTC (UTC)" not in html
    assert "Online" in html
    assert "openstreetmap" not in html
    data = json_ld(response)
    assert data["eventAttendanceMode"] == "https://schema.org/OnlineEventAttendanceMode"
    assert data["location"]["@type"] == "VirtualLocation"


def test_hybrid_event_has_both_locations(client, make_event):
    event = make_event(format=EventFormat.HYBRID, city="Tokyo", country="JP")
    data = json_ld(client.get(f"/events/{event.slug}"))
    assert [place["@type"] for place in data["location"]] == ["Place", "VirtualLocation"]
    assert data["eventAttendanceMode"] == "https://schema.org/MixedEventAttendanceMode"


def test_timed_event_crossing_dst_keeps_its_local_hours(client, make_event):
    # US daylight saving time starts on 2025-03-09 at 2:00.
    event = make_event(
        starts_on=date(2025, 3, 8),
        ends_on=date(2025, 3, 10),
        start_time=time(9),
        end_time=time(17),
        timezone="America/Los_Angeles",
    )
    response = client.get(f"/events/{event.slug}")
    html = response.get_data(as_text=True)
    assert "Sat, Mar 8\u2009–\u2009Mon, Mar 10, 2025" in html
    # Each time is a <time> of its instant (test_local_times.py); the text is the same.
    assert "9:00\u202fAM PST – 5:00\u202fPM PDT (America/Los_Angeles)" in re.sub(
        "<[^>]+>", "", html
    )
    data = json_ld(response)
    assert data["startDate"] == "2025-03-08T09:00:00-08:00"
    assert data["endDate"] == "2025-03-10T17:00:00-07:00"


def test_multi_day_event_is_shown_in_its_own_zone(client, make_event):
    event = make_event(
        starts_on=date(2024, 9, 3),
        ends_on=date(2024, 9, 4),
        start_time=time(9, 30),
        end_time=time(18),
        timezone="Asia/Seoul",
    )
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Tue, Sep 3\u2009–\u2009Wed, Sep 4, 2024" in html
    assert "9:30\u202fAM – 6:00\u202fPM KST (Asia/Seoul)" in re.sub("<[^>]+>", "", html)


def test_zone_without_letters_reads_as_utc_offset(client, make_event):
    # Istanbul's zone has no abbreviation of its own, only "+03".
    istanbul = make_event(
        starts_on=date(2024, 5, 20),
        ends_on=date(2024, 5, 20),
        timezone="Europe/Istanbul",
        city="Istanbul",
        country="TR",
    )
    html = client.get(f"/events/{istanbul.slug}").get_data(as_text=True)
    assert "All day" in html and "(Europe/Istanbul)" not in html


def test_cancelled_and_postponed_events_say_so(client, make_event):
    cancelled = make_event(status=EventStatus.CANCELLED)
    response = client.get(f"/events/{cancelled.slug}")
    assert "This event has been cancelled." in response.get_data(as_text=True)
    assert json_ld(response)["eventStatus"] == "https://schema.org/EventCancelled"
    postponed = make_event(status=EventStatus.POSTPONED)
    assert json_ld(client.get(f"/events/{postponed.slug}"))["eventStatus"] == (
        "https://schema.org/EventPostponed"
    )


def test_link_states_read_as_words(client, make_event):
    event = make_event(
        links=(
            (LinkKind.REGISTER, LinkState.OPEN, "https://example.org/register"),
            (LinkKind.SPONSOR, LinkState.SOLD_OUT, "https://example.org/sponsor"),
            (LinkKind.CFP, LinkState.CLOSED, None),
        )
    )
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert '<a class="button" href="https://example.org/register"' in html
    assert "Sponsorship sold out" in html
    assert "https://example.org/sponsor" not in html  # a sold-out link is not offered
    assert "Call for papers closed" in html


def test_cfp_deadline_is_shown_in_the_event_zone_and_closes_it(client, make_event, travel):
    summit = make_event(
        kind=EventKind.SUMMIT,
        starts_on=date(2025, 10, 17),
        ends_on=date(2025, 10, 19),
        timezone="Europe/Paris",
        city="Palaiseau",
        country="FR",
        links=((LinkKind.CFP, LinkState.OPEN, None), (LinkKind.SPONSOR, LinkState.OPEN, None)),
    )
    # Both deadlines were announced as 23:59 PT: on June 13 (06:59 UTC on June 14) and on
    # September 26 (06:59 UTC on September 27).
    summit.link(LinkKind.CFP).deadline = datetime(2025, 6, 14, 6, 59)
    summit.link(LinkKind.SPONSOR).deadline = datetime(2025, 9, 27, 6, 59)
    db.session.commit()
    html = client.get(f"/events/{summit.slug}").get_data(as_text=True)
    # 23:59 PT on June 13 is 08:59 on June 14 in Paris, where the summit is.
    assert (
        'Call for papers (closes Jun 14 at <time datetime="2025-06-14T08:59:00+02:00">'
        "8:59\u202fAM CEST</time>)"
    ) in html
    travel(datetime(2025, 6, 14, 7, 0, tzinfo=UTC))
    html = client.get(f"/events/{summit.slug}").get_data(as_text=True)
    assert "Call for papers closed" in html
    assert "Sponsor (closes Sep 27 at " in html
    assert '<time datetime="2025-09-27T08:59:00+02:00">8:59\u202fAM CEST</time>)' in html


def test_links_of_an_event_that_is_over_read_closed(client, make_event):
    # Both were over before 2024-11-20, whatever their links still say.
    meetup = make_event(
        starts_on=date(2024, 6, 6),
        ends_on=date(2024, 6, 6),
        links=((LinkKind.REGISTER, LinkState.SOLD_OUT, None),),
    )
    ptg = make_event(
        starts_on=date(2024, 10, 21),
        ends_on=date(2024, 10, 25),
        links=((LinkKind.REGISTER, LinkState.OPEN, "https://openinfra.dev/ptg/"),),
    )
    html = client.get(f"/events/{meetup.slug}").get_data(as_text=True)
    assert "Registration sold out" in html
    html = client.get(f"/events/{ptg.slug}").get_data(as_text=True)
    assert "Registration closed: the event is over" in html
    assert "This event is over." in html


def test_description_markdown_is_rendered_and_sanitised(client, make_event):
    event = make_event(
        description="**Bold** <script>alert(1)</script> [x](javascript:alert(2)) "
        '<img src=x onerror="alert(3)"> [ok](https://openinfra.dev)'
    )
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "<strong>Bold</strong>" in html
    assert "<script>alert" not in html
    assert 'href="javascript:' not in html
    assert "<img" not in html
    assert 'href="https://openinfra.dev" rel="noopener nofollow ugc"' in html


def test_html_in_title_is_escaped(client, make_event):
    event = make_event(title='<b onmouseover="x">Bold</b> & co')
    response = client.get(f"/events/{event.slug}")
    html = response.get_data(as_text=True)
    assert '<b onmouseover="x">' not in html
    assert "&lt;b onmouseover=" in html
    assert json_ld(response)["name"] == '<b onmouseover="x">Bold</b> & co'


def test_a_title_cannot_break_out_of_the_json_ld_script(client, make_event):
    event = make_event(title="</script><script>alert(1)</script>")
    html = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "</script><script>alert(1)" not in html


def test_draft_and_unknown_events_answer_a_friendly_404(client, make_event):
    draft = make_event(status=EventStatus.DRAFT)
    for path in (f"/events/{draft.slug}", "/events/no-such-event", "/nowhere"):
        response = client.get(path)
        assert response.status_code == 404
        assert "We could not find that page" in response.get_data(as_text=True)


def test_an_unexpected_error_shows_the_friendly_500_page(app, client):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.get_data(as_text=True)
