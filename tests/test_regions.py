"""`region`: the regions people search for (core/regions.py), on /events, the month view, the
feed, the Atom feed, the embed and the API, derived from the event's country."""

import re
from datetime import date

import icalendar
import pytest
from babel import Locale

from portal.core.countries import NOT_COUNTRIES
from portal.core.regions import NO_REGION, REGIONS, countries_in, regions_of
from portal.events.models import EventFormat, EventKind

pytestmark = pytest.mark.usefixtures("frozen_now")  # 2024-11-20

PASADENA = "OpenInfra Days North America 2025"
SLUGS = ["africa", "asia-pacific", "europe", "latin-america", "middle-east", "north-america"]


def titles(response) -> list[str]:
    html = response.get_data(as_text=True)
    return re.findall(r'<h[23]><a href="/events/[^"]+">([^<]+)</a>', html)


@pytest.fixture
def berlin(seeded, make_event):
    """The demo data (Pasadena in March 2025; the Berlin day of May 2024 is over), an upcoming
    event in Berlin and a virtual one."""
    make_event(
        title="OpenInfra Day Berlin 2025",
        starts_on=date(2025, 3, 12),
        ends_on=date(2025, 3, 12),
        city="Berlin",
        country="DE",
        timezone="Europe/Berlin",
    )
    make_event(
        title="Virtual Meetup March 2025",
        kind=EventKind.PTG,
        format=EventFormat.VIRTUAL,
        starts_on=date(2025, 3, 10),
        ends_on=date(2025, 3, 10),
        city=None,
        country=None,
    )


def test_north_america_lists_pasadena_and_not_berlin(client, berlin):
    response = client.get("/events?region=north-america")
    assert response.status_code == 200
    shown = titles(response)
    assert PASADENA in shown
    assert not any("Berlin" in title or "Germany" in title for title in shown)
    assert "Virtual Meetup March 2025" not in shown
    europe = titles(client.get("/events?region=europe"))
    assert "OpenInfra Day Berlin 2025" in europe and PASADENA not in europe
    past = titles(client.get("/events?region=north-america&past=1"))
    assert "OpenInfra Day Germany" not in past
    assert "OpenInfra Day Germany" in titles(client.get("/events?region=europe&past=1"))


def test_region_is_read_in_any_case_and_combines_with_the_other_filters(client, berlin):
    assert PASADENA in titles(client.get("/events?region=%20North-America%20"))
    assert titles(client.get("/events?region=europe&country=US")) == []
    assert titles(client.get("/events?region=north-america&country=US")) == titles(
        client.get("/events?region=north-america")
    )


def test_virtual_events_are_in_no_region(client, berlin):
    for slug in SLUGS:
        assert "Virtual Meetup March 2025" not in titles(client.get(f"/events?region={slug}"))
    assert "Virtual Meetup March 2025" in titles(client.get("/events"))


def test_the_filter_offers_each_region_once_and_keeps_the_chosen_one(client, berlin):
    html = client.get("/events?region=asia-pacific").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="region".*?</select>', html, re.S).group(0)
    values = re.findall(r'value="([^"]*)"', select)
    assert values == ["", *SLUGS]
    assert '<option selected value="asia-pacific">Asia-Pacific</option>' in select
    month = client.get("/events/month/2025-03").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="region".*?</select>', month, re.S).group(0)
    assert re.findall(r'value="([^"]*)"', select) == ["", *SLUGS]


def test_the_list_links_its_region_to_the_month_and_the_feed(client, berlin):
    html = client.get("/events?region=north-america").get_data(as_text=True)
    assert 'href="/events/month?region=north-america"' in html
    assert "events.ics?region=north-america" in html
    assert "Filters (1)" in html
    # Alerts follow the region too (tests/test_alerts.py follows one to the mail).
    alert = re.search(r'href="(/alerts/new[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "region=north-america" in alert
    form = client.get(alert).get_data(as_text=True)
    assert 'value="north-america" selected' in form or 'selected value="north-america"' in form


@pytest.mark.parametrize(
    "value",
    [
        "atlantis",
        "north america",
        "Europe%0D%0ASet-Cookie:x=1",
        "x" * 5000,
        "%3Cscript%3E",
        "EU",
    ],
)
def test_unknown_or_hostile_region_answers_400_with_the_form(client, value):
    response = client.get(f"/events?region={value}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "could not be read" in html
    assert "Not a region" in html
    assert '<form class="filters"' in html
    assert "<script>" not in html and "Set-Cookie" not in response.headers
    month = client.get(f"/events/month/2025-03?region={value}")
    assert month.status_code == 400 and "Not a region" in month.get_data(as_text=True)
    feed = client.get(f"/events.ics?region={value}")
    assert feed.status_code == 400 and feed.headers["Content-Type"].startswith("text/plain")
    for path in ("/events.atom", "/embed/events"):
        assert client.get(f"{path}?region={value}").status_code == 400
    api = client.get(f"/api/events?region={value}")
    assert api.status_code == 400 and api.get_json()["parameter"] == "region"


@pytest.mark.parametrize("value", ["europe%00", "%00", "%0D%0A", "%20", "%0Aeurope"])
def test_nul_and_line_breaks_in_a_region_never_break_a_page(client, berlin, value):
    """A NUL is refused before any view (core/hygiene.py); white space alone is no region, and
    around a region it is dropped, as for a country."""
    paths = ("/events", "/events/month/2025-03", "/events.ics", "/events.atom", "/api/events")
    for path in paths:
        response = client.get(f"{path}?region={value}")
        assert response.status_code in (200, 400), (path, response.status_code)
    if "%00" not in value:
        assert client.get(f"/events?region={value}").status_code == 200


def test_month_view_honours_the_region(client, berlin):
    html = client.get("/events/month/2025-03?region=north-america").get_data(as_text=True)
    assert PASADENA in html
    assert "OpenInfra Day Berlin 2025" not in html
    assert 'href="/events/month/2025-04?region=north-america"' in html
    europe = client.get("/events/month/2025-03?region=europe").get_data(as_text=True)
    assert "OpenInfra Day Berlin 2025" in europe and PASADENA not in europe


def test_feed_honours_the_region_and_names_it(client, berlin):
    response = client.get("/events.ics?region=NORTH-AMERICA")
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.data)
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert any("North America" in summary for summary in summaries)
    assert not any("Berlin" in summary or "Germany" in summary for summary in summaries)
    assert str(calendar["X-WR-CALNAME"]).endswith("in North America")
    # One spelling, one feed: the key holds the canonical (lower-case) region.
    again = client.get("/events.ics?region=north-america")
    assert again.headers["ETag"] == response.headers["ETag"]


def test_atom_embed_and_api_honour_the_region(client, berlin):
    atom = client.get("/events.atom?region=europe").get_data(as_text=True)
    assert "OpenInfra Day Berlin 2025" in atom and PASADENA not in atom
    embed = client.get("/embed/events?region=north-america").get_data(as_text=True)
    assert PASADENA in embed and "Berlin" not in embed
    found = client.get("/api/events?region=north-america").get_json()["events"]
    assert {event["country"] for event in found} == {"US"}
    document = client.get("/api/openapi.json").get_json()
    parameters = document["paths"]["/api/events"]["get"]["parameters"]
    region = next(p for p in parameters if p["name"] == "region")
    assert region["schema"]["enum"] == SLUGS


def test_the_region_filter_is_an_indexed_country_list(app, count_queries, client, berlin):
    with count_queries() as counted:
        client.get("/events?region=latin-america")
    listing = [s for s in counted.statements if "event.country IN" in s]
    assert listing, counted.statements


def test_every_country_babel_knows_is_in_a_region_or_deliberately_in_none():
    territories = Locale("en").territories
    countries = {code for code in territories if len(code) == 2 and code.isalpha()}
    countries -= NOT_COUNTRIES
    for code in sorted(countries):
        found = regions_of(code)
        assert found or code in NO_REGION, f"{code} ({territories[code]}) is in no region"
        assert not (found and code in NO_REGION), code
        # One region each, but Egypt: Africa and the Middle East, on purpose.
        assert len(found) == (2 if code == "EG" else 1) or code in NO_REGION, (code, found)
    assert regions_of("EG") == ("africa", "middle-east")
    assert set().union(*(region.countries for region in REGIONS)) <= countries


def test_the_regions_people_name(client):
    assert regions_of("US") == regions_of("CA") == regions_of("GL") == ("north-america",)
    assert regions_of("MX") == regions_of("BR") == regions_of("PR") == ("latin-america",)
    assert regions_of("KE") == regions_of("ZA") == ("africa",)
    assert regions_of("DE") == regions_of("TR") == regions_of("CY") == ("europe",)
    assert regions_of("AE") == regions_of("IR") == regions_of("IL") == ("middle-east",)
    for code in ("KR", "CN", "JP", "VN", "ID", "IN", "AU", "KZ"):
        assert regions_of(code) == ("asia-pacific",), code
    assert regions_of("AQ") == ()
    assert countries_in("atlantis") == []
