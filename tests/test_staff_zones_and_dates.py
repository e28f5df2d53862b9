"""Times never silently wrong: a blank zone is filled only when the country has one, the zone
is chosen from a select named as people know them, a postponed event is published again only
on new dates, and "Previously planned for" names the dates last announced."""

import re
from datetime import date

import pytest

from portal.events.models import Event, EventStatus, LinkKind, LinkState
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("frozen_now")  # 2024-11-20; the events are in 2025

NEW = "/staff/events/new"


def form_data(csrf_token: str, **overrides) -> dict:
    data = {
        "csrf_token": csrf_token,
        "title": "OpenInfra Day Toronto 2025",
        "slug": "",
        "kind": "openinfra_days",
        "format": "in_person",
        "starts_on": "2025-06-05",
        "ends_on": "2025-06-05",
        "start_time": "09:00",
        "end_time": "17:00",
        "timezone": "",
        "city": "Toronto",
        "country": "CA",
        "register-state": "open",
        "register-url": "https://example.org/register",
        "register-deadline": "2025-06-01T23:59",
        "sponsor-state": "",
        "schedule-state": "",
        "cfp-state": "",
    }
    data.update(overrides)
    return data


def by_slug(slug: str) -> Event | None:
    return db.session.scalar(db.select(Event).where(Event.slug == slug))


def selected_zone(page: str) -> str | None:
    select = re.search(r'<select[^>]*id="timezone".*?</select>', page, re.S)
    assert select, "the time zone is a select"
    chosen = re.search(r'<option selected value="([^"]*)"', select.group(0))
    return chosen.group(1) if chosen else None


def test_a_blank_zone_in_a_country_of_several_asks_with_the_citys_zone_preselected(
    client, editor, csrf
):
    response = client.post(NEW, data=form_data(csrf(NEW)))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Canada has several time zones" in page
    assert by_slug("openinfra-day-toronto-2025") is None  # never saved in Newfoundland time
    assert selected_zone(page) == "America/Toronto"
    # The country's zones come first, named as people know them.
    assert '<optgroup label="Zones of Canada">' in page
    assert ">Toronto (Eastern)</option>" in page
    assert ">St. John’s (Newfoundland)</option>" in page
    assert page.index("Toronto (Eastern)") < page.index('label="Every zone (IANA name)"')

    # Saving what was preselected stores the city's own zone, deadlines in it too.
    accepted = client.post(NEW, data=form_data(csrf(NEW), timezone="America/Toronto"))
    assert accepted.status_code == 303
    event = by_slug("openinfra-day-toronto-2025")
    assert event.timezone == "America/Toronto"
    assert event.local_start.utcoffset().total_seconds() == -4 * 3600  # EDT, not NDT (-2:30)
    assert event.link(LinkKind.REGISTER).local_deadline().hour == 23


def test_a_city_no_zone_is_named_after_asks_without_guessing(client, editor, csrf):
    data = form_data(csrf(NEW), title="OpenInfra Days Pasadena 2025", city="Pasadena", country="US")
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "United States has several time zones: choose the event" in page
    assert selected_zone(page) in (None, "")
    assert ">Los Angeles (Pacific)</option>" in page
    assert by_slug("openinfra-days-pasadena-2025") is None


@pytest.mark.parametrize(
    ("country", "city"), [("AU", "Perth"), ("BR", "Manaus"), ("MX", "Tijuana")]
)
def test_other_countries_of_several_zones_are_never_given_the_first(
    client, editor, csrf, country, city
):
    data = form_data(csrf(NEW), country=country, city=city, title=f"Day {city} 2025")
    response = client.post(NEW, data=data)
    assert response.status_code == 422
    assert "several time zones" in response.get_data(as_text=True)


def test_a_blank_zone_in_a_country_of_one_is_filled_in(client, editor, csrf):
    data = form_data(csrf(NEW), country="SE", city="Gothenburg", title="Day Gothenburg 2025")
    assert client.post(NEW, data=data).status_code == 303
    assert by_slug("day-gothenburg-2025").timezone == "Europe/Stockholm"


def test_a_zone_off_the_list_is_refused_in_words(client, editor, csrf):
    response = client.post(NEW, data=form_data(csrf(NEW), timezone="Mars/Olympus_Mons"))
    assert response.status_code == 422
    assert "Choose a time zone by its IANA name" in response.get_data(as_text=True)


def test_the_edit_form_shows_the_stored_zone_selected(client, editor, make_event):
    event = make_event(country="CA", city="Vancouver", timezone="America/Vancouver")
    page = client.get(f"/staff/events/{event.id}/edit").get_data(as_text=True)
    assert selected_zone(page) == "America/Vancouver"
    assert ">Vancouver (Pacific)</option>" in page


def test_a_new_event_has_no_kind_until_staff_choose_one(client, editor, csrf):
    page = client.get(NEW).get_data(as_text=True)
    kind = re.search(r'<select[^>]*id="kind".*?</select>', page, re.S).group(0)
    assert kind.index('<option value="">Choose the kind of event</option>') < kind.index("summit")
    assert "selected" not in kind  # the browser shows the blank first option
    response = client.post(NEW, data=form_data(csrf(NEW), kind="", timezone="America/Toronto"))
    assert response.status_code == 422
    assert "Choose the kind of event." in response.get_data(as_text=True)


# Publishing a postponed event again


@pytest.fixture
def postponed(make_event):
    """Planned for the 12th, moved to the 19th, then postponed to dates to be announced."""
    from portal.core.saving import saving
    from portal.events import operations

    event = make_event(
        slug="openinfra-day-lyon-2025",
        title="OpenInfra Day Lyon 2025",
        starts_on=date(2025, 6, 12),
        ends_on=date(2025, 6, 12),
        country="FR",
        timezone="Europe/Paris",
        links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org/r"),),
    )
    with saving():
        operations.update_event(
            event, {"starts_on": date(2025, 6, 19), "ends_on": date(2025, 6, 19)}, None
        )
        operations.postpone(event, None, "The venue is closed.", dates_to_be_announced=True)
    return event


def test_previously_planned_for_names_the_dates_last_announced(client, postponed):
    page = client.get("/events/openinfra-day-lyon-2025").get_data(as_text=True)
    assert "Previously planned for <del>Thu, Jun 19, 2025</del>" in page
    assert "Jun 12, 2025" not in page


def test_publish_again_asks_for_new_dates_and_refuses_the_old_ones(client, editor, csrf, postponed):
    edit = client.get(f"/staff/events/{postponed.id}/edit").get_data(as_text=True)
    assert f'href="/staff/events/{postponed.id}/publish-again"' in edit
    assert f'action="/staff/events/{postponed.id}/publish"' not in edit

    # The one-click publish of old is refused, whoever posts it.
    token = csrf(f"/staff/events/{postponed.id}/edit")
    refused = client.post(f"/staff/events/{postponed.id}/publish", data={"csrf_token": token})
    assert refused.status_code == 409
    assert "Give the new dates first" in refused.get_data(as_text=True)

    path = f"/staff/events/{postponed.id}/publish-again"
    same = {"csrf_token": csrf(path), "starts_on": "2025-06-19", "ends_on": "2025-06-19"}
    response = client.post(path, data=same)
    assert response.status_code == 422
    assert "the dates it was postponed from" in response.get_data(as_text=True)
    db.session.expire_all()
    assert by_slug("openinfra-day-lyon-2025").status is EventStatus.POSTPONED

    new = {"csrf_token": csrf(path), "starts_on": "2025-09-25", "ends_on": "2025-09-25"}
    assert client.post(path, data=new).status_code == 303
    db.session.expire_all()
    event = by_slug("openinfra-day-lyon-2025")
    assert event.status is EventStatus.PUBLISHED and not event.dates_to_be_announced
    assert (event.starts_on, event.previous_starts_on) == (date(2025, 9, 25), date(2025, 6, 19))
    page = client.get("/events/openinfra-day-lyon-2025").get_data(as_text=True)
    assert "Previously planned for <del>Thu, Jun 19, 2025</del>" in page
    assert "Thursday, September 25, 2025" in page


def test_publish_again_of_a_postponed_event_with_dates_is_one_click(
    client, editor, csrf, make_event
):
    event = make_event(
        status=EventStatus.POSTPONED, starts_on=date(2025, 6, 12), ends_on=date(2025, 6, 12)
    )
    token = csrf(f"/staff/events/{event.id}/edit")
    assert (
        client.post(f"/staff/events/{event.id}/publish", data={"csrf_token": token}).status_code
        == 303
    )
    # And the new-dates page has nothing to ask of it.
    again = client.get(f"/staff/events/{event.id}/publish-again").get_data(as_text=True)
    assert "This event has its dates" in again and 'name="starts_on"' not in again
