"""`flask seed-demo`: the real catalogue, idempotent, and synthetic events at scale."""

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from portal.events.demo import EVENTS
from portal.events.models import Event, EventLink, Project
from portal.extensions import db
from portal.inquiries.demo import seed_routing
from portal.inquiries.models import RoutingRule, StaffContact
from portal.offer.demo import seed_packages, seed_tiers
from portal.offer.models import Member, MembershipTier, SponsorshipPackage


def counts() -> tuple[int, int, int]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Event, Project, EventLink)
    )


def test_seed_demo_loads_the_catalogue_and_a_second_run_changes_nothing(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert f"Events: {len(EVENTS)} added" in result.output
    first = counts()
    projected = int(re.search(r"series \(dates to be confirmed\): (\d+) added", result.output)[1])
    meetups = int(re.search(r"the next two: (\d+) added", result.output)[1])
    assert first[0] == len(EVENTS) + projected + meetups and len(EVENTS) == 20
    assert meetups >= 12
    assert first[1] == 5
    stamps = dict(db.session.execute(select(Event.slug, Event.updated_at)).all())

    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert f"0 added, {len(EVENTS)} already there" in result.output
    assert "series (dates to be confirmed): 0 added" in result.output
    assert "the next two: 0 added" in result.output
    assert counts() == first
    db.session.expire_all()
    assert dict(db.session.execute(select(Event.slug, Event.updated_at)).all()) == stamps


def test_seed_demo_holds_the_contract_facts(runner):
    runner.invoke(args=["seed-demo"])
    event = db.session.scalar(
        select(Event).where(Event.slug == "openinfra-days-north-america-2025")
    )
    assert (event.starts_on.isoformat(), event.ends_on.isoformat()) == ("2025-03-06", "2025-03-07")
    assert (event.city, event.region, event.country) == ("Pasadena", "CA", "US")
    assert event.timezone == "America/Los_Angeles"
    assert event.colocated_name == "SCaLE 22x"
    assert [link.kind.value for link in event.links] == ["register", "sponsor", "schedule"]
    assert event.links[2].state.value == "coming_soon"
    real = Event.previous_edition_id.is_(None)
    virtual = db.session.scalars(select(Event.slug).where(Event.format == "virtual", real)).all()
    assert set(virtual) == {
        "ptg-april-2024",
        "ptg-october-2024",
        "ptg-april-2025",
        "ptg-october-2025",
    }


def test_synthetic_events_spread_over_two_years_about_half_upcoming(runner):
    result = runner.invoke(args=["seed-demo", "--synthetic", "400"])
    assert result.exit_code == 0, result.output
    assert "Synthetic events: 400 added" in result.output
    synthetic = select(Event).where(Event.slug.like("synthetic-%"))
    events = db.session.scalars(synthetic).all()
    assert len(events) == 400
    today = datetime.now(UTC).date()
    assert all(abs((e.starts_on - today).days) <= 366 for e in events)
    upcoming = sum(e.ends_on >= today for e in events)
    assert 150 < upcoming < 250
    assert all(e.projects and e.search_text for e in events)

    result = runner.invoke(args=["seed-demo", "--synthetic", "400"])
    assert "Synthetic events: 0 added, 400 already there" in result.output
    assert db.session.scalar(select(func.count()).select_from(synthetic.subquery())) == 400


def test_synthetic_rejects_a_negative_count(runner):
    result = runner.invoke(args=["seed-demo", "--synthetic", "-5"])
    assert result.exit_code == 2
    assert "Invalid value" in result.output


def test_seeding_twice_changes_nothing(app, seeded):
    def inquiry_counts():
        models = (MembershipTier, Member, SponsorshipPackage, StaffContact, RoutingRule)
        return [db.session.scalar(select(func.count()).select_from(m)) for m in models]

    def seed() -> tuple[int, int, int]:
        return seed_tiers(), seed_packages(), seed_routing()

    assert seed() == (5, 9, 8)
    first = inquiry_counts()
    assert first == [4, 1, 9, 5, 3]
    assert seed() == (0, 0, 0)
    assert inquiry_counts() == first
    default = db.session.scalar(select(StaffContact).where(StaffContact.is_default.is_(True)))
    assert default.email == "info@openinfra.dev"


def test_seed_demo_command_reports_the_inquiry_data(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert "Membership tiers and members: 5 added" in result.output
    result = runner.invoke(args=["seed-demo"])
    assert "Membership tiers and members: 0 added; sponsorship packages: 0 added" in result.output


CARD = re.compile(r'<article class="event-card')


@pytest.mark.parametrize(
    "moment",
    [datetime(2024, 11, 20, 12, tzinfo=UTC), datetime(2026, 12, 1, 9, tzinfo=UTC),
     datetime(2030, 6, 15, 9, tzinfo=UTC)],
    ids=["2024-11-20", "2026-12-01", "2030-06-15"],
)  # fmt: skip
def test_the_demo_is_alive_on_any_date(runner, client, travel, moment):
    travel(moment)
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    home = client.get("/").get_data(as_text=True)
    listing = client.get("/events").get_data(as_text=True)
    assert len(CARD.findall(home)) >= 5
    assert len(CARD.findall(listing)) >= 5
    assert "No upcoming events" not in listing
    today = moment.date()
    upcoming = db.session.scalars(select(Event).where(Event.ends_on >= today)).all()
    assert len(upcoming) >= 5
    projected = [
        event
        for event in upcoming
        if event.previous_edition_id is not None and event.starts_on > today
    ]
    assert all(event.dates_to_be_confirmed for event in projected)
    assert all(link.state.value == "coming_soon" for e in projected for link in e.links)
    assert all((event.starts_on - today).days <= 366 for event in projected)
    assert all("dates are to be confirmed" in e.summary and not e.description for e in projected)
    assert ", dates to be confirmed" in listing or not projected

    before = counts()
    again = runner.invoke(args=["seed-demo"])
    assert "series (dates to be confirmed): 0 added" in again.output
    assert counts() == before


def test_a_year_later_the_demo_adds_the_next_editions(runner, travel):
    travel(datetime(2026, 12, 1, 9, tzinfo=UTC))
    runner.invoke(args=["seed-demo"])
    first = counts()[0]
    travel(datetime(2027, 12, 1, 9, tzinfo=UTC))
    result = runner.invoke(args=["seed-demo"])
    assert "Events: 0 added" in result.output
    assert counts()[0] > first
    latest = db.session.scalar(select(Event).where(Event.slug == "openinfra-summit-europe-2028"))
    assert latest is not None and latest.dates_to_be_confirmed
