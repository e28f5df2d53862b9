"""Health check and the friendly error pages."""

import logging

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy.exc import (
    DisconnectionError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from portal.core import health
from portal.core.database import RETRIED, RETRY
from portal.extensions import db

bp = Blueprint("core", __name__)
log = logging.getLogger(__name__)
RETRY_AFTER = 30  # seconds: what a visitor is asked to wait while the database is away
# What a form posted, shown again when it could not be stored: never these.
NOT_SHOWN = {"csrf_token", "password", "website"}


@bp.get("/healthz")
def healthz():
    """200 while this instance can serve (its database answers, within a second), 503
    otherwise; the body says how each dependency is (core/health.py)."""
    body, status = health.report(current_app._get_current_object())  # type: ignore[attr-defined]
    return body, status, {"Cache-Control": "no-store"}


@bp.app_errorhandler(HTTPException)
def http_error(error: HTTPException):
    if request.path.endswith(".ics") or request.path == "/healthz":
        return (
            f"{error.code} {error.name}: {error.description}\n",
            error.code,
            {"Content-Type": "text/plain; charset=utf-8"},
        )
    staff = request.path.startswith("/staff/") and current_user.is_authenticated
    # Signed-in staff keep the back office's navigation on its error pages (a 403 included).
    template = "errors/staff_error.html" if staff else "errors/error.html"
    return render_template(template, error=error), error.code


@bp.app_errorhandler(OperationalError)
@bp.app_errorhandler(InterfaceError)
@bp.app_errorhandler(DisconnectionError)
@bp.app_errorhandler(PoolTimeout)
def database_unavailable(error: Exception):
    """The database cannot be reached (or is busy): 503 with Retry-After and the portal's own
    page, which gives back what a form posted so that nothing typed is lost."""
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection itself is gone
        db.session.remove()
    if (
        getattr(error, "connection_invalidated", False)
        and request.method in ("GET", "HEAD")
        and not request.environ.get(RETRIED)
    ):
        request.environ[RETRY] = True  # answered again (core/database.py): nothing to log
    else:
        log.warning("database unavailable for %s %s: %s", request.method, request.path, error)
    headers = {"Retry-After": str(RETRY_AFTER)}
    if request.path.endswith(".ics") or request.path == "/healthz":
        body = "503 Service Unavailable: the database cannot be reached; try again shortly.\n"
        return body, 503, {**headers, "Content-Type": "text/plain; charset=utf-8"}
    posted = []
    if request.method == "POST" and not request.path.startswith("/staff/login"):
        fields = list(request.form.items(multi=True))[:30]
        posted = [(name, value[:5000]) for name, value in fields if name not in NOT_SHOWN]
    page = render_template("errors/unavailable.html", posted=posted, retry_after=RETRY_AFTER)
    return page, 503, headers


@bp.app_errorhandler(500)
def server_error(error):
    db.session.rollback()
    return render_template("errors/500.html"), 500
