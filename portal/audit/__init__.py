"""The audit log: every write made through the back office, its commands and public forms."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.audit import admin

    app.register_blueprint(admin.bp)
