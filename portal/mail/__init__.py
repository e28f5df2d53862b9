"""Outgoing mail: the outbox, its delivery, `flask outbox deliver|purge`, and the outbox
screen."""

from flask import Flask

from portal.core import signals


def init_app(app: Flask) -> None:
    from portal.mail import admin, cli, health, retention  # noqa: F401 (health: signal)

    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.outbox)
    days = retention.sent_retention_days(app.config.get(retention.SETTING, retention.DEFAULT_DAYS))
    app.config[retention.SETTING] = days
    if days is not None:
        # The outbox worker (`flask outbox deliver --loop`) runs it once a day.
        signals.daily_job_due.connect(retention.retention_job, sender=app)
