"""Routing rules, for admins: list, create, edit, retire, restore. The order in which rules
apply is in inquiries/routing.py."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, render_template, url_for
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.auth import admin_required
from portal.core import backoffice, screens
from portal.events.models import Event
from portal.extensions import db
from portal.inquiries.admin.forms import RuleForm
from portal.inquiries.models import RoutingRule, StaffContact
from portal.inquiries.rows import RULE
from portal.offer.models import MembershipTier, SponsorshipPackage

bp = Blueprint("staff_routing", __name__, url_prefix="/staff/routing")
backoffice.menu(
    "Routing", "staff_routing.index", order=70, admin_only=True, also=("staff_contacts",)
)


@bp.get("/")
@admin_required
def index():
    stmt = (
        select(RoutingRule)
        .options(
            selectinload(RoutingRule.contacts),
            selectinload(RoutingRule.event),
            selectinload(RoutingRule.tier),
            selectinload(RoutingRule.package),
        )
        .order_by(RoutingRule.retired_at.is_not(None), RoutingRule.kind, RoutingRule.position)
    )
    return render_template(
        "inquiries/admin/routing/rules.html", rules=list(db.session.scalars(stmt))
    )


def _rule_form(rule: RoutingRule | None) -> RuleForm:
    """The choices: what is active, and whatever the rule already names."""
    named: set[object] = set(rule.contacts) if rule else set()
    if rule is not None:
        named |= {rule.event, rule.tier, rule.package}

    def active(model, *order):
        found = db.session.scalars(select(model).order_by(*order))
        return [row for row in found if not getattr(row, "is_retired", False) or row in named]

    # Events still to come (a rule about a past one routes nothing), and the one it names.
    today = datetime.now(UTC).date()
    named_event = rule.event_id if rule is not None else None
    events = db.session.scalars(
        select(Event)
        .where(or_(Event.ends_on >= today, Event.id == named_event))
        .order_by(Event.starts_on)
    )
    return RuleForm(
        obj=rule,
        events=list(events),
        tiers=active(MembershipTier, MembershipTier.position),
        packages=active(
            SponsorshipPackage, SponsorshipPackage.event_id, SponsorshipPackage.position
        ),
        contacts=active(StaffContact, StaffContact.name),
    )


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    return screens.edit(RULE, _rule_form(None), None, url_for(".index"), "New routing rule")


@bp.route("/<int:rule_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(rule_id: int):
    rule = db.get_or_404(RoutingRule, rule_id)
    return screens.edit(RULE, _rule_form(rule), rule, url_for(".index"), rule.name)


screens.add_retire_routes(bp, RULE, "rule_id", admin_required, lambda _: url_for(".index"))
