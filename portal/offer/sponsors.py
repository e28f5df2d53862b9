"""Sponsors of events: recording one (a package sold: its count left falls, and the event's
Sponsor link is sold out with the last one), editing, hiding and removing it, and what the
pages below the offer show of them (the `sponsors_wanted` signal). Each write validates,
changes the rows, writes its audit entry and flushes; the caller commits (core.saving)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for
from sqlalchemy import or_, select

from portal.core import credits, signals
from portal.core.audit import record
from portal.core.errors import Refused
from portal.events import operations as events
from portal.events.models import Event, LinkKind, LinkState
from portal.events.rules import is_http_url
from portal.extensions import db
from portal.offer import logos
from portal.offer.models import Sponsor, SponsorshipPackage
from portal.offer.operations import sponsor_path

Actor = events.Actor


@dataclass(frozen=True)
class SponsorValues:
    """What staff (or a command) give for a sponsor."""

    organization: str
    url: str | None
    package: SponsorshipPackage | None


def sponsor_errors(event: Event, values: SponsorValues, sponsor: Sponsor | None = None) -> dict:
    errors: dict[str, str] = {}
    name = (values.organization or "").strip()
    if not name:
        errors["organization"] = "A sponsor needs the organization's name."
    elif len(name) > 200:
        errors["organization"] = "At most 200 characters."
    if values.url and (len(values.url) > 500 or not is_http_url(values.url)):
        errors["url"] = "Only http:// or https:// addresses, at most 500 characters."
    package = values.package
    if package is None or package.event_id != event.id:
        errors["package"] = "Choose one of this event's packages."
    elif package.is_retired and (sponsor is None or sponsor.package is not package):
        errors["package"] = "This package is not on sale."
    elif package.is_sold_out and (sponsor is None or sponsor.package is not package):
        errors["package"] = f"{package.name} is sold out."
    return errors


def _label(sponsor: Sponsor) -> str:
    return f"{sponsor.event.title}: {sponsor.organization} ({sponsor.package.name})"


def _plain(sponsor: Sponsor) -> dict:
    return {
        "organization": sponsor.organization,
        "url": sponsor.url,
        "package": sponsor.package.slug,
        "logo": sponsor.logo,
        "hidden": sponsor.is_hidden,
    }


def _follow_sales(event: Event, actor: Actor) -> None:
    """While the Sponsor link leads to the portal's page, it is sold out once no package is
    left and open again when one is (a sponsor removed gives its package back)."""
    link = event.link(LinkKind.SPONSOR)
    path = sponsor_path(event)
    if link is None or (link.url and link.url != path):
        return
    left = select(SponsorshipPackage.id).where(
        SponsorshipPackage.event_id == event.id,
        SponsorshipPackage.retired_at.is_(None),
        or_(SponsorshipPackage.available.is_(None), SponsorshipPackage.available > 0),
    )
    on_sale = db.session.scalar(left.limit(1)) is not None
    if not on_sale and link.state is LinkState.OPEN:
        events.set_sponsor_link(event, path, LinkState.SOLD_OUT, actor)
    elif on_sale and link.state is LinkState.SOLD_OUT:
        events.set_sponsor_link(event, path, LinkState.OPEN, actor)


def add_sponsor(
    event: Event,
    values: SponsorValues,
    logo: logos.Logo | None,
    actor: Actor,
    inquiry_id: int | None = None,
) -> Sponsor:
    """Record that `values.organization` bought `values.package` of `event`: one fewer of it
    is left, and the Sponsor link follows."""
    errors = sponsor_errors(event, values)
    if errors:
        raise Refused(errors)
    package = values.package
    if package is None:  # sponsor_errors refuses a sponsor without a package; for mypy
        raise Refused({"package": "Choose a package."})
    sponsor = Sponsor(
        event=event,
        package=package,
        organization=values.organization.strip(),
        url=values.url or None,
        inquiry_id=inquiry_id,
    )
    if logo is not None:
        sponsor.logo = logos.store(logo)
    if package.available is not None:
        package.available -= 1
    db.session.add(sponsor)
    db.session.flush()
    record(actor, "sponsor.create", sponsor, _label(sponsor), after=_plain(sponsor))
    db.session.flush()
    _follow_sales(event, actor)
    return sponsor


def update_sponsor(
    sponsor: Sponsor,
    values: SponsorValues,
    logo: logos.Logo | None,
    is_hidden: bool,
    actor: Actor,
) -> None:
    """Change what is shown of a sponsor; a new logo replaces the old one's file. Moving it
    to another package gives one back to the old and takes one of the new."""
    errors = sponsor_errors(sponsor.event, values, sponsor)
    if errors:
        raise Refused(errors)
    before = _plain(sponsor)
    old_logo = sponsor.logo
    if values.package is not sponsor.package and values.package is not None:
        if sponsor.package.available is not None:
            sponsor.package.available += 1
        if values.package.available is not None:
            values.package.available -= 1
        sponsor.package = values.package
    sponsor.organization = values.organization.strip()
    sponsor.url = values.url or None
    sponsor.is_hidden = is_hidden
    if logo is not None:
        sponsor.logo = logos.store(logo)
    record(actor, "sponsor.update", sponsor, _label(sponsor), before, _plain(sponsor))
    db.session.flush()
    _follow_sales(sponsor.event, actor)
    if logo is not None:
        logos.delete(old_logo)


def remove_sponsor(sponsor: Sponsor, actor: Actor) -> None:
    """Delete the sponsor and its logo's file; its package is one more left."""
    event, package, logo = sponsor.event, sponsor.package, sponsor.logo
    record(actor, "sponsor.delete", sponsor, _label(sponsor), before=_plain(sponsor))
    if package.available is not None:
        package.available += 1
    db.session.delete(sponsor)
    db.session.flush()
    _follow_sales(event, actor)
    logos.delete(logo)


def logo_url(name: str | None) -> str | None:
    return url_for("offer.logo", name=name) if name else None


@signals.sponsors_wanted.connect
def shown_sponsors(sender, event_ids: list[int]) -> dict[int, list[credits.Credit]]:
    """The sponsors shown on each event's page, by package order then name (one statement)."""
    rows = db.session.execute(
        select(Sponsor, SponsorshipPackage)
        .join(SponsorshipPackage, Sponsor.package_id == SponsorshipPackage.id)
        .where(Sponsor.event_id.in_(event_ids), Sponsor.is_hidden.is_(False))
        .order_by(
            Sponsor.event_id,
            SponsorshipPackage.position,
            SponsorshipPackage.id,
            Sponsor.organization,
        )
    ).all()
    found: dict[int, list[credits.Credit]] = {}
    for sponsor, package in rows:
        found.setdefault(sponsor.event_id, []).append(
            credits.Credit(
                name=sponsor.organization,
                url=sponsor.url,
                logo_url=logo_url(sponsor.logo),
                group=package.name,
                group_slug=package.slug,
            )
        )
    return found


def sponsors_of_event(event_id: int) -> list[Sponsor]:
    """Every sponsor of the event for staff, hidden ones too, by package then name."""
    stmt = (
        select(Sponsor)
        .join(SponsorshipPackage, Sponsor.package_id == SponsorshipPackage.id)
        .where(Sponsor.event_id == event_id)
        .order_by(SponsorshipPackage.position, SponsorshipPackage.id, Sponsor.organization)
    )
    return list(db.session.scalars(stmt))
