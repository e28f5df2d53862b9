"""Staff contacts, who answer inquiries, for admins: list, create, edit, retire, restore."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from sqlalchemy import select

from portal.accounts.auth import admin_required
from portal.core import screens
from portal.extensions import db
from portal.inquiries.admin.forms import ContactForm
from portal.inquiries.models import StaffContact
from portal.inquiries.rows import CONTACT

bp = Blueprint("staff_contacts", __name__, url_prefix="/staff/contacts")


@bp.get("/")
@admin_required
def index():
    stmt = select(StaffContact).order_by(StaffContact.retired_at.is_not(None), StaffContact.name)
    contacts = list(db.session.scalars(stmt))
    return render_template("inquiries/admin/routing/contacts.html", contacts=contacts)


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new():
    return screens.edit(CONTACT, ContactForm(), None, url_for(".index"), "New staff contact")


@bp.route("/<int:contact_id>/edit", methods=["GET", "POST"])
@admin_required
def edit(contact_id: int):
    contact = db.get_or_404(StaffContact, contact_id)
    form = ContactForm(obj=contact)
    return screens.edit(CONTACT, form, contact, url_for(".index"), contact.label)


screens.add_retire_routes(bp, CONTACT, "contact_id", admin_required, lambda _: url_for(".index"))
