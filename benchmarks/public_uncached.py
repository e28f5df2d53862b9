"""The public pages' own cost, with the page cache off: in-process renders, or at scale.

In-process (the default): a scratch SQLite database with the demo data and 500 synthetic
events (20 a page), the test client, N renders of `/events` and of the demo's North America
event page; prints the mean, median and p95 of a render. Goals (issue 12): `/events` under
10 ms, the event page under 4 ms.

At scale (`--database URL`): the list pages served by gunicorn as benchmarks/scale.py serves
its "uncached" part (2 workers, gthread with 2 threads, PORTAL_PAGE_CACHE=false) against a
PostgreSQL database already filled with `seed-demo --synthetic 100000` (it is migrated, not
filled, here); prints median and p95. Goal: every p95 under 25 ms.

    .venv/bin/python benchmarks/public_uncached.py [--renders 200] [--profile PATH]
    .venv/bin/python benchmarks/public_uncached.py --database postgresql+psycopg://... \
        [--requests 200]

To compare two trees in one run, call it alternately from each (the machine is shared).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time

import harness
from harness import ROOT, Timing, flask, gunicorn, scratch_portal, time_requests

EVENT = "/events/openinfra-days-north-america-2025"
IN_PROCESS = [("/events", 10.0), (EVENT, 4.0)]
AT_SCALE = ["/events", "/events?project=zuul&country=DE"]
GOAL_P95_MS = 25


def in_process(renders: int, profile: str | None) -> int:
    sys.path.insert(0, str(ROOT))
    from portal import create_app
    from portal.demo import seed_demo
    from portal.extensions import db

    with tempfile.TemporaryDirectory(prefix="portal-bench-") as folder:
        settings = {
            "SECRET_KEY": "benchmark",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/portal.db",
            "RATELIMIT_ENABLED": False,
            "PAGE_CACHE": False,
        }
        app = create_app(settings, instance_path=f"{folder}/instance")
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
        runner = app.test_cli_runner()
        result = runner.invoke(seed_demo, ["--synthetic", "500"])
        assert result.exit_code == 0, result.output
        client = app.test_client()
        failed = False
        print(f"{'page':46} {'mean':>8} {'median':>8} {'p95':>8}  goal")
        for path, goal in IN_PROCESS:
            for _ in range(20):
                assert client.get(path).status_code == 200, path
            samples = []
            for _ in range(renders):
                started = time.perf_counter()
                response = client.get(path)
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200, path
            mean = statistics.fmean(samples) * 1000
            timing = Timing(path, samples)
            ok = mean < goal
            failed |= not ok
            print(
                f"{path:46} {mean:6.2f}ms {timing.median_ms:6.2f}ms {timing.p95_ms:6.2f}ms  "
                f"{'ok' if ok else 'OVER'} (< {goal:g} ms)"
            )
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            for path, _ in IN_PROCESS:
                profiler.enable()
                for _ in range(renders):
                    client.get(path)
                profiler.disable()
                profiler.dump_stats(f"{profile}.{'list' if path == '/events' else 'event'}")
                profiler = cProfile.Profile()
        with app.app_context():
            db.engine.dispose()
    return 1 if failed else 0


def at_scale(database: str, requests: int) -> int:
    with scratch_portal(database) as env:
        flask(env, "db", "upgrade")
        uncached = {**env, "PORTAL_PAGE_CACHE": "false"}
        harness.GUNICORN_ARGS[harness.GUNICORN_ARGS.index("--threads") + 1] = "2"
        with gunicorn("app:app", uncached) as port:
            timings: list[Timing] = [time_requests(port, path, requests) for path in AT_SCALE]
    failed = False
    print(f"{'page (uncached)':46} {'median':>9} {'p95':>9}  goal")
    for timing in timings:
        ok = timing.p95_ms < GOAL_P95_MS
        failed |= not ok
        print(
            f"{timing.label:46} {timing.median_ms:7.2f}ms {timing.p95_ms:7.2f}ms  "
            f"{'ok' if ok else 'OVER'} (p95 < {GOAL_P95_MS} ms)"
        )
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a filled PostgreSQL URL: time the list at scale")
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--profile", help="in-process: write cProfile stats to PATH.list/.event")
    args = parser.parse_args()
    if args.database:
        return at_scale(args.database, args.requests)
    return in_process(args.renders, args.profile)


if __name__ == "__main__":
    sys.exit(main())
