"""Soak: 500 inquiries while the mail server is down, then every message delivered once.

Serves the portal with gunicorn on a scratch database (SQLite, or the PostgreSQL named by
--database) with PORTAL_MAIL_BACKEND=smtp pointing at a port where nothing listens, submits the
inquiries through the HTTP forms (half membership, half sponsorship, each routed to one
contact), starts an SMTP server (aiosmtpd) on that port, runs two `flask outbox deliver --all`
at once, then one more, and counts: inquiries stored, messages received (a notification and an
acknowledgement per inquiry), duplicates by Message-ID, and stored messages never received.
Exits 1 on any mismatch.

    .venv/bin/python benchmarks/inquiry_soak.py [--inquiries 500] [--clients 8]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from email import policy
from email.parser import BytesParser

from aiosmtpd.controller import Controller
from harness import BIN, ROOT, free_port, gunicorn, scratch_portal, submit_form
from sqlalchemy import create_engine, text

MEMBERSHIP = "/membership"
SPONSOR = "/events/openinfra-days-north-america-2025/sponsor"


class Inbox:
    def __init__(self) -> None:
        self.message_ids: list[str] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.content)
        with self.lock:
            self.message_ids.append(parsed["Message-ID"])
        return "250 OK"


def fields(number: int) -> tuple[str, dict[str, str]]:
    common = {
        "name": f"Soak Tester {number}",
        "email": f"soak{number}@example.org",
        "organization": f"Soak Corp {number}",
        "message": f"Inquiry number {number}: please tell us more.",
        "consent": "y",
    }
    if number % 2:
        return SPONSOR, {**common, "package": "spotlight"}
    return MEMBERSHIP, {**common, "tier": "gold"}


def submit_all(port: int, count: int, clients: int) -> Counter:
    def one(number: int) -> int:
        path, data = fields(number)
        status, location = submit_form(port, path, data)
        return status if location.endswith("/thanks") else -status

    with ThreadPoolExecutor(clients) as pool:
        return Counter(pool.map(one, range(count)))


def deliverers(env: dict, count: int) -> list[str]:
    command = [str(BIN / "flask"), "--app", "app", "outbox", "deliver", "--all"]
    running = [
        subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    outputs = []
    for process in running:
        out, _ = process.communicate(timeout=600)
        if process.returncode != 0:
            raise RuntimeError(f"flask outbox deliver exited {process.returncode}")
        outputs.append(out.strip())
    return outputs


def stored(uri: str) -> tuple[int, list[str], Counter]:
    engine = create_engine(uri)
    with engine.connect() as connection:
        inquiries = connection.scalar(text("SELECT count(*) FROM inquiry"))
        ids = list(connection.scalars(text("SELECT message_id FROM outbox_message")))
        states = Counter(
            dict(
                connection.execute(
                    text("SELECT state, count(*) FROM outbox_message GROUP BY state")
                ).all()
            )
        )
    engine.dispose()
    return inquiries, ids, states


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inquiries", type=int, default=500)
    parser.add_argument("--clients", type=int, default=8, help="concurrent HTTP clients")
    parser.add_argument("--database", help="a PostgreSQL URL to use instead of SQLite")
    args = parser.parse_args()
    expected_messages = 2 * args.inquiries

    with scratch_portal(args.database) as env:
        smtp_port = free_port()
        env.update(
            PORTAL_MAIL_BACKEND="smtp",
            PORTAL_MAIL_SERVER="127.0.0.1",
            PORTAL_MAIL_PORT=str(smtp_port),
            PORTAL_RATELIMIT_ENABLED="false",
        )
        uri = env["PORTAL_SQLALCHEMY_DATABASE_URI"]
        for command in (["db", "upgrade"], ["seed-demo"]):
            subprocess.run(
                [str(BIN / "flask"), "--app", "app", *command],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
            )

        with gunicorn("app:app", env) as port:
            started = time.perf_counter()
            statuses = submit_all(port, args.inquiries, args.clients)
            submitting = time.perf_counter() - started
        print(
            f"submitted {args.inquiries} inquiries with the SMTP server down in "
            f"{submitting:.1f} s ({args.inquiries / submitting:.0f}/s): answers {dict(statuses)}"
        )
        _, _, states = stored(uri)
        print(f"outbox before delivery: {dict(states)}")

        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        try:
            started = time.perf_counter()
            outputs = deliverers(env, 2)
            outputs += deliverers(env, 1)
            delivering = time.perf_counter() - started
        finally:
            controller.stop()
        for output in outputs:
            print(f"  deliverer: {output}")

        inquiries, message_ids, states = stored(uri)

    received = Counter(inbox.message_ids)
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    missing = len(set(message_ids) - set(received))
    print(f"SMTP server up: delivered in {delivering:.1f} s by two concurrent deliverers + one")
    print(f"inquiries stored:    {inquiries:5} (expected {args.inquiries})")
    print(
        f"messages in outbox:  {len(message_ids):5} (expected {expected_messages}) {dict(states)}"
    )
    print(f"messages received:   {len(inbox.message_ids):5} (expected {expected_messages})")
    print(f"duplicates:          {duplicates:5} (expected 0)")
    print(f"missing:             {missing:5} (expected 0)")
    ok = (
        statuses == Counter({303: args.inquiries})
        and inquiries == args.inquiries
        and len(message_ids) == len(inbox.message_ids) == expected_messages
        and duplicates == missing == 0
        and states == Counter({"sent": expected_messages})
    )
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
