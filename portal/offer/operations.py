"""Changes to what is offered: membership tiers, members and sponsorship packages, as kinds
of rows staff manage (core.rows: `create`, `update`, `retire` and `restore` write them), with
what follows a change (a package opens or closes its event's Sponsor link) and selling
sponsorship of an event through the portal."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import StaffUser
from portal.core import signals
from portal.core.db import utcnow
from portal.core.rows import RowKind
from portal.events import operations as events
from portal.events.models import Event, LinkKind, LinkState
from portal.extensions import db
from portal.offer import rules
from portal.offer.models import Member, MembershipTier, SponsorshipPackage


def sponsor_path(event: Event) -> str:
    """The portal's sponsorship page of `event`, as a path (no request needed). The page, with
    its inquiry form, is the inquiries' (inquiries/views.py)."""
    adapter = current_app.url_map.bind("")
    return adapter.build("inquiries.sponsor", {"slug": event.slug})


def offer_sponsorship(
    event: Event, packages: list[SponsorshipPackage], actor: StaffUser | None = None
) -> None:
    """Sell sponsorship of `event` through the portal: add its packages and point its Sponsor
    link, open, at the portal's page, where the packages and the inquiry form are."""
    for package in packages:
        package.event = event
        db.session.add(package)
    events.set_sponsor_link(event, sponsor_path(event), LinkState.OPEN, actor)


def _follow_packages(package: SponsorshipPackage, action: str, actor: events.Actor) -> None:
    """A new package points the event's Sponsor link at the portal's sponsorship page, open.
    While the link leads there, it is open as long as a package is on sale and closed once the
    last one is retired (the page would be empty). Changes go through the events'
    operations, with their audit entries."""
    event, path = package.event, sponsor_path(package.event)
    if action == "create":
        events.set_sponsor_link(event, path, LinkState.OPEN, actor)
        return
    link = event.link(LinkKind.SPONSOR)
    if link is not None and link.url and link.url != path:
        return  # the link leads elsewhere: the event sells sponsorship its own way
    active = select(SponsorshipPackage.id).where(
        SponsorshipPackage.event_id == event.id, SponsorshipPackage.retired_at.is_(None)
    )
    on_sale = db.session.scalar(active.limit(1)) is not None
    events.set_sponsor_link(event, path, LinkState.OPEN if on_sale else LinkState.CLOSED, actor)


@signals.edition_made.connect
def copy_packages(previous: Event, edition: Event, actor: StaffUser | None) -> None:
    """A next edition (catalogue.next_edition) gets the packages of the one before, not yet
    on sale (retired until staff restore them) and with no quantity published."""
    packages = db.session.scalars(
        select(SponsorshipPackage).where(SponsorshipPackage.event_id == previous.id)
    )
    for package in packages:
        copy = SponsorshipPackage(
            event=edition,
            retired_at=utcnow(),
            available=None,
            **{name: getattr(package, name) for name in PACKAGE_COPIED},
        )
        db.session.add(copy)
    db.session.flush()


PACKAGE_COPIED = (
    "slug", "name", "description", "price", "member_price", "currency", "note", "position"
)  # fmt: skip


TIER = RowKind(
    "tier",
    MembershipTier,
    ("slug", "name", "summary", "benefits", "annual_fee", "currency", "position", "join_url"),
    rules.tier_errors,
    lambda tier: tier.name,
)
MEMBER = RowKind(
    "member",
    Member,
    ("name", "tier", "url", "logo_url", "city", "country", "description", "is_listed", "logo",
     "since"),
    rules.member_errors,
    lambda member: member.name,
    retirable=False,  # a member leaves the directory by being unlisted
)  # fmt: skip
PACKAGE = RowKind(
    "package",
    SponsorshipPackage,
    ("slug", "name", "description", "price", "member_price", "currency", "available", "note",
     "position"),
    rules.package_errors,
    lambda package: f"{package.event.title}: {package.name}",
    parent="event",
    after_change=_follow_packages,
)  # fmt: skip
