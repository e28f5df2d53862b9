"""Outgoing mail: the outbox, its delivery, `flask outbox deliver`, and the outbox screen."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.mail import admin, cli

    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.outbox)
