"""/staff/privacy: personal data of inquiries, for admins. The retention setting and a purge
now, the export of what is held about an address (a JSON download), and its erasure."""

from __future__ import annotations

import json
from datetime import timedelta

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal.accounts.auth import admin_required
from portal.core import backoffice
from portal.core.db import utcnow
from portal.core.forms import StaffForm, saved
from portal.extensions import db
from portal.inquiries import privacy
from portal.inquiries.admin.privacy_forms import EraseForm, ExportForm, PurgeForm
from portal.inquiries.models import Inquiry

bp = Blueprint("staff_privacy", __name__, url_prefix="/staff/privacy")
backoffice.menu("Privacy", "staff_privacy.index", order=85, admin_only=True)


def _page(form: StaffForm | None = None):
    """The page, with `form` (the one just posted, with its errors) in its place."""
    days = current_app.config.get("INQUIRY_RETENTION_DAYS")
    forms = {
        "purge_form": PurgeForm(formdata=None, data={"days": days}),
        "export_form": ExportForm(formdata=None),
        "erase_form": EraseForm(formdata=None),
    }
    status = 200
    if form is not None:
        forms[form.slot] = form
        status = form.status
    held, removed = (
        db.session.scalar(select(func.count()).select_from(Inquiry).where(condition))
        for condition in (Inquiry.email != "", Inquiry.email == "")
    )
    page = render_template(
        "inquiries/admin/privacy/index.html",
        retention_days=days,
        outcomes=privacy.OUTCOMES,
        held=held,
        removed=removed,
        **forms,
    )
    return page, status


@bp.get("/")
@admin_required
def index():
    return _page()


@bp.post("/purge")
@admin_required
def purge():
    form = PurgeForm()
    removed = saved(
        form, lambda: privacy.purge(timedelta(days=form.days.data), utcnow(), current_user)
    )
    if removed is None:
        return _page(form)
    flash(f"Purged: {removed}." if removed else "Nothing to purge.", "info")
    return redirect(url_for(".index"), code=303)


@bp.post("/export")
@admin_required
def export():
    form = ExportForm()

    def work():
        found = privacy.export(form.email.data)
        privacy.audit_export(found, current_user)
        return found

    found = saved(form, work)
    if found is None:
        return _page(form)
    return Response(
        json.dumps(found, indent=2, ensure_ascii=False) + "\n",
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="personal-data.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.post("/erase")
@admin_required
def erase():
    form = EraseForm()
    removed = saved(form, lambda: privacy.erase(form.email.data, current_user))
    if removed is None:
        return _page(form)
    # The address stays out of the flash: the session cookie is signed, not encrypted.
    flash(f"Erased: {removed}." if removed else "Nothing was held about that address.", "info")
    flash(privacy.BEYOND_REACH, "info")
    return redirect(url_for(".index"), code=303)
