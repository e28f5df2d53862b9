"""/staff/audit: who changed what and when, with before and after; for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.core.hygiene import as_id
from portal.extensions import db
from portal.staff.auth import admin_required
from portal.staff.lists import page_number

bp = Blueprint("audit", __name__, url_prefix="/staff/audit")

PER_PAGE = 50


@bp.get("/")
@admin_required
def index():
    filters = {
        "object_type": request.args.get("object_type", "").strip()[:40],
        "object_id": request.args.get("object_id", "").strip()[:12],
        "actor": request.args.get("actor", "").strip().lower()[:254],
    }
    stmt = select(AuditEntry)
    if filters["object_type"]:
        stmt = stmt.where(AuditEntry.object_type == filters["object_type"])
    if (object_id := as_id(filters["object_id"])) is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if filters["actor"]:
        stmt = stmt.where(AuditEntry.actor_email == filters["actor"])
    pagination = db.paginate(
        stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()),
        page=page_number(request.args),
        per_page=PER_PAGE,
        error_out=False,
    )
    args = {key: value for key, value in filters.items() if value}
    return render_template("staff/audit.html", pagination=pagination, filters=filters, args=args)
