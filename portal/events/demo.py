"""The demo catalogue: the OpenInfra community's real 2024-2025 events, and synthetic ones."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from portal.core.db import as_naive_utc
from portal.events import slugs
from portal.events.models import (
    Event,
    EventFormat,
    EventKind,
    EventLink,
    EventStatus,
    LinkKind,
    LinkState,
    Project,
)
from portal.events.rules import LinkValues
from portal.extensions import db

PROJECTS = [
    ("openinfra", "OpenInfra", "https://openinfra.dev"),
    ("openstack", "OpenStack", "https://www.openstack.org"),
    ("kata-containers", "Kata Containers", "https://katacontainers.io"),
    ("starlingx", "StarlingX", "https://www.starlingx.io"),
    ("zuul", "Zuul", "https://zuul-ci.org"),
]

PT = ZoneInfo("America/Los_Angeles")
PTG_URL = "https://openinfra.dev/ptg/"
SPONSORSHIP_URL = "https://openinfra.dev/events/sponsorship"
PTG_SUMMARY = (
    "The Project Teams Gathering: contributors to OpenInfra projects meet online for a week "
    "to plan the next release cycle."
)


def _pt_deadline(day: date) -> datetime:
    """Deadlines are announced as '23:59 PT'."""
    return as_naive_utc(datetime.combine(day, time(23, 59), PT))


def _ptg(slug: str, title: str, first: date, last: date, **extra) -> dict:
    return dict(
        slug=slug,
        title=title,
        kind=EventKind.PTG,
        format=EventFormat.VIRTUAL,
        starts_on=first,
        ends_on=last,
        timezone="UTC",
        summary=PTG_SUMMARY,
        contact_email="ptg@openinfra.dev",
        projects=["openstack", "kata-containers", "starlingx", "zuul"],
        **extra,
    )


def _days(slug: str, title: str, day: date, city: str, country: str, zone: str, **extra) -> dict:
    values = dict(
        slug=slug,
        title=title,
        kind=EventKind.OPENINFRA_DAYS,
        format=EventFormat.IN_PERSON,
        starts_on=day,
        ends_on=day,
        timezone=zone,
        city=city,
        country=country,
        contact_email="events@openinfra.dev",
        projects=["openinfra", "openstack"],
    )
    values.update(extra)
    return values


EVENTS: list[dict] = [
    _ptg(
        "ptg-april-2024",
        "PTG April 2024",
        date(2024, 4, 8),
        date(2024, 4, 12),
        links=[(LinkKind.REGISTER, LinkState.CLOSED, PTG_URL, None)],
    ),
    _days(
        "openinfra-day-sweden-2024",
        "OpenInfra Day Sweden",
        date(2024, 5, 7),
        "Gothenburg",
        "SE",
        "Europe/Stockholm",
        venue="Volvohallen",
        summary="Part of the OpenInfra Days Europe series.",
    ),
    _days(
        "openinfra-day-germany-2024",
        "OpenInfra Day Germany",
        date(2024, 5, 15),
        "Berlin",
        "DE",
        "Europe/Berlin",
        venue="Villa Elisabeth",
        summary="Part of the OpenInfra Days Europe series, with the Sovereign Cloud Stack Summit.",
        colocated_name="Sovereign Cloud Stack Summit",
        colocated_starts_on=date(2024, 5, 14),
        colocated_ends_on=date(2024, 5, 14),
    ),
    _days(
        "openinfra-day-turkiye-2024",
        "OpenInfra Day Türkiye",
        date(2024, 5, 20),
        "Istanbul",
        "TR",
        "Europe/Istanbul",
        venue="Boğaziçi University",
        summary="Part of the OpenInfra Days Europe series.",
    ),
    _days(
        "openinfra-day-france-2024",
        "OpenInfra Day France",
        date(2024, 5, 22),
        "Paris-Saclay",
        "FR",
        "Europe/Paris",
        venue="EDF Lab Paris-Saclay",
        summary="Part of the OpenInfra Days Europe series.",
    ),
    _days(
        "openinfra-meetup-switzerland-2024",
        "OpenInfra Meetup Switzerland",
        date(2024, 6, 6),
        "Geneva",
        "CH",
        "Europe/Zurich",
        kind=EventKind.MEETUP,
        venue="CERN",
        summary="A community meetup hosted at CERN.",
        links=[(LinkKind.REGISTER, LinkState.SOLD_OUT, None, None)],
    ),
    _days(
        "openinfra-summit-asia-2024",
        "OpenInfra Summit Asia 2024",
        date(2024, 9, 3),
        "Suwon",
        "KR",
        "Asia/Seoul",
        kind=EventKind.SUMMIT,
        ends_on=date(2024, 9, 4),
        venue="Suwon Convention Center",
        summary="The OpenInfra Summit in Asia, with the OCP Regional Summit APAC "
        "and Ceph Days Asia.",
        colocated_name="OCP Regional Summit APAC and Ceph Days Asia",
        contact_email="summit@openinfra.dev",
        projects=["openinfra", "openstack", "kata-containers", "starlingx", "zuul"],
    ),
    _ptg(
        "ptg-october-2024",
        "PTG October 2024",
        date(2024, 10, 21),
        date(2024, 10, 25),
        description="More than 34 teams and 650 attendees met online to plan the 2025.1 Epoxy "
        "cycle. Read the [OpenStack teams' recaps](https://www.openstack.org/blog/"
        "openstack-teams-advance-2025-1-epoxy-plans-at-openinfra-ptg/).",
        links=[(LinkKind.REGISTER, LinkState.CLOSED, PTG_URL, None)],
    ),
    _days(
        "openstack-15th-birthday-fosdem-2025",
        "OpenStack 15th Birthday at FOSDEM",
        date(2025, 2, 1),
        "Brussels",
        "BE",
        "Europe/Brussels",
        kind=EventKind.COMMUNITY_EVENT,
        summary="Celebrating fifteen years of OpenStack during FOSDEM.",
        colocated_name="FOSDEM 2025",
        colocated_starts_on=date(2025, 2, 1),
        colocated_ends_on=date(2025, 2, 2),
        colocated_url="https://fosdem.org/2025/",
        projects=["openstack"],
    ),
    _days(
        "openinfra-days-north-america-2025",
        "OpenInfra Days North America 2025",
        date(2025, 3, 6),
        "Pasadena",
        "US",
        "America/Los_Angeles",
        ends_on=date(2025, 3, 7),
        region="CA",
        venue="Pasadena Convention Center",
        street="300 E Green St",
        latitude=34.1444,
        longitude=-118.1443,
        summary="Two days of OpenInfra talks and hallway conversations, co-located with SCaLE 22x "
        "in Pasadena.",
        description="OpenInfra Days North America takes place on **March 6 & 7**; SCaLE continues "
        "until March 9.\n\nFor more information about OpenInfra community events, contact "
        "[events@openinfra.dev](mailto:events@openinfra.dev).",
        colocated_name="SCaLE 22x",
        colocated_starts_on=date(2025, 3, 6),
        colocated_ends_on=date(2025, 3, 9),
        colocated_url="https://www.socallinuxexpo.org/scale/22x/events/open-infra-days",
        links=[
            (LinkKind.REGISTER, LinkState.OPEN, "https://register.socallinuxexpo.org/reg6/", None),
            (LinkKind.SPONSOR, LinkState.OPEN, SPONSORSHIP_URL, None),
            (LinkKind.SCHEDULE, LinkState.COMING_SOON, None, None),
        ],
    ),
    _ptg(
        "ptg-april-2025",
        "PTG April 2025",
        date(2025, 4, 7),
        date(2025, 4, 11),
        links=[(LinkKind.REGISTER, LinkState.OPEN, PTG_URL, None)],
    ),
    _days(
        "openinfra-user-group-sweden-10th-anniversary",
        "OpenInfra User Group Sweden 10th anniversary",
        date(2025, 5, 22),
        "Stockholm",
        "SE",
        "Europe/Stockholm",
        kind=EventKind.MEETUP,
        venue="Biograf Skandia",
        summary="Ten years of the OpenInfra user group in Sweden.",
    ),
    _days(
        "openinfra-day-indonesia-2025",
        "OpenInfra Day Indonesia",
        date(2025, 7, 19),
        "Yogyakarta",
        "ID",
        "Asia/Jakarta",
        links=[
            (LinkKind.CFP, LinkState.COMING_SOON, None, None),
            (LinkKind.SPONSOR, LinkState.COMING_SOON, None, None),
        ],
    ),
    _days(
        "openinfra-day-vietnam-2025",
        "OpenInfra Day Vietnam",
        date(2025, 7, 26),
        "Hanoi",
        "VN",
        "Asia/Ho_Chi_Minh",
    ),
    _days(
        "cloud-operator-days-tokyo-2025",
        "Cloud Operator Days Tokyo 2025",
        date(2025, 9, 5),
        "Tokyo",
        "JP",
        "Asia/Tokyo",
        kind=EventKind.COMMUNITY_EVENT,
        format=EventFormat.HYBRID,
        summary="Online sessions through July, closing with a day in Tokyo on September 5.",
    ),
    _days(
        "openinfra-days-korea-2025",
        "OpenInfra Days Korea 2025",
        date(2025, 8, 26),
        "Seoul",
        "KR",
        "Asia/Seoul",
        contact_email="sponsor@openinfradays.kr",
    ),
    _days(
        "openinfra-days-kenya-2025",
        "OpenInfra Days Kenya",
        date(2025, 9, 6),
        "Nairobi",
        "KE",
        "Africa/Nairobi",
    ),
    _days(
        "openinfra-summit-europe-2025",
        "OpenInfra Summit Europe 2025",
        date(2025, 10, 17),
        "Palaiseau",
        "FR",
        "Europe/Paris",
        kind=EventKind.SUMMIT,
        ends_on=date(2025, 10, 19),
        venue="École Polytechnique",
        summary="The OpenInfra Summit in Europe, with Virtualization Migration Day on October 18.",
        contact_email="summit@openinfra.dev",
        projects=["openinfra", "openstack", "kata-containers", "starlingx", "zuul"],
        links=[
            (LinkKind.CFP, LinkState.OPEN, None, _pt_deadline(date(2025, 6, 13))),
            (LinkKind.SPONSOR, LinkState.OPEN, None, _pt_deadline(date(2025, 9, 26))),
        ],
    ),
    _ptg(
        "ptg-october-2025",
        "PTG October 2025",
        date(2025, 10, 27),
        date(2025, 10, 31),
        links=[(LinkKind.REGISTER, LinkState.OPEN, PTG_URL, None)],
    ),
    _days(
        "openinfra-days-china-2025",
        "OpenInfra Days China 2025",
        date(2025, 11, 15),
        "Hangzhou",
        "CN",
        "Asia/Shanghai",
        summary="OpenInfra Days China, held with KCD Hangzhou.",
        colocated_name="KCD Hangzhou",
    ),
]


def seed_projects() -> dict[str, Project]:
    existing = {p.slug: p for p in db.session.scalars(select(Project))}
    for position, (slug, name, url) in enumerate(PROJECTS):
        if slug not in existing:
            existing[slug] = Project(slug=slug, name=name, url=url, position=position)
            db.session.add(existing[slug])
    return existing


def build_event(values: dict, projects: dict[str, Project]) -> Event:
    values = dict(values)
    links = values.pop("links", [])
    slugs = values.pop("projects", [])
    event = Event(status=EventStatus.PUBLISHED, **values)
    event.projects = [projects[slug] for slug in slugs]
    event.links = [
        EventLink(kind=kind, state=state, url=url, deadline=deadline, position=position)
        for position, (kind, state, url, deadline) in enumerate(links)
    ]
    return event


def seed_events() -> int:
    """Adds the demo events that are missing; events already there are left as staff left them."""
    projects = seed_projects()
    existing = set(db.session.scalars(select(Event.slug)))
    added = [build_event(v, projects) for v in EVENTS if v["slug"] not in existing]
    db.session.add_all(added)
    db.session.commit()
    return len(added)


# The yearly series, each by its latest real edition: the Summit, each region's OpenInfra Days
# and the two PTGs a year. `project_series` carries each forward through the same next-edition
# operation staff use, so that the demo is alive on any date.
SERIES = (
    "openinfra-summit-europe-2025",
    "ptg-april-2025",
    "ptg-october-2025",
    "openinfra-days-north-america-2025",
    "openinfra-day-sweden-2024",
    "openinfra-day-germany-2024",
    "openinfra-day-turkiye-2024",
    "openinfra-day-france-2024",
    "openinfra-day-indonesia-2025",
    "openinfra-day-vietnam-2025",
    "openinfra-days-korea-2025",
    "openinfra-days-kenya-2025",
    "cloud-operator-days-tokyo-2025",
    "openinfra-days-china-2025",
)
HORIZON = timedelta(days=365)
YEAR = timedelta(weeks=52)  # a year later on the same weekdays


def project_series(today: date) -> int:
    """Carry each yearly series through the years up to a year past `today`: the editions
    already over as events that happened (dated, their links closed), the ones to come
    published with dates to be confirmed and links coming soon. Running it again adds
    nothing; a year later it adds the next editions. The caller commits."""
    from portal.events import operations, queries  # the demo builds on the operations

    added = 0
    for slug in SERIES:
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        while event is not None and (following := queries.next_edition(event, False)):
            event = following
        if event is None or event.is_cancelled:
            continue
        while event.starts_on + YEAR <= today + HORIZON:
            previous = event
            first, last = previous.starts_on + YEAR, previous.ends_on + YEAR
            over = last < today
            event = operations.next_edition(
                previous,
                None,
                first,
                last,
                today=first,  # an edition already over is history, not a plan
                status=EventStatus.PUBLISHED,
                dates_to_be_confirmed=not over,
            )
            # What the last edition said of itself (a side event on a given day) is not yet
            # known of this one: say only what is, for a visitor.
            values: dict = {"summary": visitor_summary(event, over), "description": ""}
            if over:  # it happened: its links are closed, as an over event's are
                values["links"] = [
                    LinkValues(link.kind, LinkState.CLOSED, link.url) for link in previous.links
                ]
            operations.update_event(event, values, None)
            added += 1
    return added


def visitor_summary(event: Event, over: bool) -> str:
    """'The yearly OpenInfra Day in Gothenburg, planned for May 2027; its dates are to be
    confirmed.' (or 'held in May 2026.' once over)."""
    series = slugs.YEAR.sub("", event.title).strip()
    if event.kind is EventKind.PTG:
        what = f"The {event.starts_on:%B} Project Teams Gathering, online"
    elif event.city:
        what = f"The yearly {series} in {event.city}"
    else:
        what = f"The yearly {series}"
    month = f"{event.starts_on:%B %Y}"
    if over:
        return f"{what}, held in {month}."
    return f"{what}, planned for {month}; its dates are to be confirmed."


CITIES = [
    ("Pasadena", "CA", "US", "America/Los_Angeles"),
    ("Austin", "TX", "US", "America/Chicago"),
    ("Berlin", None, "DE", "Europe/Berlin"),
    ("Paris", None, "FR", "Europe/Paris"),
    ("Gothenburg", None, "SE", "Europe/Stockholm"),
    ("Seoul", None, "KR", "Asia/Seoul"),
    ("Tokyo", None, "JP", "Asia/Tokyo"),
    ("Nairobi", None, "KE", "Africa/Nairobi"),
    ("São Paulo", "SP", "BR", "America/Sao_Paulo"),
    ("Bangalore", "KA", "IN", "Asia/Kolkata"),
    ("Hanoi", None, "VN", "Asia/Ho_Chi_Minh"),
    ("Sydney", "NSW", "AU", "Australia/Sydney"),
]
TOPICS = ["Cloud", "Edge", "Containers", "CI/CD", "Networking", "Storage", "Security", "AI"]


def synthetic_events(count: int, today: date) -> Iterator[dict]:
    """Deterministic generated events over the two years around `today`, about half upcoming."""
    # Reproducible demo data, not secrets.
    rng = random.Random(20250306)  # noqa: S311  # nosec B311
    kinds = list(EventKind)
    slugs = [slug for slug, _, _ in PROJECTS]
    for number in range(1, count + 1):
        offset = rng.randint(-365, 364)
        length = rng.choice([0, 0, 0, 1, 1, 2, 4])
        city, region, country, zone = rng.choice(CITIES)
        fmt = rng.choice([EventFormat.IN_PERSON] * 3 + [EventFormat.VIRTUAL, EventFormat.HYBRID])
        timed = rng.random() < 0.3
        topic = rng.choice(TOPICS)
        kind = rng.choice(kinds)
        chosen = rng.sample(slugs, rng.randint(1, 2))
        first = today + timedelta(days=offset)
        yield dict(
            slug=f"synthetic-{number:06d}",
            title=f"{topic} {kind.label} {city} #{number}",
            summary=f"A generated {kind.label} about {topic.lower()} in {city}.",
            kind=kind,
            format=fmt,
            starts_on=first,
            ends_on=first + timedelta(days=length),
            start_time=time(9) if timed else None,
            end_time=time(17) if timed else None,
            timezone="UTC" if fmt is EventFormat.VIRTUAL else zone,
            city=None if fmt is EventFormat.VIRTUAL else city,
            region=None if fmt is EventFormat.VIRTUAL else region,
            country=None if fmt is EventFormat.VIRTUAL else country,
            projects=chosen,
            links=[(LinkKind.REGISTER, LinkState.OPEN, "https://openinfra.dev/", None)],
        )
