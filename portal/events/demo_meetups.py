"""The demo's recurring meetups and user groups: each meets monthly, dated from today, so the
portal always has something this month and next, registration open."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta

from sqlalchemy import select

from portal.events.demo import build_event, seed_projects
from portal.events.models import Event, EventFormat, EventKind, LinkKind, LinkState
from portal.extensions import db

# The community's recurring meetups and user groups: (slug, title, city, region, country,
# zone, venue, street, week of the month (-1: the last), weekday (0: Monday), start hour,
# group page). Each meets monthly in the evening, registration open.
MEETUPS = (
    ("openinfra-bay-area", "OpenInfra Bay Area Meetup", "San Francisco", "CA", "US",
     "America/Los_Angeles", "GitHub HQ", "88 Colin P Kelly Jr St", 2, 1, 18,
     "https://www.meetup.com/openinfra-bay-area/"),
    ("openinfra-user-group-berlin", "OpenInfra User Group Berlin", "Berlin", None, "DE",
     "Europe/Berlin", "betahaus", "Rudi-Dutschke-Straße 23", 1, 3, 19,
     "https://www.meetup.com/openinfra-berlin/"),
    ("openinfra-tokyo-meetup", "OpenInfra Tokyo Meetup", "Tokyo", None, "JP", "Asia/Tokyo",
     "LINE Yahoo Corporation, Kioicho", "1-3 Kioicho, Chiyoda-ku", 3, 2, 19,
     "https://openinfra-jp.connpass.com/"),
    ("openinfra-india-bangalore", "OpenInfra India Bangalore Meetup", "Bangalore", "KA", "IN",
     "Asia/Kolkata", "IBM India Software Lab", "Embassy Golf Links, Domlur", -1, 5, 10,
     "https://www.meetup.com/openinfra-india/"),
    ("openinfra-brasil-sao-paulo", "OpenInfra Brasil São Paulo Meetup", "São Paulo", "SP",
     "BR", "America/Sao_Paulo", "Red Hat Brasil", "Av. Brigadeiro Faria Lima, 3900", -1, 1, 19,
     "https://www.meetup.com/openinfra-brasil/"),
    ("openstack-nordic-stockholm", "OpenStack Nordic User Group Stockholm", "Stockholm", None,
     "SE", "Europe/Stockholm", "Ericsson Studio", "Grönlandsgatan 8, Kista", 4, 3, 18,
     "https://www.meetup.com/openstack-nordic/"),
)  # fmt: skip
MEETUP_MONTHS = 3  # this month and the two after it


def _nth_weekday(year: int, month: int, week: int, weekday: int) -> date:
    if week > 0:
        first = date(year, month, 1)
        return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (week - 1))
    following = date(year + month // 12, month % 12 + 1, 1)
    last = following - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - weekday) % 7)


def meetups(today: date) -> Iterator[dict]:
    """Each group's meetings of this month and the next two, dated from `today`."""
    for number in range(MEETUP_MONTHS):
        month_index = today.year * 12 + today.month - 1 + number
        year, month = divmod(month_index, 12)
        for (
            slug,
            title,
            city,
            region,
            country,
            zone,
            venue,
            street,
            week,
            weekday,
            hour,
            url,
        ) in MEETUPS:
            day = _nth_weekday(year, month + 1, week, weekday)
            yield dict(
                slug=f"{slug}-{day:%Y-%m}",
                title=f"{title}, {day:%B %Y}",
                kind=EventKind.MEETUP,
                format=EventFormat.IN_PERSON,
                starts_on=day,
                ends_on=day,
                start_time=time(hour),
                end_time=time(hour + 2, 30),
                timezone=zone,
                venue=venue,
                street=street,
                city=city,
                region=region,
                country=country,
                summary=f"The monthly meetup of the {city} community: two talks on open "
                "infrastructure, then questions and drinks.",
                projects=["openinfra", "openstack"],
                links=[(LinkKind.REGISTER, LinkState.OPEN, url, None)],
            )


def seed_meetups(today: date) -> int:
    """Add the meetups of this month and the next two that are missing. The caller commits."""
    projects = seed_projects()
    existing = set(db.session.scalars(select(Event.slug).where(Event.kind == EventKind.MEETUP)))
    added = [build_event(v, projects) for v in meetups(today) if v["slug"] not in existing]
    db.session.add_all(added)
    return len(added)
