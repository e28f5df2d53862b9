"""Health check and the friendly error pages."""

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from portal.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the database and every Redis the portal is configured with answer, each
    reported apart; 503 when one does not."""
    report = {"database": "ok"}
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        report["database"] = "unreachable"
    for name, url in redis_urls().items():
        report[name] = "ok" if redis_answers(url) else "unreachable"
    healthy = all(value == "ok" for value in report.values())
    return {"status": "ok" if healthy else "unavailable", **report}, 200 if healthy else 503


def redis_urls() -> dict[str, str]:
    config = current_app.config
    found = {}
    if config.get("CACHE_REDIS_URL"):
        found["redis"] = config["CACHE_REDIS_URL"]
    limits = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if limits.startswith(("redis://", "rediss://")) and limits != found.get("redis"):
        found["rate_limit_store"] = limits
    return found


def redis_answers(url: str) -> bool:
    clients = current_app.extensions.setdefault("health_redis", {})
    if url not in clients:
        import redis

        clients[url] = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
    try:
        return bool(clients[url].ping())
    except Exception:  # any failure of the client is a Redis that does not answer
        return False


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
