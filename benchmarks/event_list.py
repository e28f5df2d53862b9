"""Median time of /events and of a filtered /events over 100,000 synthetic events.

Loads the demo data plus N synthetic events into a scratch SQLite database (or the
PostgreSQL named by --database), serves the portal and a bare Flask app under the same
gunicorn settings, and prints medians, 95th percentiles and the ratio to the bare app.
The goal (issue 2): each list page under 50 ms.

    .venv/bin/python benchmarks/event_list.py [--events 100000] [--requests 200]
"""

from __future__ import annotations

import argparse
import sys
import time

from harness import ROOT, flask, gunicorn, scratch_portal, time_requests, vacuum

GOAL_MS = 50
PAGES = [
    "/events",
    "/events?q=cloud&format=virtual",
    "/events?q=berlin&format=in_person",
    "/events?project=zuul&country=DE",
    "/events?past=1&page=50",
    "/",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database", help="a PostgreSQL URL to use instead of SQLite")
    args = parser.parse_args()

    with scratch_portal(args.database) as env:
        started = time.perf_counter()
        flask(env, "db", "upgrade")
        flask(env, "seed-demo", "--synthetic", str(args.events))
        vacuum(env["PORTAL_SQLALCHEMY_DATABASE_URI"])
        print(f"loaded {args.events:,} synthetic events in {time.perf_counter() - started:.1f} s")

        with gunicorn("bare_app:app", env, cwd=ROOT / "benchmarks") as port:
            bare = time_requests(port, "/", args.requests)
        with gunicorn("app:app", env) as port:
            timings = [time_requests(port, page, args.requests) for page in PAGES]

    print(f"\n{'page':40} {'median':>9} {'p95':>9} {'x bare':>7}  goal")
    print(f"{'bare Flask hello':40} {bare.median_ms:8.2f}ms {bare.p95_ms:8.2f}ms {1:7.1f}")
    failed = False
    for timing in timings:
        ok = timing.median_ms < GOAL_MS
        failed |= not ok and timing.label.startswith("/events")
        print(
            f"{timing.label:40} {timing.median_ms:8.2f}ms {timing.p95_ms:8.2f}ms "
            f"{timing.median_ms / bare.median_ms:7.1f}  {'ok' if ok else 'OVER'} (<{GOAL_MS} ms)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
