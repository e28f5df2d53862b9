"""The events and membership portal of an open-source foundation."""

from flask import Flask

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

    from portal import accounts, audit, backoffice, calendar, core, events, inquiries, mail
    from portal.demo import seed_demo

    # Lowest layer first: each feature registers its blueprints, commands, template filters,
    # dashboard panels and navigation entries.
    for feature in (core, accounts, audit, events, calendar, inquiries, mail, backoffice):
        feature.init_app(app)
    app.cli.add_command(seed_demo)
    return app


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
