"""The demo's OpenInfra Days North America 2025, field by field, for tests that need an event
as full as a real one (its page, its form, its feed). Each test takes the fields it needs:
`north_america("summary", "description")` is every field but those two."""

from datetime import date

from portal.events.models import LinkKind, LinkState

NA = "openinfra-days-north-america-2025"
NORTH_AMERICA = dict(
    slug=NA,
    title="OpenInfra Days North America 2025",
    summary="Two days of OpenInfra talks and hallway conversations, co-located with SCaLE 22x "
    "in Pasadena.",
    description="OpenInfra Days North America takes place on **March 6 & 7**; SCaLE "
    "continues until March 9.\n\nFor more information about OpenInfra community events, "
    "contact [events@openinfra.dev](mailto:events@openinfra.dev).",
    starts_on=date(2025, 3, 6),
    ends_on=date(2025, 3, 7),
    timezone="America/Los_Angeles",
    venue="Pasadena Convention Center",
    street="300 E Green St",
    city="Pasadena",
    region="CA",
    country="US",
    latitude=34.1444,
    longitude=-118.1443,
    colocated_name="SCaLE 22x",
    colocated_starts_on=date(2025, 3, 6),
    colocated_ends_on=date(2025, 3, 9),
    colocated_url="https://www.socallinuxexpo.org/scale/22x/events/open-infra-days",
    contact_email="events@openinfra.dev",
)
REGISTER = (LinkKind.REGISTER, LinkState.OPEN, "https://register.socallinuxexpo.org/reg6/")
SPONSOR = (LinkKind.SPONSOR, LinkState.OPEN, "https://openinfra.dev/events/sponsorship")
SCHEDULE_SOON = (LinkKind.SCHEDULE, LinkState.COMING_SOON, None)


def north_america(*leave_out: str, **overrides) -> dict:
    """NORTH_AMERICA's fields without those named in `leave_out`, with `overrides`."""
    unknown = set(leave_out) - set(NORTH_AMERICA)
    assert not unknown, f"no such field: {unknown}"
    fields = {key: value for key, value in NORTH_AMERICA.items() if key not in leave_out}
    return {**fields, **overrides}
