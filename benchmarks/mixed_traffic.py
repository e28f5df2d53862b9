"""Mixed traffic on two gunicorn instances that share one database and one Redis (page and
feed cache, rate limits): lists, event pages, month views, feeds, 304s and inquiry POSTs with
the rate limits on. Reports every error response (there must be none).

wrk drives the GETs (64 connections for 60 s by default, split over the two instances) from a
Lua script cycling through the pages; a Python client posts inquiries through the forms (GET
the form, then POST it with its session cookie and CSRF token) alternately to each instance.
The per-address limit (PORTAL_INQUIRY_RATELIMIT_PER_IP) is shared through Redis, so the two
instances together accept no more than it allows; the rest answer 429, as they should.

    .venv/bin/python benchmarks/mixed_traffic.py [--seconds 60] [--connections 64]
        [--events 500] [--database postgresql+psycopg://...] [--redis redis://127.0.0.1:6379/5]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.client import HTTPConnection
from pathlib import Path

from harness import flask, gunicorn, scratch_portal, submit_form

PER_IP = 40  # inquiries an hour from one address, across both instances


def etag_of(port: int, path: str) -> str:
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, (path, response.status)
        return response.getheader("ETag"), body
    finally:
        connection.close()


def lua_script(requests: list[tuple[str, str | None]]) -> str:
    lines = ["local requests = {"]
    for path, etag in requests:
        headers = f'{{["If-None-Match"] = {etag!r}}}' if etag else "{}"
        lines.append(f'  wrk.format("GET", "{path}", {headers}),')
    lines += [
        "}",
        "local counter = 0",
        "function init(args) counter = math.random(#requests) end",
        "function request()",
        "  counter = counter % #requests + 1",
        "  return requests[counter]",
        "end",
    ]
    return "\n".join(lines).replace("'", '"')


def run_wrk(port: int, script: Path, connections: int, seconds: int, out: dict) -> None:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency"]
    command += ["-s", str(script)]
    done = subprocess.run(
        [*command, f"http://127.0.0.1:{port}/"], capture_output=True, text=True, check=False
    )
    out[port] = done.stdout + done.stderr


def post_inquiries(ports: list[int], seconds: int, statuses: Counter) -> None:
    deadline = time.monotonic() + seconds
    number = 0
    while time.monotonic() < deadline:
        number += 1
        fields = {
            "name": f"Load {number}",
            "email": f"load{number}@example.org",
            "organization": "Load test",
            "tier": "",
            "message": "We would like to hear about membership.",
            "consent": "y",
        }
        try:
            status, _ = submit_form(ports[number % 2], "/membership", fields)
        except Exception as error:  # a connection error is an error to report
            status = f"error: {type(error).__name__}"
        statuses[status] += 1
        time.sleep(0.1)


def figure(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    return found.group(1) if found else "0"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--database", help="a PostgreSQL URL to use instead of SQLite")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed (apt-get install wrk)")

    with scratch_portal(args.database) as env:
        env["PORTAL_RATELIMIT_ENABLED"] = "true"
        env["PORTAL_RATELIMIT_STORAGE_URI"] = args.redis
        env["PORTAL_CACHE_REDIS_URL"] = args.redis
        env["PORTAL_INQUIRY_RATELIMIT_PER_IP"] = f"{PER_IP} per hour"
        env["PORTAL_RATELIMIT_KEY_PREFIX"] = f"bench-{time.time_ns()}"  # this run's budget
        env["PORTAL_MAIL_BACKEND"] = "file"
        flask(env, "db", "upgrade")
        flask(env, "seed-demo", "--synthetic", str(args.events))
        with gunicorn("app:app", env) as first, gunicorn("app:app", env) as second:
            _, listing = etag_of(first, "/events")
            slugs = sorted(set(re.findall(rb'href="/events/(synthetic-[^"/.]+)"', listing)))[:8]
            pages = ["/", "/events", "/events?project=zuul", "/events?country=DE&page=2"]
            pages += ["/events?past=1", "/events/month/2025-03", "/membership"]
            pages += [f"/events/{slug.decode()}" for slug in slugs]
            pages += [
                "/events.ics",
                "/events.ics?format=virtual",
                f"/events/{slugs[0].decode()}.ics",
            ]
            requests = [(path, None) for path in pages]
            for path in ("/events", "/events.ics", f"/events/{slugs[1].decode()}"):
                requests.append((path, etag_of(first, path)[0]))
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
                script.write(lua_script(requests))
            outputs: dict[int, str] = {}
            statuses: Counter = Counter()
            threads = [
                threading.Thread(
                    target=run_wrk,
                    args=(port, Path(script.name), args.connections // 2, args.seconds, outputs),
                )
                for port in (first, second)
            ]
            threads.append(
                threading.Thread(
                    target=post_inquiries, args=([first, second], args.seconds, statuses)
                )
            )
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            health = [etag_of(port, "/healthz")[1] for port in (first, second)]

    errors = 0
    print(
        f"\n{args.connections} connections for {args.seconds} s over two gunicorn instances "
        f"(2 workers each), {len(requests)} kinds of GET, inquiry POSTs alongside"
    )
    heads = f"{'requests':>9} {'req/s':>8} {'p50':>9} {'p99':>9} {'non-2xx/3xx':>12}"
    print(f"{'instance':10} {heads} socket errors")
    for port in (first, second):
        out = outputs[port]
        bad = int(figure(r"Non-2xx or 3xx responses: (\d+)", out))
        sockets = figure(r"Socket errors: (.*)", out) if "Socket errors" in out else "none"
        socket_count = sum(int(n) for n in re.findall(r"\d+", sockets)) if sockets != "none" else 0
        errors += bad + socket_count
        done = figure(r"(\d+) requests in", out)
        rate = float(figure(r"Requests/sec:\s+([\d.]+)", out))
        # Lines of wrk's latency distribution ("    50%   11.93ms"), not a "+/- Stdev" column
        # that happens to end in 50% before the next line.
        p50, p99 = figure(r"(?m)^\s+50%\s+(\S+)", out), figure(r"(?m)^\s+99%\s+(\S+)", out)
        print(f"{port:<10} {done:>9} {rate:8.0f} {p50:>9} {p99:>9} {bad:>12} {sockets}")
    accepted, limited = statuses.get(303, 0), statuses.get(429, 0)
    other = {status: n for status, n in statuses.items() if status not in (303, 429)}
    errors += sum(other.values())
    print(
        f"inquiry POSTs: {sum(statuses.values())} sent, {accepted} accepted (303), {limited} "
        f"refused by the shared rate limit (429; at most {PER_IP} accepted), "
        f"other: {other or 'none'}"
    )
    if accepted > PER_IP:
        print(f"the rate limit was not shared: {accepted} accepted > {PER_IP}")
        errors += 1
    print(f"healthz after the run: {[h.decode() for h in health]}")
    print(f"errors: {errors}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
