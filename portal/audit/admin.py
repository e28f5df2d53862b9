"""/staff/audit: who changed what and when, with before and after; for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from portal.accounts.auth import admin_required
from portal.audit.queries import AuditFilter, object_types
from portal.core import backoffice

bp = Blueprint("staff_audit", __name__, url_prefix="/staff/audit")
backoffice.menu("Audit log", "staff_audit.index", order=80, admin_only=True)


OBJECTS = {
    "rule": "Routing rule", "tier": "Membership tier", "package": "Sponsorship package",
    "contact": "Staff contact", "staff": "Staff account", "user": "Staff account",
}  # fmt: skip
VERBS = {
    "create": "created", "update": "edited", "delete": "deleted", "publish": "published",
    "postpone": "postponed", "cancel": "cancelled", "import": "imported", "retire": "retired",
    "restore": "restored", "sponsor_link": "Sponsor link changed", "status": "status changed",
    "assign": "assigned", "note": "note added", "activate": "activated",
    "deactivate": "deactivated", "erase": "erased",
}  # fmt: skip


@bp.app_template_filter("action_words")
def action_words(action: str) -> str:
    """'rule.create' -> 'Routing rule created', for people; the code stays beside it."""
    kind, _, verb = action.partition(".")
    noun = OBJECTS.get(kind, kind.replace("_", " ").capitalize())
    return f"{noun} {VERBS.get(verb, verb.replace('_', ' '))}"


@bp.app_template_filter("audit_value")
def audit_value(value) -> str:
    """Lists read as lists ('a, b'), not as Python's ['a', 'b']; nothing reads as a dash."""
    if value is None or value == []:
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


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
