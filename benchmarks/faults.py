"""The portal under load while its dependencies fail: Redis stopped, PostgreSQL stopped,
PostgreSQL restarted, each through a TCP proxy this script controls (tests/faults.py), in front
of the machine's PostgreSQL and Redis. Counts, per phase, the requests and their errors, the
inquiries answered 303 against the rows stored, the health probe's answers and the bytes
logged; then delivers the outbox to an SMTP server on loopback and counts each mail once.

Run it against this checkout ("after") and against an older one ("before") with the same
arguments, and compare the tables:

    .venv/bin/python benchmarks/faults.py --database postgresql+psycopg://postgres@127.0.0.1/faults
        [--redis redis://127.0.0.1:6379/9] [--seconds 10] [--root PATH-OF-ANOTHER-CHECKOUT]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from harness import BIN, ROOT, free_port
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(ROOT / "tests"))
from faults import Proxy  # the fault tests' proxy, shared with them

HIDDEN = re.compile(rb'<input[^>]*type="hidden"[^>]*>')
NAME, VALUE = re.compile(rb'name="([^"]+)"'), re.compile(rb'value="([^"]*)"')
PAGES = ["/", "/events", "/events?past=1", "/events/month/2025-03", "/membership", "/events.ics"]


class Tally:
    """What each phase saw, counted from several threads."""

    def __init__(self) -> None:
        self.phase = "warm-up"
        self.lock = threading.Lock()
        self.counts: dict[str, Counter] = defaultdict(Counter)
        self.stop = threading.Event()

    def add(self, what: str) -> None:
        with self.lock:
            self.counts[self.phase][what] += 1


def request(port: int, method: str, path: str, body: str | None = None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def outcome(port: int, path: str) -> str:
    try:
        response, _ = request(port, "GET", path)
    except Exception as error:  # a reset or a timeout is an answer the visitor gets too
        return f"error {type(error).__name__}"
    return str(response.status)


def browse(port: int, tally: Tally, offset: int) -> None:
    number = offset
    while not tally.stop.is_set():
        path = PAGES[number % len(PAGES)]
        number += 1
        tally.add(f"GET {outcome(port, path)}")


def submit(port: int, number: int) -> tuple[str, str]:
    """A browser's inquiry: GET the form (cookie, CSRF token, every hidden field), POST it."""
    page, body = request(port, "GET", "/membership")
    if page.status != 200:
        return str(page.status), ""
    cookie = "; ".join(
        header.split(";", 1)[0] for header in page.headers.get_all("Set-Cookie") or []
    )
    fields = {}
    for tag in HIDDEN.findall(body):
        name, value = NAME.search(tag), VALUE.search(tag)
        if name and value:
            fields[name.group(1).decode()] = value.group(1).decode()
    fields.update(
        name=f"Load {number}", email=f"fault{number}@example.org", organization="Load test",
        tier="", message="We would like to hear about membership.", consent="y",
    )  # fmt: skip
    response, _ = request(
        port, "POST", "/membership", urllib.parse.urlencode(fields),
        {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )  # fmt: skip
    return str(response.status), f"fault{number}@example.org"


def post_inquiries(port: int, tally: Tally, offset: int, accepted: list[str]) -> None:
    number = offset
    while not tally.stop.is_set():
        number += 2
        try:
            status, email = submit(port, number)
        except Exception as error:
            status, email = f"error {type(error).__name__}", ""
        tally.add(f"POST {status}")
        if status == "303":
            accepted.append(email)
        time.sleep(0.05)


def probe(port: int, tally: Tally) -> None:
    while not tally.stop.is_set():
        started = time.monotonic()
        answer = outcome(port, "/healthz")
        slow = " (>1 s)" if time.monotonic() - started > 1 else ""
        tally.add(f"health {answer}{slow}")
        time.sleep(0.5)


def serve(root: Path, env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    arguments = ["--config", str(root / "gunicorn.conf.py"), "--workers", "2", "--threads", "4"]
    arguments += ["--bind", f"127.0.0.1:{port}", "--timeout", "30", "app:app"]
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), *arguments], cwd=root, env=env, stderr=log.open("ab")
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            request(port, "GET", "/")
            return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not start")


def count_stored(database: str, emails: list[str]) -> tuple[int, int]:
    engine = create_engine(database)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT email FROM inquiry")).scalars().all()
    engine.dispose()
    stored = Counter(rows)
    return sum(1 for email in set(emails) if stored[email]), sum(n - 1 for n in stored.values())


class Mailbox:
    """An SMTP server on loopback that keeps every message it is given."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.received: list[bytes] = []
        received = self.received

        class Keep:
            async def handle_DATA(self, server, session, envelope):
                received.append(envelope.original_content or envelope.content)
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Keep(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def duplicates(self) -> int:
        ids = Counter(
            re.search(rb"(?im)^Message-ID:\s*(\S+)", mail).group(1) for mail in self.received
        )
        return sum(n - 1 for n in ids.values())


def deliver_rest(root: Path, env: dict, database: str) -> int:
    """Deliver what the outbox still holds (what inline delivery left); its rows."""
    engine = create_engine(database)
    for _ in range(10):
        subprocess.run(
            [str(BIN / "flask"), "--app", "app", "outbox", "deliver", "--all"],
            cwd=root, env=env, check=True, capture_output=True,
        )  # fmt: skip
        with engine.connect() as connection:
            left = connection.execute(
                text("SELECT count(*) FROM outbox_message WHERE state IN ('pending', 'sending')")
            ).scalar_one()
            rows = connection.execute(text("SELECT count(*) FROM outbox_message")).scalar_one()
        if not left:
            break
    engine.dispose()
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL URL (its data is reset)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--seconds", type=float, default=10, help="length of each phase")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve")
    parser.add_argument("--log", type=Path, help="keep gunicorn's log there")
    args = parser.parse_args()
    root = args.root.resolve()

    url = make_url(args.database)
    engine = create_engine(args.database, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    pg = Proxy(url.host or "127.0.0.1", url.port or 5432)
    parts = urlsplit(args.redis)
    redis = Proxy(parts.hostname or "127.0.0.1", parts.port or 6379)
    proxied_db = url.set(host="127.0.0.1", port=pg.port).render_as_string(hide_password=False)
    proxied_redis = f"redis://127.0.0.1:{redis.port}{parts.path or '/0'}"

    mailbox = Mailbox()
    with tempfile.TemporaryDirectory(prefix="portal-faults-") as folder:
        env = dict(os.environ)
        env.update(
            PORTAL_SQLALCHEMY_DATABASE_URI=proxied_db,
            PORTAL_SECRET_KEY="fault-benchmark-" + "k" * 32,
            PORTAL_RATELIMIT_ENABLED="true",
            PORTAL_RATELIMIT_STORAGE_URI=proxied_redis,
            PORTAL_RATELIMIT_KEY_PREFIX=f"faults-{time.time_ns()}",
            PORTAL_CACHE_REDIS_URL=proxied_redis,
            PORTAL_INQUIRY_RATELIMIT_PER_IP="100000 per hour",
            PORTAL_INQUIRY_RATELIMIT_PER_EMAIL="100000 per hour",
            PORTAL_MAIL_BACKEND="smtp",
            PORTAL_MAIL_SERVER="127.0.0.1",
            PORTAL_MAIL_PORT=str(mailbox.port),
            GUNICORN_ACCESSLOG="off",
        )
        env.pop("PORTAL_BASE_URL", None)
        setup = {**env, "PORTAL_SQLALCHEMY_DATABASE_URI": args.database}
        for command in (["db", "upgrade"], ["seed-demo"]):
            subprocess.run(
                [str(BIN / "flask"), "--app", "app", *command],
                cwd=root, env=setup, check=True, capture_output=True,
            )  # fmt: skip
        log = Path(folder) / "gunicorn.log"
        server, port = serve(root, env, log)
        tally, accepted = Tally(), []
        threads = [threading.Thread(target=browse, args=(port, tally, n)) for n in range(6)]
        threads += [
            threading.Thread(target=post_inquiries, args=(port, tally, n, accepted))
            for n in range(2)
        ]
        threads.append(threading.Thread(target=probe, args=(port, tally)))
        for thread in threads:
            thread.start()
        logged: dict[str, int] = {}
        phases = [
            ("normal", lambda: None),
            ("Redis stopped", redis.refuse),
            ("Redis back", redis.restore),
            ("database stopped", pg.refuse),
            ("database back", pg.restore),
            ("database restart", pg.cut),
            ("after", lambda: None),
        ]
        try:
            for name, act in phases:
                before = log.stat().st_size if log.exists() else 0
                act()
                tally.phase = name
                time.sleep(args.seconds)
                logged[name] = (log.stat().st_size if log.exists() else 0) - before
        finally:
            tally.stop.set()
            for thread in threads:
                thread.join()
            redis.restore()
            pg.restore()
            server.terminate()
            server.wait(timeout=20)
        stored, doubled = count_stored(args.database, accepted)
        rows = deliver_rest(root, setup, args.database)
        if args.log:
            args.log.write_bytes(log.read_bytes())
    mailbox.controller.stop()
    mails, duplicates = len(mailbox.received), mailbox.duplicates()
    pg.close()
    redis.close()

    revision = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    print(f"\nFaults under load at {revision} ({root}): phases of {args.seconds:g} s, 6 browsing")
    print("threads, 2 inquiry posters, a health probe every 0.5 s; gunicorn 2 workers x 4 threads")
    print(f"{'phase':18} {'GETs':>6} {'GET 500':>8} {'GET 503':>8} {'GET err':>8} "
          f"{'POST 303':>9} {'POST 500':>9} {'POST 503':>9} {'POST err':>9} {'health':>24} "
          f"{'log bytes':>10}")  # fmt: skip
    for name, _ in phases:
        seen = tally.counts[name]
        gets = sum(n for key, n in seen.items() if key.startswith("GET "))
        get_500 = sum(n for key, n in seen.items() if key.startswith("GET 5") and "503" not in key)
        get_err = sum(n for key, n in seen.items() if key.startswith("GET error"))
        post_err = sum(n for key, n in seen.items() if key.startswith("POST error"))
        post_500 = sum(
            n for key, n in seen.items() if key.startswith("POST 5") and "503" not in key
        )
        health = ", ".join(
            f"{key[7:]}×{n}" for key, n in sorted(seen.items()) if key.startswith("health")
        )
        print(
            f"{name:18} {gets:6} {get_500:8} {seen['GET 503']:8} {get_err:8} "
            f"{seen['POST 303']:9} {post_500:9} {seen['POST 503']:9} {post_err:9} {health:>24} "
            f"{logged.get(name, 0):10}"
        )
    print(
        f"inquiries answered 303: {len(accepted)}, stored: {stored}, stored twice: {doubled}; "
        f"outbox rows: {rows}, mails received: {mails}, received twice: {duplicates}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
