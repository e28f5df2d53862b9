"""/staff/alerts: how many follow each filter or event. Editors see counts only; admins also
see the addresses (personal data, for answering a request about it)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user
from sqlalchemy import func, select

from portal.accounts.auth import staff_required
from portal.alerts.models import AlertJob, AlertSubscription
from portal.alerts.operations import followed_words
from portal.alerts.rules import Followed
from portal.core import backoffice
from portal.extensions import db

bp = Blueprint("staff_alerts", __name__, url_prefix="/staff/alerts")
backoffice.menu("Alerts", "staff_alerts.index", order=60)
MAX_GROUPS = 500  # filters listed, most followed first


@bp.get("/")
@staff_required
def index():
    confirmed = func.count(AlertSubscription.confirmed_at)
    rows = db.session.execute(
        select(
            AlertSubscription.filter_key,
            func.min(AlertSubscription.id),
            confirmed,
            func.count(),
        )
        .group_by(AlertSubscription.filter_key)
        .order_by(confirmed.desc(), AlertSubscription.filter_key)
        .limit(MAX_GROUPS)
    ).all()
    firsts = {
        row.id: row
        for row in db.session.scalars(
            select(AlertSubscription).where(AlertSubscription.id.in_([row[1] for row in rows]))
        )
    }
    groups = [
        {
            "key": key,
            "followed": followed_words(Followed.of(firsts[first])),
            "confirmed": count,
            "waiting": total - count,
        }
        for key, first, count, total in rows
    ]
    addresses: dict[str, list[str]] = {}
    if current_user.is_admin:
        keys = [group["key"] for group in groups]
        for key, email in db.session.execute(
            select(AlertSubscription.filter_key, AlertSubscription.email)
            .where(
                AlertSubscription.filter_key.in_(keys), AlertSubscription.confirmed_at.is_not(None)
            )
            .order_by(AlertSubscription.email)
        ):
            addresses.setdefault(key, []).append(email)
    return render_template(
        "alerts/admin/index.html",
        groups=groups,
        addresses=addresses,
        job=db.session.get(AlertJob, 1),
    )
