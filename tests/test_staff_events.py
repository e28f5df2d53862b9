"""The events back office: an editor takes an event from draft to published to cancelled
through the pages, and the list, the event page, the feed and the audit log follow."""

import re
from datetime import date

import helpers
import icalendar
import pytest
import sample

from portal.events.models import Event, EventKind, EventStatus, LinkKind, LinkState
from portal.extensions import db

pytestmark = pytest.mark.usefixtures("frozen_now")  # 2024-11-20; the events are in 2025


def form_data(csrf_token: str, **overrides) -> dict:
    data = {
        "csrf_token": csrf_token,
        "title": "OpenInfra Days Berlin 2025",
        "slug": "openinfra-days-berlin-2025",
        "kind": "openinfra_days",
        "format": "in_person",
        "summary": "A day of open infrastructure in Berlin.",
        "description": "Talks and **workshops**.",
        "starts_on": "2025-06-05",
        "ends_on": "2025-06-06",
        "start_time": "",
        "end_time": "",
        "timezone": "Europe/Berlin",
        "venue": "bUm",
        "city": "Berlin",
        "country": "de",
        "register-state": "open",
        "register-url": "https://example.org/register",
        "register-deadline": "2025-06-01T23:59",
        "sponsor-state": "coming_soon",
        "schedule-state": "",
        "cfp-state": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def post_event(client, csrf):
    def post(path: str = "/staff/events/new", **overrides):
        return client.post(path, data=form_data(csrf("/staff/events/new"), **overrides))

    return post


def feed_events(client) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(client.get("/events.ics").data)
    return {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}


def event_by_slug(slug: str) -> Event:
    return db.session.scalar(db.select(Event).where(Event.slug == slug))


def test_editor_takes_an_event_from_draft_to_published_to_cancelled(
    app, client, csrf, make_staff, login, post_event
):
    editor = make_staff("editor")
    login(editor)

    created = post_event()
    assert created.status_code == 303
    event = event_by_slug("openinfra-days-berlin-2025")
    assert created.headers["Location"] == f"/staff/events/{event.id}/edit"
    assert event.status is EventStatus.DRAFT
    assert "OpenInfra Days Berlin" not in client.get("/events").get_data(as_text=True)
    assert client.get("/events/openinfra-days-berlin-2025").status_code == 404
    assert "OpenInfra Days Berlin 2025" not in feed_events(client)

    preview = client.get(f"/staff/events/{event.id}/preview").get_data(as_text=True)
    assert "Preview" in preview and "OpenInfra Days Berlin 2025" in preview
    assert "<strong>workshops</strong>" in preview and "noindex" in preview

    token = csrf(f"/staff/events/{event.id}/edit")
    assert (
        client.post(f"/staff/events/{event.id}/publish", data={"csrf_token": token}).status_code
        == 303
    )
    assert "OpenInfra Days Berlin 2025" in client.get("/events").get_data(as_text=True)
    page = client.get("/events/openinfra-days-berlin-2025")
    assert page.status_code == 200 and "Cancelled" not in page.get_data(as_text=True)
    published = feed_events(client)["OpenInfra Days Berlin 2025"]
    assert str(published["STATUS"]) == "CONFIRMED"

    assert (
        client.post(
            f"/staff/events/{event.id}/cancel",
            data={"csrf_token": token, "reason": "The venue closed."},
        ).status_code
        == 303
    )
    listing = client.get("/events").get_data(as_text=True)
    assert "OpenInfra Days Berlin 2025" in listing and "badge-cancelled" in listing
    page = client.get("/events/openinfra-days-berlin-2025").get_data(as_text=True)
    assert "This event has been cancelled." in page
    cancelled = feed_events(client)["Cancelled: OpenInfra Days Berlin 2025"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["SEQUENCE"] > published["SEQUENCE"]
    assert str(cancelled["UID"]) == str(published["UID"])

    # An admin sees each step, by whom, with before and after.
    client.post("/staff/logout", data={"csrf_token": token})
    login(make_staff("admin"))
    audit = client.get(f"/staff/audit/?object_type=event&object_id={event.id}")
    text = audit.get_data(as_text=True)
    assert audit.status_code == 200
    for action in ("event.create", "event.publish", "event.cancel"):
        assert action in text
    assert text.count(editor.email) >= 3
    assert re.search(r"<del>draft</del> → <ins>published</ins>", text)
    assert re.search(r"<del>published</del> → <ins>cancelled</ins>", text)


def test_link_deadlines_are_entered_in_the_events_own_zone(client, editor, post_event):
    post_event()
    event = event_by_slug("openinfra-days-berlin-2025")
    register = event.link(LinkKind.REGISTER)
    assert register.state is LinkState.OPEN and register.url == "https://example.org/register"
    assert register.deadline.isoformat() == "2025-06-01T21:59:00"  # 23:59 CEST
    assert event.link(LinkKind.SPONSOR).state is LinkState.COMING_SOON
    assert event.link(LinkKind.SCHEDULE) is None and event.country == "DE"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"ends_on": "2025-06-04"}, "The last day is before the first."),
        (
            {"ends_on": "2025-06-05", "start_time": "17:00", "end_time": "09:00"},
            "The event ends before it starts.",
        ),
        ({"start_time": "09:00"}, "Give both times"),
        ({"timezone": "Mars/Olympus_Mons"}, "IANA name"),
        ({"timezone": "CEST"}, "IANA name"),
        ({"country": "XX"}, "Choose a country from the list."),
        ({"country": "Austria"}, "Choose a country from the list."),  # never stored as "AU"
        ({"register-url": "javascript:alert(1)"}, "Only http:// or https://"),
        ({"register-url": "data:text/html,<script>alert(1)</script>"}, "Only http"),
        ({"colocated_url": "https://ok.example/\r\nSet-Cookie: x=1"}, "Only http"),
        ({"slug": "Berlin 2025"}, "Lower-case letters"),
        ({"slug": "berlin-2025\r\nX: y"}, "One line, without line breaks"),
        ({"slug": "-berlin"}, "Lower-case letters"),
        ({"title": "x" * 10_000}, "longer than 200"),
        ({"summary": "x" * 10_000}, "longer than 500"),
        ({"city": "x" * 10_000}, "longer than 120"),
        ({"latitude": "91"}, "between -90"),
        ({"contact_email": "not an email"}, "Invalid email"),
        ({"starts_on": "2025-02-30"}, "Not a valid date"),
        ({"kind": "party"}, "Not a valid choice"),
    ],
)
def test_the_event_form_refuses_what_breaks_the_rules(
    client, editor, post_event, overrides, message
):
    response = post_event(**overrides)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Event)) == 0


def test_html_in_fields_is_shown_as_text_everywhere(client, editor, post_event, csrf):
    title = '<script>alert("t")</script> Days'
    description = (
        '<img src=x onerror=alert(1)> [click](javascript:alert(2)) <a href="x">raw</a>\n\n'
        + "word " * 2_000
    )
    assert post_event(title=title, description=description).status_code == 303
    event = event_by_slug("openinfra-days-berlin-2025")
    for path in (
        "/staff/events/",
        f"/staff/events/{event.id}/edit",
        f"/staff/events/{event.id}/preview",
    ):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "&lt;script&gt;" in page
    preview = client.get(f"/staff/events/{event.id}/preview").get_data(as_text=True)
    assert "<img" not in preview and 'href="javascript' not in preview
    assert '<a href="x"' not in preview and "&lt;img" in preview


def test_a_duplicate_slug_is_refused(client, editor, post_event, make_event):
    make_event(slug="openinfra-days-berlin-2025")
    response = post_event()
    assert response.status_code == 422
    assert "Another event already has this address." in response.get_data(as_text=True)


def test_the_address_of_a_published_event_stays_put(client, editor, make_event, csrf):
    event = make_event(slug="summit-2025", status=EventStatus.PUBLISHED)
    path = f"/staff/events/{event.id}/edit"
    page = client.get(path).get_data(as_text=True)
    assert re.search(r'id="slug"[^>]*readonly', page)
    response = client.post(path, data=form_data(csrf(path), slug="renamed-2025"))
    assert response.status_code == 422
    assert "stays as it is" in response.get_data(as_text=True)
    assert event_by_slug("summit-2025") is not None


def test_a_draft_can_change_its_address(client, editor, make_event, csrf):
    event = make_event(slug="draft-2025", status=EventStatus.DRAFT)
    path = f"/staff/events/{event.id}/edit"
    assert client.post(path, data=form_data(csrf(path), slug="better-2025")).status_code == 303
    assert event_by_slug("better-2025").id == event.id


def test_an_edit_moves_the_feed_and_an_unchanged_form_writes_nothing(
    client, editor, make_event, csrf
):
    event = make_event(slug="summit-2025", title="Summit", status=EventStatus.PUBLISHED)
    path = f"/staff/events/{event.id}/edit"
    sequence = event.sequence
    data = form_data(csrf(path), slug="summit-2025", title="Summit")
    assert client.post(path, data=data).status_code == 303
    assert db.session.get(Event, event.id).sequence == sequence + 1
    assert client.post(path, data=data).status_code == 303
    assert "Nothing to save" in client.get(path).get_data(as_text=True)
    assert db.session.get(Event, event.id).sequence == sequence + 1
    assert "Berlin" in str(feed_events(client)["Summit"]["LOCATION"])


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "postpone"),
        ("draft", "cancel"),
        ("published", "publish"),
        ("cancelled", "postpone"),
        ("published", "delete"),
        ("cancelled", "delete"),
    ],
)
def test_actions_the_status_does_not_allow_are_refused_with_409(
    client, editor, make_event, csrf, status, action
):
    event = make_event(status=EventStatus(status))
    token = csrf(f"/staff/events/{event.id}/edit")
    response = client.post(f"/staff/events/{event.id}/{action}", data={"csrf_token": token})
    assert response.status_code == 409
    assert "cannot be" in response.get_data(as_text=True) or "Only drafts" in response.get_data(
        as_text=True
    )
    assert db.session.get(Event, event.id).status is EventStatus(status)


def test_postponed_and_cancelled_events_can_be_published_again(client, editor, make_event, csrf):
    event = make_event(status=EventStatus.PUBLISHED)
    token = csrf(f"/staff/events/{event.id}/edit")
    for action, status in [
        ("postpone", "postponed"),
        ("publish", "published"),
        ("cancel", "cancelled"),
        ("publish", "published"),
    ]:
        assert (
            client.post(
                f"/staff/events/{event.id}/{action}", data={"csrf_token": token, "reason": "Why."}
            ).status_code
            == 303
        )
        assert db.session.get(Event, event.id).status.value == status
        page = client.get(f"/events/{event.slug}").get_data(as_text=True)
        assert ("postponed" in page) == (status == "postponed")


def test_a_draft_is_deleted(client, editor, make_event, csrf):
    event = make_event(status=EventStatus.DRAFT)
    token = csrf(f"/staff/events/{event.id}/edit")
    response = client.post(f"/staff/events/{event.id}/delete", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/staff/events/"
    assert db.session.get(Event, event.id) is None


def test_duplicate_makes_next_years_edition_as_a_draft(
    client, editor, make_event, csrf, frozen_now
):
    event = make_event(
        slug="openinfra-days-na-2025",
        title="OpenInfra Days North America 2025",
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 7),
        projects=("openstack",),
        links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org/r"),),
    )
    token = csrf(f"/staff/events/{event.id}/edit")
    response = client.post(f"/staff/events/{event.id}/duplicate", data={"csrf_token": token})
    assert response.status_code == 303
    copy = event_by_slug("openinfra-days-na-2026")
    assert response.headers["Location"] == f"/staff/events/{copy.id}/edit"
    assert copy.title == "OpenInfra Days North America 2026"
    assert copy.status is EventStatus.DRAFT
    assert (copy.starts_on, copy.ends_on) == (date(2026, 3, 5), date(2026, 3, 6))
    assert copy.starts_on.weekday() == event.starts_on.weekday()
    assert [p.slug for p in copy.projects] == ["openstack"]
    assert [(lk.kind, lk.state, lk.url) for lk in copy.links] == [
        (LinkKind.REGISTER, LinkState.COMING_SOON, None)
    ]
    again = client.post(f"/staff/events/{event.id}/duplicate", data={"csrf_token": token})
    assert event_by_slug("openinfra-days-na-2026-2") is not None, again.headers


def test_the_list_filters_by_status_and_words(client, editor, make_event):
    make_event(title="Berlin Days", slug="berlin-days", status=EventStatus.DRAFT)
    make_event(title="Paris Days", slug="paris-days", status=EventStatus.PUBLISHED)
    make_event(
        title="Tokyo Meetup",
        slug="tokyo-meetup",
        kind=EventKind.MEETUP,
        status=EventStatus.CANCELLED,
    )

    def titles(query: str) -> set[str]:
        page = client.get(f"/staff/events/?{query}").get_data(as_text=True)
        return {t for t in ("Berlin Days", "Paris Days", "Tokyo Meetup") if t in page}

    assert titles("") == {"Berlin Days", "Paris Days", "Tokyo Meetup"}
    assert titles("status=draft") == {"Berlin Days"}
    assert titles("status=cancelled") == {"Tokyo Meetup"}
    assert titles("q=days") == {"Berlin Days", "Paris Days"}
    assert titles("q=tokyo-meet") == {"Tokyo Meetup"}  # a part of the address
    assert titles("q=berl&status=published") == set()
    assert titles("status=nonsense&page=abc") == {"Berlin Days", "Paris Days", "Tokyo Meetup"}


def test_the_list_runs_as_many_statements_for_many_events_as_for_few(
    client, editor, make_event, count_queries
):
    for number in range(3):
        make_event(projects=("openstack", "zuul"), status=EventStatus.DRAFT, slug=f"a-{number}")
    client.get("/staff/events/")
    with count_queries() as few:
        assert client.get("/staff/events/").status_code == 200
    for number in range(40):
        make_event(projects=("openstack", "zuul"), slug=f"b-{number}")
    with count_queries() as many:
        assert client.get("/staff/events/").status_code == 200
    assert many.total == few.total, many.statements


def test_an_event_created_in_the_back_office_is_found_by_search(client, editor, post_event, csrf):
    post_event(title="Kata Containers Summit 2025", slug="kata-2025")
    event = event_by_slug("kata-2025")
    token = csrf(f"/staff/events/{event.id}/edit")
    client.post(f"/staff/events/{event.id}/publish", data={"csrf_token": token})
    assert "Kata Containers Summit" in client.get("/events?q=kata").get_data(as_text=True)


def test_the_dashboard_shows_upcoming_events_and_counts(client, editor, make_event):
    make_event(title="Next Summit", status=EventStatus.DRAFT)
    page = client.get("/staff/").get_data(as_text=True)
    assert "Next Summit" in page and "1 draft" in page
    assert "<h2>Inquiries</h2>" in page and "Undelivered mail" in page  # the inbox's panels


def test_past_a_thousand_the_dashboard_says_more_than(client, editor, make_event, monkeypatch):
    from portal.core import lists

    monkeypatch.setattr(lists, "COUNT_LIMIT", 1)
    for number in range(2):
        make_event(title=f"Draft {number}", status=EventStatus.DRAFT)
    page = client.get("/staff/").get_data(as_text=True)
    assert "more than 1 draft" in page and "0 cancelled" in page


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("status", "index"), [(None, "ix_event_staff_order"), ("draft", "ix_event_status_staff_order")]
)
def test_on_postgresql_the_staff_list_is_read_in_its_order_from_an_index(app, status, index):
    from werkzeug.datastructures import MultiDict

    from portal.events.queries import StaffEventFilter

    args = MultiDict({"status": status} if status else {})
    statement = StaffEventFilter(args).select().limit(50)
    plan = helpers.explain(statement, "enable_seqscan", "enable_bitmapscan", "enable_sort")
    assert index in plan and "Sort" not in plan, plan


def test_an_event_selling_sponsorship_through_the_portal_saves_unchanged(
    client, editor, csrf, make_event, make_package
):
    """Its Sponsor link is a path on this site; the edit form must take it back as it is."""
    import html as html_lib

    # Every field of the form filled in, as a real event's are.
    event = make_event(
        **sample.north_america(
            projects=("openinfra", "openstack"), links=(sample.REGISTER, sample.SCHEDULE_SOON)
        )
    )
    make_package(event, "coffee", price=250_000, available=2)
    event = event_by_slug("openinfra-days-north-america-2025")
    assert event.link(LinkKind.SPONSOR).url == "/events/openinfra-days-north-america-2025/sponsor"
    page = client.get(f"/staff/events/{event.id}/edit").get_data(as_text=True)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    selects = dict(
        re.findall(
            r'<select[^>]*name="([^"]+)"[^>]*>.*?<option selected value="([^"]*)"', page, re.S
        )
    )
    data = {key: html_lib.unescape(value) for key, value in {**fields, **selects}.items()}
    data["csrf_token"] = csrf(f"/staff/events/{event.id}/edit")
    data["description"] = event.description
    response = client.post(f"/staff/events/{event.id}/edit", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    db.session.expire_all()
    assert event_by_slug(event.slug).link(LinkKind.SPONSOR).url == data["sponsor-url"]


def test_a_link_path_must_stay_on_this_site(client, editor, post_event):
    for target in ("//evil.example/x", "/a b", "javascript:alert(1)", "/x\\y"):
        response = post_event(**{"register-url": target})
        assert response.status_code == 422, target


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        # 02:30 does not exist in New York on 2025-03-09: the clocks go from 02:00 to 03:00.
        (
            dict(
                starts_on="2025-03-09",
                ends_on="2025-03-09",
                start_time="02:30",
                end_time="03:10",
                timezone="America/New_York",
            ),
            "start_time",
            "02:30 does not exist on that day in America/New_York.",
        ),
        (dict(starts_on="9999-12-31", ends_on="9999-12-31"), "starts_on", "between 1900 and 2200"),
        (
            dict(
                starts_on="0001-01-01",
                ends_on="0001-01-01",
                start_time="00:00",
                end_time="01:00",
                timezone="Asia/Tokyo",
            ),
            "starts_on",
            "between 1900 and 2200",
        ),
    ],
)
def test_times_the_zone_cannot_hold_are_refused_next_to_their_field(
    client, editor, post_event, overrides, field, words
):
    response = post_event(**overrides)
    assert response.status_code == 422
    error = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', response.get_data(as_text=True))
    assert error and words in error.group(1)


def test_country_is_chosen_by_name_and_suggests_the_time_zone(client, editor, csrf):
    page = client.get("/staff/events/new").get_data(as_text=True)
    assert '<select id="country" name="country">' in page
    assert '<option value="AT">Austria</option>' in page
    assert '<option value="AU">Australia</option>' in page
    path = "/staff/events/new"
    data = form_data(csrf(path), country="AT", timezone="", slug="", city="Vienna")
    assert client.post(path, data=data).status_code == 303
    event = event_by_slug("openinfra-days-berlin-2025")  # made from the title
    assert (event.country, event.timezone) == ("AT", "Europe/Vienna")
    assert "Vienna, Austria" in client.get(f"/staff/events/{event.id}/preview").get_data(
        as_text=True
    )
