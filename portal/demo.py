"""`flask seed-demo`: the demo data of every feature, safe to run again."""

from datetime import UTC, datetime

import click
from flask.cli import with_appcontext
from sqlalchemy import select, text

from portal.events import demo as events_demo
from portal.events import demo_meetups
from portal.events.models import Event
from portal.extensions import db
from portal.inquiries.demo import seed_routing
from portal.inquiries.synthetic import seed_synthetic_inquiries
from portal.offer.demo import seed_packages, seed_tiers

BATCH = 1000


@click.command("seed-demo")
@click.option(
    "--synthetic",
    type=click.IntRange(0, 1_000_000),
    default=0,
    metavar="N",
    help="Also add N generated events over the two years around today (about half upcoming).",
)
@click.option(
    "--synthetic-inquiries",
    type=click.IntRange(0, 10_000_000),
    default=0,
    metavar="N",
    help="Also add N generated inquiries over the last two years, each with its mail (sent).",
)
@with_appcontext
def seed_demo(synthetic: int, synthetic_inquiries: int) -> None:
    """Load the demo data: real OpenInfra events and projects, membership tiers, sponsorship
    packages, staff contacts and routing rules. Running it twice changes nothing."""
    added = events_demo.seed_events()
    click.echo(f"Events: {added} added, {len(events_demo.EVENTS) - added} already there.")
    # What is missing is added; what is there is left as staff left it.
    membership, packages, routing = seed_tiers(), seed_packages(), seed_routing()
    db.session.commit()
    click.echo(
        f"Membership tiers and members: {membership} added; sponsorship packages: {packages} "
        f"added; staff contacts and routing rules: {routing} added."
    )
    today = datetime.now(UTC).date()
    editions = events_demo.project_series(today)
    db.session.commit()
    click.echo(
        f"Editions up to today and next of the yearly series (dates to be confirmed): "
        f"{editions} added."
    )
    meetings = demo_meetups.seed_meetups(today)
    db.session.commit()
    click.echo(f"Meetups and user groups of this month and the next two: {meetings} added.")
    if synthetic:
        _seed_synthetic(synthetic)
    if synthetic_inquiries:
        with click.progressbar(length=synthetic_inquiries, label="Synthetic inquiries") as bar:
            added = seed_synthetic_inquiries(synthetic_inquiries, bar.update)
        click.echo(f"Synthetic inquiries: {added} added, each with its two messages.")
        _analyze()


def _seed_synthetic(count: int) -> None:
    projects = events_demo.seed_projects()
    existing = set(db.session.scalars(select(Event.slug).where(Event.slug.like("synthetic-%"))))
    today = datetime.now(UTC).date()
    added = 0
    batch: list[Event] = []
    with click.progressbar(
        events_demo.synthetic_events(count, today), length=count, label="Synthetic events"
    ) as rows:
        for values in rows:
            if values["slug"] in existing:
                continue
            batch.append(events_demo.build_event(values, projects))
            if len(batch) == BATCH:
                added += _commit(batch)
        added += _commit(batch)
    click.echo(f"Synthetic events: {added} added, {count - added} already there.")
    if added:
        _analyze()


def _analyze() -> None:
    if db.engine.dialect.name == "postgresql":
        # Fresh statistics for PostgreSQL's planner after a bulk load. (SQLite's plans for
        # these lists are better from its built-in heuristics than from ANALYZE's statistics.)
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def _commit(batch: list[Event]) -> int:
    db.session.add_all(batch)
    db.session.commit()
    db.session.expunge_all()
    done = len(batch)
    batch.clear()
    return done
