"""One event published to N confirmed subscribers (10,000 by default, spread over 20
filters that all match it): how many alert mails `flask alerts send` queues, how long it
takes, and how long `flask outbox deliver` then takes to hand them to a local SMTP server
(aiosmtpd). A scratch SQLite database unless --database names one (it is emptied).

    .venv/bin/python benchmarks/alerts_fanout.py [--subscribers 10000] [--database URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime

from harness import ROOT

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

FILTERS = [
    {"format": "virtual"},
    {"country": "KE"},
    {"format": "virtual", "country": "KE"},
    {"project": "zuul"},
    {"q": "zuul"},
] * 4


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--database")
    parser.add_argument("--no-deliver", action="store_true")
    options = parser.parse_args()

    from conftest import SMTPServer
    from flask_migrate import upgrade
    from sqlalchemy import func, insert, select, text

    from portal import create_app
    from portal.alerts import changes, digest
    from portal.alerts.models import AlertSubscription
    from portal.alerts.rules import Followed
    from portal.events.models import Event, EventFormat, EventKind, EventStatus, Project
    from portal.extensions import db
    from portal.mail.delivery import deliver
    from portal.mail.models import OutboxMessage

    server = SMTPServer()
    server.start()
    folder = tempfile.mkdtemp(prefix="alerts-bench-")
    uri = options.database or f"sqlite:///{folder}/portal.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "SECRET_KEY": "benchmark" * 4,
            "BASE_URL": "https://events.example.org",
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": server.port,
            "ALERTS_DIGEST_HOUR": 0,
            "RATELIMIT_ENABLED": False,
        },
        instance_path=folder,
    )
    with app.app_context():
        if uri.startswith("postgresql"):
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        zuul = Project(slug="zuul", name="Zuul")
        db.session.add(zuul)
        db.session.commit()
        now = datetime.now(UTC)
        changes.detect(now)  # the baseline
        db.session.commit()
        rows = []
        for number in range(options.subscribers):
            followed = Followed(**FILTERS[number % len(FILTERS)])
            rows.append(
                dict(
                    email=f"subscriber{number}@example.org",
                    filter_key=followed.key,
                    q=followed.q,
                    project=followed.project,
                    format=followed.format,
                    country=followed.country,
                    nonce=f"{number:032d}",
                    created_at=now.replace(tzinfo=None),
                    consented_at=now.replace(tzinfo=None),
                    confirmed_at=now.replace(tzinfo=None),
                    seen_change_id=0,
                )
            )
        db.session.execute(insert(AlertSubscription), rows)
        event = Event(
            slug="zuul-virtual-day-kenya",
            title="Zuul Virtual Day Kenya",
            kind=EventKind.MEETUP,
            format=EventFormat.VIRTUAL,
            status=EventStatus.PUBLISHED,
            starts_on=date(now.year + 1, 3, 6),
            ends_on=date(now.year + 1, 3, 6),
            timezone="Africa/Nairobi",
            city="Nairobi",
            country="KE",
        )
        event.projects = [zuul]
        db.session.add(event)
        db.session.commit()

        started = time.perf_counter()
        with app.test_request_context():
            report = digest.send(datetime.now(UTC))
            db.session.commit()
        composed = time.perf_counter() - started
        queued = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        print(f"subscribers: {options.subscribers}; {report}")
        print(f"alert mails queued: {queued}; `alerts send` took {composed:.1f} s")

        started = time.perf_counter()
        with app.test_request_context():
            again = digest.send(datetime.now(UTC))
            db.session.commit()
        print(f"a second run: {again} in {time.perf_counter() - started:.2f} s")

        if not options.no_deliver:
            started = time.perf_counter()
            delivered = deliver(app, include_waiting=True)
            took = time.perf_counter() - started
            got = len(server.received)
            print(f"`outbox deliver`: {delivered} in {took:.1f} s; server got {got}")
        db.session.remove()
        db.engine.dispose()
    server.stop()


if __name__ == "__main__":
    main()
