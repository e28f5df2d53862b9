"""The events and membership portal of an open-source foundation."""

from flask import Flask, request

from portal import config
from portal.extensions import csrf, db, limiter, migrate


def create_app(overrides: dict | None = None, instance_path: str | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder="../templates",
        static_folder="../static",
    )
    config.configure(app, overrides)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    _tune_sqlite(app)

    from portal.calendar import cache as feed_cache
    from portal.calendar import feeds
    from portal.calendar import links as calendar_links
    from portal.calendar import views as calendar_views
    from portal.calendar.views import bp as calendar_bp
    from portal.core import hygiene, security
    from portal.core.views import bp as core_bp
    from portal.demo import seed_demo
    from portal.events import display
    from portal.events.views import bp as events_bp

    security.init_app(app)
    hygiene.init_app(app)
    app.register_blueprint(core_bp)
    app.register_blueprint(events_bp)
    app.register_blueprint(calendar_bp)
    # Feeds are polled, cached and cheap to answer: no limits on them.
    limiter.request_filter(lambda: request.blueprint == calendar_bp.name)
    feed_cache.init_app(app)
    feeds.init_app(app)
    calendar_views.init_app(app)
    app.cli.add_command(seed_demo)
    _register_staff(app)

    from portal.inquiries.views import bp as inquiries_bp
    from portal.mail.cli import outbox

    app.register_blueprint(inquiries_bp)
    app.cli.add_command(outbox)

    app.jinja_env.filters.update(
        markdown=display.render_markdown,
        country_name=display.country_name,
        date_range=display.date_range,
    )
    app.jinja_env.globals.update(display=display, calendar_links=calendar_links)
    return app


def _register_staff(app: Flask) -> None:
    """The back office (/staff), its audit log and commands."""
    from portal.audit.views import bp as audit_bp
    from portal.events.cli import events_cli
    from portal.staff import (
        accounts,
        auth,
        events,
        imports,
        inbox,
        outbox,
        packages,
        projects,
        routing,
        sales,
        views,
    )
    from portal.staff.cli import staff_cli

    auth.init_app(app)
    for module in (
        views,
        events,
        projects,
        imports,
        accounts,
        inbox,
        outbox,
        sales,
        packages,
        routing,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(audit_bp)
    app.cli.add_command(staff_cli)
    app.cli.add_command(events_cli)


def _tune_sqlite(app: Flask) -> None:
    """Foreign keys on, WAL so several workers can read while one writes, and a busy wait."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()
