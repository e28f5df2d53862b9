"""The calendar feed against a bare Flask app, under the same gunicorn settings, in one run.

Loads N synthetic events (default 500) into a scratch database, then measures:
  - requests a second of the full feed (200) and of a conditional GET (304), each as a
    ratio to a bare Flask "hello" app served the same way (goals: 0.3 and 0.8);
  - the time to regenerate the feed after a change to one event (goal: under 50 ms).

    .venv/bin/python benchmarks/calendar_feed.py [--events 500] [--seconds 5] [--clients 4]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from http.client import HTTPConnection

from harness import ROOT, flask, get, gunicorn, requests_per_second, scratch_portal

GOALS = {"full feed": 0.3, "304": 0.8}
REGENERATE_GOAL_MS = 50


def regeneration_ms(env: dict, rounds: int = 20) -> tuple[float, float]:
    """Cold render, then the median render after changing one event (in this process)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import select

    from portal import create_app
    from portal.events.models import Event
    from portal.extensions import db

    app = create_app({"SERVER_NAME": "bench.test"})
    client = app.test_client()
    started = time.perf_counter()
    assert client.get("/events.ics").status_code == 200
    cold = (time.perf_counter() - started) * 1000
    samples = []
    with app.app_context():
        slug = db.session.scalar(select(Event.slug).where(Event.slug.like("synthetic-%")))
        for number in range(rounds):
            event = db.session.scalar(select(Event).where(Event.slug == slug))
            event.summary = f"Changed {number}"
            db.session.commit()
            started = time.perf_counter()
            response = client.get("/events.ics")
            samples.append((time.perf_counter() - started) * 1000)
            assert f"Changed {number}".encode() in response.data
    return cold, statistics.median(samples)


def etag_of(port: int) -> str:
    connection = HTTPConnection("127.0.0.1", port)
    try:
        connection.request("GET", "/events.ics")
        return connection.getresponse().getheader("ETag")
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    with scratch_portal() as env:
        flask(env, "db", "upgrade")
        flask(env, "seed-demo", "--synthetic", str(args.events))
        with (
            gunicorn("bare_app:app", env, cwd=ROOT / "benchmarks") as bare_port,
            gunicorn("app:app", env) as port,
        ):
            _, body = get(port, "/events.ics")
            count = body.count(b"BEGIN:VEVENT")
            etag = etag_of(port)
            load = {"seconds": args.seconds, "clients": args.clients}
            rates: dict[str, list[float]] = {"bare": [], "full feed": [], "304": []}
            # Rounds alternate the three loads so that drift in the machine hits each alike.
            for _ in range(args.rounds):
                rates["bare"].append(requests_per_second(bare_port, "/", **load))
                rates["full feed"].append(requests_per_second(port, "/events.ics", **load))
                rates["304"].append(
                    requests_per_second(
                        port, "/events.ics", {"If-None-Match": etag}, expect=304, **load
                    )
                )
        bare, full, conditional = (
            statistics.median(rates[k]) for k in ("bare", "full feed", "304")
        )
        cold, warm = regeneration_ms(env)

    print(
        f"\nfeed: {count} events, {len(body):,} bytes; {args.clients} client processes, "
        f"median of {args.rounds} rounds of {args.seconds:g} s"
    )
    print(f"{'what':28} {'req/s':>9} {'ratio':>7}  goal")
    print(f"{'bare Flask hello':28} {bare:9.0f} {1:7.2f}")
    failed = False
    for label, rate in (("full feed", full), ("304", conditional)):
        ratio = rate / bare
        ok = ratio >= GOALS[label]
        failed |= not ok
        print(f"{label:28} {rate:9.0f} {ratio:7.2f}  {'ok' if ok else 'UNDER'} (>= {GOALS[label]})")
    ok = warm < REGENERATE_GOAL_MS
    failed |= not ok
    print(
        f"regenerate after a change: {warm:.1f} ms median ({'ok' if ok else 'OVER'}, "
        f"< {REGENERATE_GOAL_MS} ms); first render in a new process: {cold:.1f} ms"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
