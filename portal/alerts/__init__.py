"""Email alerts: a saved filter of /events or one event followed, with double opt-in, a daily
digest through the outbox, one-click leaving, and the back office's counts."""

from __future__ import annotations

from flask import Flask

from portal.config import ConfigurationError
from portal.core import signals


def digest_hour(value) -> int:
    """PORTAL_ALERTS_DIGEST_HOUR: a whole hour of the day, UTC, from 0 to 23."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 23:
        raise ConfigurationError(
            f"PORTAL_ALERTS_DIGEST_HOUR must be an hour from 0 to 23 (UTC), not {value!r}"
        )
    return value


def _erase(sender, emails: set[str], actor=None) -> tuple[str, int]:
    from portal.alerts import limits, operations

    removed = operations.erase(emails)
    for email in emails:
        limits.forget_address(email)
    return ("alert subscription(s)", removed)


def _export(sender, emails: set[str]) -> tuple[str, list[dict]]:
    from portal.alerts import operations

    return ("alert_subscriptions", operations.export(emails))


def init_app(app: Flask) -> None:
    from portal.alerts import admin, cli, views

    app.config["ALERTS_DIGEST_HOUR"] = digest_hour(app.config.get("ALERTS_DIGEST_HOUR"))
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.alerts_cli)
    # Erasure removes subscriptions whether or not alerts are on now.
    signals.address_erased.connect(_erase)
    signals.address_exported.connect(_export)
    if app.config["ALERTS_ENABLED"]:
        signals.periodic_job_due.connect(cli.alerts_job, sender=app)
