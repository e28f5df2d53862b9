"""Health check and the friendly error pages."""

from flask import Blueprint, render_template, request
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from portal.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return {"status": "unavailable", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


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


@bp.app_errorhandler(500)
def server_error(error):
    db.session.rollback()
    return render_template("errors/500.html"), 500
