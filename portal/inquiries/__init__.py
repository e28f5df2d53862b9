"""Membership and sponsorship inquiries: the public forms, routing to staff contacts, the mail
they cause, privacy, and the back office's inbox, contacts, routing and privacy screens."""

from flask import Flask

from portal.core import signals


def init_app(app: Flask) -> None:
    from portal.inquiries import cli, maintenance, privacy, reminders, views  # noqa: F401
    from portal.inquiries.admin import bulk, contacts, inbox, routing, templates
    from portal.inquiries.admin import privacy as privacy_screen

    app.register_blueprint(views.bp)
    for module in (inbox, bulk, templates, contacts, routing, privacy_screen):
        app.register_blueprint(module.bp)
    from portal.inquiries.admin import confirm

    app.register_blueprint(confirm.bp)
    app.cli.add_command(cli.inquiries_cli)
    app.cli.add_command(cli.privacy_cli)
    days = privacy.retention_days(app.config.get("INQUIRY_RETENTION_DAYS"))
    app.config["INQUIRY_RETENTION_DAYS"] = days
    if days is not None:
        # The outbox worker (`flask outbox deliver --loop`) runs it once a day.
        signals.daily_job_due.connect(cli.retention_job, sender=app)
    app.config[reminders.SETTING] = reminders.reminder_hours(app.config.get(reminders.SETTING))
    # The outbox worker runs it every hour: reminders and escalations of inquiries left new.
    signals.hourly_job_due.connect(reminders.reminder_job, sender=app)
