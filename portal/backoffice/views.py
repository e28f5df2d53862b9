"""/staff/: the dashboard, a column of the panels the features registered (core.backoffice)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Flask, Response, render_template, request
from markupsafe import Markup

from portal.accounts.auth import staff_required
from portal.core import backoffice

bp = Blueprint("staff", __name__, url_prefix="/staff")


@bp.get("/")
@staff_required
def home():
    now = datetime.now(UTC)
    return render_template("backoffice/dashboard.html", panels=render_panels(now), now=now)


def no_store(response: Response) -> Response:
    """Back-office pages hold personal data and staff-only state: no cache, shared or the
    browser's own, keeps them (`staff_*` blueprints, the sign-in pages included)."""
    if (request.blueprint or "").startswith("staff"):
        response.headers["Cache-Control"] = "no-store"
    return response


def render_panels(now: datetime) -> list[Markup]:
    rendered = []
    for panel in backoffice.ordered_panels():
        html = render_template(panel.template, now=now, **panel.context(now))
        # Rendered by Jinja with autoescape on: it is already safe HTML.
        rendered.append(Markup(html))  # noqa: S704  # nosec B704
    return rendered


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.after_request(no_store)
    backoffice.menu("Dashboard", "staff.home", order=0)
    app.jinja_env.globals["staff_menu"] = backoffice.ordered_menu
