"""Membership and sponsorship: what is on offer, the inquiry forms, routing to staff contacts,
and the back office's inbox, sales and routing screens."""

from flask import Flask


def init_app(app: Flask) -> None:
    from portal.inquiries import cli, offer, privacy, views  # noqa: F401 (offer: listener)
    from portal.inquiries.admin import contacts, inbox, members, packages, routing, tiers
    from portal.inquiries.admin import privacy as privacy_screen

    app.register_blueprint(views.bp)
    for module in (inbox, tiers, members, packages, contacts, routing, privacy_screen):
        app.register_blueprint(module.bp)
    app.cli.add_command(cli.inquiries_cli)
    app.cli.add_command(cli.privacy_cli)
    days = privacy.retention_days(app.config.get("INQUIRY_RETENTION_DAYS"))
    app.config["INQUIRY_RETENTION_DAYS"] = days
    if days is not None:
        # The outbox worker (`flask outbox deliver --loop`) runs it once a day.
        app.extensions.setdefault("daily_jobs", []).append(cli.retention_job)
