"""Who answers inquiries, for admins: staff contacts and routing rules (list, create, edit,
retire, restore). The order in which rules apply is in inquiries/routing.py."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.events.models import Event
from portal.extensions import db
from portal.inquiries.models import MembershipTier, RoutingRule, SponsorshipPackage, StaffContact
from portal.inquiries.sales_operations import CONTACT, RULE
from portal.staff import managed
from portal.staff.auth import admin_required
from portal.staff.sales_forms import ContactForm, RuleForm

bp = Blueprint("staff_routing", __name__, url_prefix="/staff")


@bp.get("/contacts/")
@admin_required
def contacts():
    stmt = select(StaffContact).order_by(StaffContact.retired_at.is_not(None), StaffContact.name)
    return render_template("staff/sales/contacts.html", contacts=list(db.session.scalars(stmt)))


@bp.route("/contacts/new", methods=["GET", "POST"])
@admin_required
def new_contact():
    return managed.edit(CONTACT, ContactForm(), None, url_for(".contacts"), "New staff contact")


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_contact(contact_id: int):
    contact = db.get_or_404(StaffContact, contact_id)
    form = ContactForm(obj=contact)
    return managed.edit(CONTACT, form, contact, url_for(".contacts"), contact.label)


managed.add_retire_routes(
    bp,
    CONTACT,
    "/contacts",
    "contact_id",
    "_contact",
    admin_required,
    lambda _: url_for(".contacts"),
)


@bp.get("/routing/")
@admin_required
def rules():
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
    return render_template("staff/sales/rules.html", rules=list(db.session.scalars(stmt)))


def _rule_form(rule: RoutingRule | None) -> RuleForm:
    """The choices: what is active, and whatever the rule already names."""

    def active(model, *order):
        rows = db.session.scalars(select(model).order_by(*order))
        mine = {getattr(rule, "event", None), getattr(rule, "tier", None),
                getattr(rule, "package", None), *(rule.contacts if rule else [])}  # fmt: skip
        return [row for row in rows if not getattr(row, "is_retired", False) or row in mine]

    return RuleForm(
        obj=rule,
        events=active(Event, Event.starts_on.desc()),
        tiers=active(MembershipTier, MembershipTier.position),
        packages=active(
            SponsorshipPackage, SponsorshipPackage.event_id, SponsorshipPackage.position
        ),
        contacts=active(StaffContact, StaffContact.name),
    )


@bp.route("/routing/new", methods=["GET", "POST"])
@admin_required
def new_rule():
    return managed.edit(RULE, _rule_form(None), None, url_for(".rules"), "New routing rule")


@bp.route("/routing/<int:rule_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_rule(rule_id: int):
    rule = db.get_or_404(RoutingRule, rule_id)
    return managed.edit(RULE, _rule_form(rule), rule, url_for(".rules"), rule.name)


managed.add_retire_routes(
    bp, RULE, "/routing", "rule_id", "_rule", admin_required, lambda _: url_for(".rules")
)
