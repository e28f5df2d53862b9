"""Pages run the same number of SQL statements for a few events or many (no N+1)."""

from datetime import date, timedelta

import pytest

from portal.core import version
from portal.events.models import EventStatus, LinkKind, LinkState

pytestmark = pytest.mark.usefixtures("frozen_now")


@pytest.fixture
def settings():
    """Statement counts of a render: the page cache would answer the repeated requests."""
    return {"PAGE_CACHE": False}


def add_events(make_event, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        day = date(2025, 1, 1) + timedelta(days=number % 300)
        make_event(
            starts_on=day,
            ends_on=day,
            projects=("openstack", "zuul"),
            links=((LinkKind.REGISTER, LinkState.OPEN, "https://example.org"),),
            country=("US", "DE", "FR")[number % 3],
        )


@pytest.mark.parametrize("path", ["/", "/events", "/events?q=event&format=in_person"])
def test_list_pages_do_not_grow_with_the_data(client, make_event, count_queries, path):
    add_events(make_event, 3)
    client.get(path)  # warm caches of the first request
    with count_queries() as few:
        assert client.get(path).status_code == 200
    add_events(make_event, 40, start=3)
    client.get(path)  # the new version's filter choices, read once per version
    with count_queries() as many:
        assert client.get(path).status_code == 200
    assert many.total == few.total, many.statements


def test_event_page_does_not_grow_with_projects_or_links(client, make_event, count_queries):
    small = make_event(projects=("openstack",)).slug
    big = make_event(
        projects=("openstack", "zuul", "starlingx", "kata-containers"),
        links=(
            (LinkKind.REGISTER, LinkState.OPEN, "https://example.org/r"),
            (LinkKind.SPONSOR, LinkState.OPEN, "https://example.org/s"),
            (LinkKind.SCHEDULE, LinkState.COMING_SOON, None),
        ),
    ).slug
    with count_queries() as one:
        client.get(f"/events/{small}")
    with count_queries() as four:
        client.get(f"/events/{big}")
    assert one.total == four.total <= 3


def test_event_page_does_not_grow_with_previous_editions(client, make_event, count_queries):
    def chain(length: int, name: str):
        previous = None
        for year in range(2025 - length, 2026):
            previous = make_event(
                slug=f"{name}-{year}",
                title=f"{name} {year}",
                starts_on=date(year, 3, 6),
                ends_on=date(year, 3, 6),
                status=EventStatus.DRAFT if year == 2022 else EventStatus.PUBLISHED,
                previous_edition_id=previous.id if previous else None,
            )

    chain(1, "short")
    chain(5, "long")
    with count_queries() as short:
        client.get("/events/short-2025")
    with count_queries() as long:
        page = client.get("/events/long-2025").get_data(as_text=True)
    assert short.total == long.total
    editions = page.split("Previous editions", 1)[1]
    found = [year for year in range(2020, 2025) if f'href="/events/long-{year}"' in editions]
    assert found == [2020, 2021, 2023, 2024]  # the draft of 2022 left out
    assert editions.index("long-2024") < editions.index("long-2023") < editions.index("long-2020")


def test_reading_the_catalogue_version_again_does_not_read_every_deadline(
    app, client, make_event, count_queries
):
    add_events(make_event, 3)
    version.memo().ttl = 0  # the version is read on every request
    client.get("/events")
    with count_queries() as counted:
        assert client.get("/events").status_code == 200
    # The next instant a page changes by itself (the soonest end or link deadline) is asked
    # once it has passed or the version changed, not again with every read of the version.
    soonest = [s for s in counted.statements if "min(event_link.deadline)" in s.lower()]
    assert not soonest, counted.statements
    assert [s for s in counted.statements if "catalogue_state" in s]
