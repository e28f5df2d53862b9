"""What several test modules share and is not a fixture: the test configuration, the staff
password, a real SMTP server, free ports, inquiries submitted as the forms do, and PostgreSQL's
plans. Test modules import from here (`from helpers import inquire`), never from each other or
from conftest."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import threading
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from sqlalchemy import text
from sqlalchemy.engine import make_url

from portal.extensions import db

# The PostgreSQL the suite runs on when set; each xdist worker uses a database of its own,
# named after this one (worker_database_url).
PG_URL = os.environ.get("PORTAL_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL")
# The xdist worker running this process ("gw0", "gw1", ...), "main" without xdist.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
# The demo catalogue is of 2024-2025: tests look at it from a fixed day.
FROZEN_NOW = datetime(2024, 11, 20, 12, 0, tzinfo=UTC)
STAFF_PASSWORD = "a long enough password"
CSRF_INPUT = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" name="csrf_token" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def worker_database_url(url: str) -> str:
    """`url` for this xdist worker: its database name with `_gw0`, `_gw1`... appended (the
    same database without xdist)."""
    if WORKER == "main":
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{WORKER}").render_as_string(hide_password=False)


def base_settings(uri: str) -> dict:
    """The configuration every test app starts from, on the database at `uri`."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": uri,
        "RATELIMIT_STORAGE_URI": "memory://",
        # Tests post many forms from one address; the rate-limit tests set their own limits.
        "INQUIRY_RATELIMIT_PER_EMAIL": "1000 per hour",
        "INQUIRY_RATELIMIT_PER_IP": "1000 per hour",
        "CALENDAR_RENDER_LIMIT": "100000 per minute",
        "SERVER_NAME": "portal.test",
        # Cheap argon2 parameters: tests sign in hundreds of times.
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_COST": 1024,
        "PASSWORD_HASH_PARALLELISM": 1,
    }


def csrf_token(page: str) -> str | None:
    """The CSRF token of the first form in the HTML `page`, None without one."""
    found = CSRF_INPUT.search(page)
    return next(group for group in found.groups() if group) if found else None


class SMTPServer:
    """A real SMTP server (aiosmtpd) on loopback that keeps what it receives. `answer` makes
    it refuse messages ("451 ..." or "550 ..."); stop() leaves nothing listening on the port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[tuple[str, list[str], bytes]] = []
        self.answer: str | None = None
        self.delay = 0.0  # seconds per message, to let concurrent deliverers overlap
        self.lock = threading.Lock()
        self.controller = None

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.answer:
            return self.answer
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        with self.lock:
            return [
                BytesParser(policy=policy.default).parsebytes(content)
                for _, _, content in self.received
            ]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"].addresses[0].addr_spec == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def explain(statement, *switches: str) -> str:
    """PostgreSQL's plan for `statement` with the planner's `switches` off (enable_seqscan,
    enable_sort, ...): a test's few rows would rather be read whole, so the way an index can
    answer a statement shows only with the alternatives priced out."""
    compiled = statement.compile(db.engine)
    with db.engine.connect() as connection:
        for switch in switches:
            connection.execute(text(f"SET {switch} = off"))
        # Planned with its parameters' values, as the portal's statements are.
        plan = connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params)
        return "\n".join(plan.scalars())


def inquire(applicant, kind, **about):
    """Submit an inquiry as the public forms do: stored and committed, its mail tried at once."""
    from flask import current_app

    from portal.core.saving import saving
    from portal.inquiries.operations import submit_inquiry
    from portal.mail.delivery import deliver_now

    with saving():
        submitted = submit_inquiry(applicant, kind, **about)
    deliver_now(current_app._get_current_object(), submitted.message_ids)
    return submitted
