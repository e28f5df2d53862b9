"""Shared pieces of the benchmarks: a scratch portal, gunicorn servers, timed requests."""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# The portal's own gunicorn.conf.py for every app measured, with 2 workers and no access log.
GUNICORN_ARGS = ["--config", str(ROOT / "gunicorn.conf.py"), "--workers", "2"]
GUNICORN_ARGS += ["--worker-class", "sync", "--threads", "1", "--log-level", "warning"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def scratch_portal(database_uri: str | None = None):
    """Environment variables for a portal on its own instance folder and database."""
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        env = dict(os.environ)
        env["PORTAL_SQLALCHEMY_DATABASE_URI"] = database_uri or f"sqlite:///{folder}/portal.db"
        env["PORTAL_SECRET_KEY"] = "benchmark"
        env["PORTAL_RATELIMIT_ENABLED"] = "false"
        env["GUNICORN_ACCESSLOG"] = "off"
        yield env


def vacuum(database_uri: str) -> None:
    """After a bulk load PostgreSQL needs VACUUM for index-only scans (autovacuum would do it
    a little later in production)."""
    if not database_uri.startswith("postgresql"):
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(database_uri, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def flask(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "flask"), "--app", "app", *args], cwd=ROOT, env=env, check=True)


@contextmanager
def gunicorn(app: str, env: dict, cwd: Path = ROOT):
    """Serve `app` with gunicorn on a free loopback port until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), *GUNICORN_ARGS, "--bind", f"127.0.0.1:{port}", app],
        cwd=cwd,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                get(port, "/")
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn {app} did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@dataclass
class Timing:
    label: str
    samples: list[float]

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000

    @property
    def p95_ms(self) -> float:
        return statistics.quantiles(self.samples, n=20)[-1] * 1000


def time_requests(port: int, path: str, count: int, warmup: int = 5, expect: int = 200) -> Timing:
    for _ in range(warmup):
        get(port, path)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        status, _ = get(port, path)
        samples.append(time.perf_counter() - started)
        if status != expect:
            raise RuntimeError(f"{path} answered {status}, expected {expect}")
    return Timing(path, samples)


def _hammer(port: int, path: str, headers: dict, seconds: float, expect: int, queue) -> None:
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, _ = get(port, path, headers)
        if status != expect:
            queue.put(-1)
            return
        done += 1
    queue.put(done)


def requests_per_second(
    port: int,
    path: str,
    headers: dict | None = None,
    seconds: float = 5.0,
    clients: int = 4,
    expect: int = 200,
) -> float:
    """Closed-loop load from `clients` processes for `seconds`: completed requests a second."""
    import multiprocessing

    for _ in range(20):
        get(port, path, headers)  # warm up every worker
    queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(
            target=_hammer, args=(port, path, headers or {}, seconds, expect, queue)
        )
        for _ in range(clients)
    ]
    for worker in workers:
        worker.start()
    counts = [queue.get() for _ in workers]
    for worker in workers:
        worker.join()
    if min(counts) < 0:
        raise RuntimeError(f"{path} answered something other than {expect}")
    return sum(counts) / seconds


CSRF_INPUT = re.compile(rb'name="csrf_token" type="hidden" value="([^"]+)"')


def submit_form(port: int, path: str, fields: dict[str, str]) -> tuple[int, str]:
    """What a browser does: GET the form (session cookie and CSRF token), then POST it.
    Returns the POST's status and Location header."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        page = connection.getresponse()
        body = page.read()
        cookie = "; ".join(
            header.split(";", 1)[0]
            for header in page.headers.get_all("Set-Cookie") or []
            if "Max-Age=0" not in header  # a deletion, not a cookie to send back
        )
        token = CSRF_INPUT.search(body).group(1).decode()
        data = urllib.parse.urlencode({"csrf_token": token, **fields})
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        connection.request("POST", path, body=data, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        connection.close()
