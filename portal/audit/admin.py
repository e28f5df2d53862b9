"""/staff/audit: who changed what and when, with before and after; for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from portal.accounts.auth import admin_required
from portal.audit.queries import AuditFilter, object_types
from portal.core import backoffice

bp = Blueprint("staff_audit", __name__, url_prefix="/staff/audit")
backoffice.menu("Audit log", "staff_audit.index", order=80, admin_only=True)


@bp.get("/")
@admin_required
def index():
    filters = AuditFilter(request.args)
    return render_template(
        "audit/admin/list.html",
        filters=filters,
        pagination=filters.paginate(),
        object_types=object_types(),
    )
