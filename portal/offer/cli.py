"""`flask --app app sponsors add` and `flask --app app members add`: sponsorships and
memberships agreed outside the portal, recorded as the inbox's "Confirm" records them."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from portal.core.errors import Refused
from portal.core.saving import Conflict, saving
from portal.events.models import Event
from portal.extensions import db
from portal.offer import directory, logos, sponsors
from portal.offer.models import MembershipTier, SponsorshipPackage

sponsors_cli = AppGroup("sponsors", help="Sponsors of events.")
members_cli = AppGroup("members", help="Members of the directory.")


def _logo(path: str | None) -> logos.Logo | None:
    if path is None:
        return None
    file = Path(path)
    if file.stat().st_size > logos.MAX_BYTES:
        raise Refused({"logo": "The logo is larger than 1 MB; at most 1 MB is taken."})
    return logos.read(file.read_bytes(), file.name)


def _run(work) -> None:
    try:
        with saving():
            click.echo(work())
    except Refused as refused:
        raise click.ClickException(str(refused)) from None
    except Conflict as conflict:
        raise click.ClickException(conflict.description) from None


LOGO = click.option(
    "--logo", type=click.Path(exists=True, dir_okay=False), help="PNG, JPEG or WebP, ≤ 1 MB."
)


@sponsors_cli.command("add")
@click.argument("event_slug")
@click.option("--organization", required=True)
@click.option("--package", "package_slug", required=True, metavar="PACKAGE_SLUG")
@click.option("--url", default=None)
@LOGO
def add_sponsor(event_slug, organization, package_slug, url, logo) -> None:
    """Record ORGANIZATION as a sponsor of the event EVENT_SLUG with one of its packages."""

    def work() -> str:
        event = db.session.scalar(select(Event).where(Event.slug == event_slug))
        if event is None:
            raise Refused({"event": f"No event has the slug {event_slug!r}."})
        package = db.session.scalar(
            select(SponsorshipPackage).where(
                SponsorshipPackage.event_id == event.id, SponsorshipPackage.slug == package_slug
            )
        )
        values = sponsors.SponsorValues(organization, url, package)
        sponsor = sponsors.add_sponsor(event, values, _logo(logo), None)
        left = sponsor.package.available
        more = "" if left is None else f"; {left} left"
        return f"{sponsor.organization} sponsors {event.title} ({sponsor.package.name}{more})."

    _run(work)


@members_cli.command("add")
@click.option("--organization", required=True)
@click.option("--tier", "tier_slug", required=True, metavar="TIER_SLUG")
@click.option("--url", default=None)
@LOGO
def add_member(organization, tier_slug, url, logo) -> None:
    """Record ORGANIZATION as a member at the tier TIER_SLUG."""

    def work() -> str:
        tier = db.session.scalar(select(MembershipTier).where(MembershipTier.slug == tier_slug))
        if tier is None:
            raise Refused({"tier": f"No tier has the slug {tier_slug!r}."})
        values = {"name": organization, "tier": tier, "url": url, "is_listed": True}
        member = directory.add_member(values, _logo(logo), None)
        return f"{member.name} is a {tier.name} member."

    _run(work)
