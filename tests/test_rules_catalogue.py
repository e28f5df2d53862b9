"""The catalogue's rules, called directly: what makes an event or a project valid
(portal/events/rules.py) and what the models say about links, local times and status actions
(portal/events/models.py). Values dicts and unsaved models; the database (empty, no demo) only
where a rule asks it whether a slug is taken."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from portal.events.models import (
    TRANSITIONS,
    Event,
    EventFormat,
    EventKind,
    EventLink,
    EventStatus,
    LinkKind,
    LinkState,
)
from portal.events.rules import (
    LinkValues,
    event_errors,
    exists_locally,
    is_http_url,
    is_link_target,
    is_slug,
    is_timezone,
    project_errors,
)

BERLIN = ZoneInfo("Europe/Berlin")


def event_values(**changes) -> dict:
    """What the staff form hands the rules for a valid new event, with `changes`."""
    values = dict(
        slug="openinfra-days-berlin-2025",
        title="OpenInfra Days Berlin 2025",
        kind=EventKind.OPENINFRA_DAYS,
        format=EventFormat.IN_PERSON,
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 7),
        start_time=time(9, 0),
        end_time=time(17, 0),
        timezone="Europe/Berlin",
        city="Berlin",
        country="DE",
        links=[],
    )
    values.update(changes)
    return values


def unsaved_event(**overrides) -> Event:
    """An event that was never stored, with the UTC instants its flush would derive."""
    values = dict(
        slug="summit",
        title="Summit",
        kind=EventKind.SUMMIT,
        format=EventFormat.IN_PERSON,
        status=EventStatus.PUBLISHED,
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 6),
        timezone="Europe/Berlin",
    )
    values.update(overrides)
    event = Event(**values)
    event.refresh_derived()
    return event


def link(kind: LinkKind, state: LinkState, deadline: datetime | None = None, **event) -> EventLink:
    return EventLink(kind=kind, state=state, deadline=deadline, event=unsaved_event(**event))


# --- Slugs, addresses and zones ------------------------------------------------------------


@pytest.mark.parametrize("slug", ["summit", "openinfra-days-2025", "a", "2025", "a-b-c"])
def test_a_slug_is_lower_case_letters_and_digits_joined_by_single_hyphens(slug):
    assert is_slug(slug)


@pytest.mark.parametrize(
    "slug", ["", "Summit", "open infra", "open--infra", "-summit", "summit-", "café", "a_b", "a/b"]
)
def test_anything_else_is_not_a_slug(slug):
    assert not is_slug(slug)


def test_a_slug_has_at_most_its_maximum_length():
    assert is_slug("a" * 120)
    assert not is_slug("a" * 121)
    assert is_slug("a" * 60, max_length=60)
    assert not is_slug("a" * 61, max_length=60)


@pytest.mark.parametrize(
    "url", ["http://example.org", "https://example.org/path?q=1#top", "HTTPS://EXAMPLE.ORG"]
)
def test_an_http_url_is_an_absolute_http_or_https_address(url):
    assert is_http_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "example.org",
        "/membership",
        "//example.org/page",
        "ftp://example.org/file",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://",
        "https://exa mple.org",
        "https://example.org/\r\nSet-Cookie: a=b",
        "https://example.org\\@evil.test",
    ],
)
def test_anything_else_is_not_an_http_url(url):
    assert not is_http_url(url)


@pytest.mark.parametrize("url", ["http://[::1", "https://]example.org"])
def test_a_malformed_host_is_not_an_http_url(url):
    assert is_http_url(url) is False


@pytest.mark.parametrize("target", ["/membership", "/events/summit-2025/sponsor", "/"])
def test_a_link_may_point_at_a_path_on_this_site(target):
    assert is_link_target(target)


@pytest.mark.parametrize(
    "target", ["//evil.test/phish", "/a b", "/a\\b", "/a\x00b", "/a\nb", "javascript:alert(1)"]
)
def test_a_link_target_is_neither_another_host_without_scheme_nor_a_broken_path(target):
    assert not is_link_target(target)


def test_a_link_may_point_at_an_http_address():
    assert is_link_target("https://example.org/register")


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "America/Sao_Paulo", "Asia/Kolkata"])
def test_a_time_zone_is_named_as_iana_names_it(name):
    assert is_timezone(name)


@pytest.mark.parametrize("name", ["", "CEST", "Berlin", "europe/berlin", "Europe/Atlantis"])
def test_anything_else_is_not_a_time_zone(name):
    assert not is_timezone(name)


def test_a_wall_clock_time_skipped_by_the_clocks_going_forward_does_not_exist():
    # Berlin, 30 March 2025: 02:00 became 03:00.
    assert not exists_locally(datetime(2025, 3, 30, 2, 30), BERLIN)
    assert exists_locally(datetime(2025, 3, 30, 1, 59), BERLIN)
    assert exists_locally(datetime(2025, 3, 30, 3, 0), BERLIN)


def test_a_wall_clock_time_repeated_by_the_clocks_going_back_exists():
    # Berlin, 26 October 2025: 03:00 became 02:00 again; 02:30 happens twice.
    assert exists_locally(datetime(2025, 10, 26, 2, 30), BERLIN)


# --- Events --------------------------------------------------------------------------------


def test_a_complete_event_has_no_errors(app):
    assert event_errors(event_values()) == {}


def test_an_event_needs_a_title(app):
    assert set(event_errors(event_values(title="   "))) == {"title"}
    assert set(event_errors(event_values(title=None))) == {"title"}


@pytest.mark.parametrize("slug", ["", "Berlin 2025", "berlin--2025", "b" * 121])
def test_an_event_slug_is_lower_case_words_joined_by_hyphens(app, slug):
    assert set(event_errors(event_values(slug=slug))) == {"slug"}


def test_an_event_cannot_take_another_event_s_slug(app, make_event):
    make_event(slug="openinfra-days-berlin-2025")
    errors = event_errors(event_values(slug="openinfra-days-berlin-2025"))
    assert errors == {"slug": "Another event already has this address."}


def test_an_edited_event_keeps_its_own_slug(app, make_event):
    event = make_event(slug="openinfra-days-berlin-2025")
    assert event_errors({"slug": "openinfra-days-berlin-2025", "title": "Renamed"}, event) == {}


def test_the_slug_of_a_published_event_stays_as_it_is(app, make_event):
    event = make_event(slug="summit-2025", status=EventStatus.PUBLISHED)
    assert set(event_errors({"slug": "summit-2025-vancouver"}, event)) == {"slug"}


def test_the_slug_of_a_draft_may_change(app, make_event):
    event = make_event(slug="summit-2025", status=EventStatus.DRAFT)
    assert event_errors({"slug": "summit-2025-vancouver"}, event) == {}


def test_an_edit_is_checked_together_with_what_the_event_already_has(app, make_event):
    event = make_event(starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 6))
    assert set(event_errors({"ends_on": date(2025, 3, 5)}, event)) == {"ends_on"}
    assert set(event_errors({"title": ""}, event)) == {"title"}
    assert event_errors({"ends_on": date(2025, 3, 8)}, event) == {}


def test_an_event_needs_a_first_and_a_last_day(app):
    assert set(event_errors(event_values(starts_on=None))) == {"starts_on"}
    assert set(event_errors(event_values(ends_on=None))) == {"ends_on"}


def test_the_last_day_is_not_before_the_first(app):
    errors = event_errors(event_values(starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 5)))
    assert errors == {"ends_on": "The last day is before the first."}


@pytest.mark.parametrize("times", [(time(9, 0), None), (None, time(17, 0))])
def test_an_event_has_both_times_or_neither(app, times):
    start, end = times
    errors = event_errors(event_values(start_time=start, end_time=end))
    assert set(errors) == {"end_time"}


def test_an_all_day_event_has_no_times(app):
    assert event_errors(event_values(start_time=None, end_time=None)) == {}


def test_an_event_cannot_end_before_it_starts(app):
    same_day = dict(starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 6))
    errors = event_errors(event_values(**same_day, start_time=time(17), end_time=time(9)))
    assert errors == {"end_time": "The event ends before it starts."}


def test_an_event_cannot_end_when_it_starts(app):
    same_day = dict(starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 6))
    errors = event_errors(event_values(**same_day, start_time=time(9), end_time=time(9)))
    assert set(errors) == {"end_time"}


def test_an_event_of_several_days_may_end_earlier_in_the_day_than_it_started(app):
    values = event_values(
        starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 7), start_time=time(18), end_time=time(9)
    )
    assert event_errors(values) == {}


def test_a_time_skipped_by_the_clocks_going_forward_is_refused(app):
    night = dict(starts_on=date(2025, 3, 30), ends_on=date(2025, 3, 30))
    start = event_values(**night, start_time=time(2, 30), end_time=time(9))
    assert event_errors(start) == {
        "start_time": "02:30 does not exist on that day in Europe/Berlin."
    }
    end = event_values(**night, start_time=time(1, 0), end_time=time(2, 15))
    assert event_errors(end) == {"end_time": "02:15 does not exist on that day in Europe/Berlin."}
    # The same wall-clock times are fine where the clocks did not change that night.
    assert event_errors({**start, "timezone": "UTC"}) == {}


@pytest.mark.parametrize("zone", ["", "CET+1", "Berlin", "Europe/Atlantis"])
def test_an_event_needs_a_time_zone_by_its_iana_name(app, zone):
    # Without a zone the times cannot be checked as instants: only the zone is refused.
    assert set(event_errors(event_values(timezone=zone))) == {"timezone"}


@pytest.mark.parametrize(
    "days", [(date(1899, 12, 31), date(1900, 1, 1)), (date(2200, 12, 31), date(2201, 1, 1))]
)
def test_an_event_s_dates_are_between_1900_and_2200(app, days):
    first, last = days
    errors = event_errors(event_values(starts_on=first, ends_on=last))
    assert errors == {"starts_on": "Dates between 1900 and 2200, please."}


@pytest.mark.parametrize("country", ["XX", "Germany", "D", "DEU"])
def test_an_event_s_country_is_a_two_letter_iso_code(app, country):
    assert set(event_errors(event_values(country=country))) == {"country"}


def test_a_co_located_event_s_address_is_http(app):
    assert set(event_errors(event_values(colocated_url="javascript:alert(1)"))) == {"colocated_url"}
    assert event_errors(event_values(colocated_url="https://ptg.example.org")) == {}


def test_a_co_located_event_does_not_end_before_it_starts(app):
    values = event_values(colocated_starts_on=date(2025, 3, 5), colocated_ends_on=date(2025, 3, 4))
    assert set(event_errors(values)) == {"colocated_ends_on"}
    values.update(colocated_ends_on=date(2025, 3, 5))
    assert event_errors(values) == {}


def test_an_event_s_link_points_at_an_http_address_or_a_path_on_this_site(app):
    links = [
        LinkValues(LinkKind.REGISTER, LinkState.OPEN, "javascript:alert(1)"),
        LinkValues(LinkKind.SPONSOR, LinkState.OPEN, "/events/openinfra-days-berlin-2025/sponsor"),
        LinkValues(LinkKind.SCHEDULE, LinkState.COMING_SOON, "https://example.org/schedule"),
        LinkValues(LinkKind.CFP, LinkState.CLOSED, "ftp://example.org/cfp"),
    ]
    errors = event_errors(event_values(links=links))
    assert set(errors) == {"register-url", "cfp-url"}  # where the form shows them


def test_a_link_with_a_malformed_host_is_refused_beside_its_field(app):
    links = [LinkValues(LinkKind.REGISTER, LinkState.OPEN, "https://[example.org/register")]
    assert set(event_errors(event_values(links=links))) == {"register-url"}


# --- Projects ------------------------------------------------------------------------------


def test_a_complete_project_has_no_errors(app):
    assert project_errors({"slug": "zuul", "name": "Zuul", "url": "https://zuul-ci.org"}) == {}


def test_a_project_needs_a_name(app):
    assert set(project_errors({"slug": "zuul", "name": "  "})) == {"name"}
    assert set(project_errors({"slug": "zuul"})) == {"name"}


@pytest.mark.parametrize("slug", ["", "Zuul", "zuul ci", "z" * 61])
def test_a_project_slug_is_lower_case_words_of_at_most_60_characters(app, slug):
    assert set(project_errors({"slug": slug, "name": "Zuul"})) == {"slug"}


def test_a_project_cannot_take_another_project_s_slug(app, make_project):
    make_project("zuul")
    errors = project_errors({"slug": "zuul", "name": "Zuul again"})
    assert errors == {"slug": "Another project already has this slug."}


def test_an_edited_project_keeps_its_own_slug(app, make_project):
    project = make_project("zuul")
    assert project_errors({"name": "Zuul CI"}, project) == {}
    assert project_errors({"slug": "zuul", "name": "Zuul CI"}, project) == {}


def test_a_project_s_address_is_http(app):
    assert set(project_errors({"slug": "zuul", "name": "Zuul", "url": "zuul-ci.org"})) == {"url"}


# --- Links as visitors see them ------------------------------------------------------------

# The unsaved event below is all day on 6 March 2025 in Berlin: over at 23:00 UTC that day.
END = datetime(2025, 3, 6, 23, 0, tzinfo=UTC)
DEADLINE = datetime(2025, 2, 1, 12, 0)  # naive UTC, as stored


def test_an_open_link_closes_at_its_deadline():
    register = link(LinkKind.REGISTER, LinkState.OPEN, deadline=DEADLINE)
    assert register.state_at(datetime(2025, 2, 1, 11, 59, 59, tzinfo=UTC)) is LinkState.OPEN
    assert register.state_at(datetime(2025, 2, 1, 12, 0, tzinfo=UTC)) is LinkState.CLOSED
    # `now` in another zone is the same instant.
    assert register.state_at(datetime(2025, 2, 1, 13, 0, tzinfo=BERLIN)) is LinkState.CLOSED


def test_a_deadline_closes_only_an_open_link():
    coming = link(LinkKind.CFP, LinkState.COMING_SOON, deadline=DEADLINE)
    assert coming.state_at(datetime(2025, 2, 2, tzinfo=UTC)) is LinkState.COMING_SOON


@pytest.mark.parametrize("kind", [LinkKind.REGISTER, LinkKind.SPONSOR, LinkKind.CFP])
@pytest.mark.parametrize("state", [LinkState.OPEN, LinkState.COMING_SOON])
def test_once_the_event_is_over_register_sponsor_and_cfp_read_closed(kind, state):
    stored = link(kind, state)
    assert stored.state_at(END - timedelta(seconds=1)) is state
    assert stored.state_at(END) is LinkState.CLOSED


@pytest.mark.parametrize("state", [LinkState.OPEN, LinkState.COMING_SOON])
def test_once_the_event_is_over_the_schedule_keeps_its_state(state):
    schedule = link(LinkKind.SCHEDULE, state)
    assert schedule.state_at(END + timedelta(days=30)) is state


@pytest.mark.parametrize("kind", [LinkKind.REGISTER, LinkKind.SPONSOR])
def test_a_sold_out_link_stays_sold_out_once_the_event_is_over(kind):
    sold_out = link(kind, LinkState.SOLD_OUT, deadline=DEADLINE)
    assert sold_out.state_at(END - timedelta(days=1)) is LinkState.SOLD_OUT
    assert sold_out.state_at(END + timedelta(days=1)) is LinkState.SOLD_OUT


def test_a_link_knows_the_event_is_over_from_its_end_in_the_event_s_zone():
    # 17:00 in Vancouver on 6 March is 01:00 UTC on the 7th.
    register = link(
        LinkKind.REGISTER,
        LinkState.OPEN,
        timezone="America/Vancouver",
        start_time=time(9),
        end_time=time(17),
    )
    assert register.state_at(datetime(2025, 3, 7, 0, 59, tzinfo=UTC)) is LinkState.OPEN
    assert register.state_at(datetime(2025, 3, 7, 1, 0, tzinfo=UTC)) is LinkState.CLOSED


# --- Local times ---------------------------------------------------------------------------


def test_an_all_day_event_runs_from_midnight_to_midnight_after_its_last_day():
    event = unsaved_event(starts_on=date(2025, 3, 6), ends_on=date(2025, 3, 7))
    assert event.is_all_day
    assert event.local_start == datetime(2025, 3, 6, 0, 0, tzinfo=BERLIN)
    assert event.local_end == datetime(2025, 3, 8, 0, 0, tzinfo=BERLIN)
    assert event.local_end.tzinfo == BERLIN


def test_an_all_day_event_of_one_day_ends_at_the_next_midnight():
    event = unsaved_event(starts_on=date(2025, 12, 31), ends_on=date(2025, 12, 31))
    assert event.local_end == datetime(2026, 1, 1, 0, 0, tzinfo=BERLIN)


def test_a_timed_event_starts_and_ends_at_its_times_on_its_first_and_last_days():
    event = unsaved_event(
        starts_on=date(2025, 3, 6),
        ends_on=date(2025, 3, 7),
        start_time=time(9, 30),
        end_time=time(17, 0),
        timezone="Asia/Kolkata",
    )
    zone = ZoneInfo("Asia/Kolkata")
    assert not event.is_all_day
    assert event.local_start == datetime(2025, 3, 6, 9, 30, tzinfo=zone)
    assert event.local_end == datetime(2025, 3, 7, 17, 0, tzinfo=zone)
    # and the flush derives the same span as UTC instants
    assert event.starts_at == datetime(2025, 3, 6, 4, 0)
    assert event.ends_at == datetime(2025, 3, 7, 11, 30)


# --- Status actions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "actions"),
    [
        (EventStatus.DRAFT, {"publish"}),
        (EventStatus.PUBLISHED, {"postpone", "cancel"}),
        (EventStatus.POSTPONED, {"publish", "cancel"}),
        (EventStatus.CANCELLED, {"publish"}),
    ],
)
def test_each_status_offers_the_actions_staff_may_take_from_it(status, actions):
    assert set(status.actions) == actions


def test_each_action_leads_to_its_status():
    assert {action: target for action, (_, target) in TRANSITIONS.items()} == {
        "publish": EventStatus.PUBLISHED,
        "postpone": EventStatus.POSTPONED,
        "cancel": EventStatus.CANCELLED,
    }


def test_no_action_leads_back_to_draft_or_to_the_status_it_starts_from():
    for sources, target in TRANSITIONS.values():
        assert target is not EventStatus.DRAFT
        assert target not in sources
