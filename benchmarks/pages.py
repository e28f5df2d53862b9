"""Public pages and feeds against a bare Flask app under the same gunicorn, in one run: ONE table
of requests a second, the bare app's, the ratio, the goal and whether it is met (`make bench`).

Loads the demo data and N synthetic events (default 500) into a scratch SQLite database (or
the PostgreSQL named by --database), serves the portal and the bare app with the same gunicorn
settings (2 sync workers), and drives each page with wrk (2 threads, 16 connections) when it is
installed, else with the harness's client processes. Each round measures the bare app and then
every page; the table shows, for each page, the round with the best ratio and the spread of the
ratios over the rounds (the machine is shared: figures are noisy). The goals: 0.85 for a cached
page or feed (gzipped 0.8), 0.5 for a page with a per-visitor form token. Rows without a goal
(the uncached pages, with PORTAL_PAGE_CACHE=false) are for the record.

    .venv/bin/python benchmarks/pages.py [--events 500] [--seconds 5] [--rounds 2] [--only RE]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from datetime import date
from http.client import HTTPConnection

from harness import ROOT, flask, gunicorn, requests_per_second, scratch_portal

EVENT = "/events/openinfra-days-north-america-2025"
TODAY = date.today()
THIS_MONTH = f"/events/month/{TODAY:%Y-%m}"
PAST_MONTH = "/events/month/2025-03"
NEXT_YEAR = f"/events/month/{TODAY.year + 1}-{TODAY.month:02d}"
GZIP = {"Accept-Encoding": "gzip"}
# label, path, request headers, If-None-Match wanted, expected status, goal (ratio to the bare
# app): 0.85 for every cached page and feed, 0.5 for a page with a per-visitor form token.
PAGES = [
    ("/events", "/events", {}, False, 200, 0.85),
    ("/events?country=DE", "/events?country=DE", {}, False, 200, 0.85),
    ("event page", EVENT, {}, False, 200, 0.85),
    ("month view, past", PAST_MONTH, {}, False, 200, 0.85),
    ("month view, this month", THIS_MONTH, {}, False, 200, 0.85),
    ("month view, next year", NEXT_YEAR, {}, False, 200, 0.85),
    ("/membership (form)", "/membership", {}, False, 200, 0.5),
    ("full feed", "/events.ics", {}, False, 200, 0.85),
    ("full feed, gzip", "/events.ics", GZIP, False, 200, 0.8),
    ("HTML 304 (/events)", "/events", {}, True, 304, 0.85),
    ("feed 304", "/events.ics", {}, True, 304, 0.85),
    ("feed 304, gzip", "/events.ics", GZIP, True, 304, 0.85),
    ("API list", "/api/events", {}, False, 200, 0.85),
    ("API list, filtered", "/api/events?country=US&limit=50", {}, False, 200, 0.85),
    ("API event", "/api/events/openinfra-days-north-america-2025", {}, False, 200, 0.85),
    ("API 304", "/api/events", {}, True, 304, 0.85),
    ("Atom feed", "/events.atom", {}, False, 200, 0.85),
    ("Atom feed, gzip", "/events.atom", GZIP, False, 200, 0.8),
    ("embed", "/embed/events?limit=5", {}, False, 200, 0.85),
    # The translated pages: the same cache, a key of their own (docs/translations.md).
    ("/ja/events", "/ja/events", {}, False, 200, 0.85),
    ("event page, Japanese", "/ja" + EVENT, {}, False, 200, 0.85),
    ("/ja/membership (form)", "/ja/membership", {}, False, 200, 0.5),
]
UNCACHED = [
    ("/events, no page cache", "/events", {}, False, 200, None),
    ("event page, no page cache", EVENT, {}, False, 200, None),
    ("API list, no page cache", "/api/events", {}, False, 200, None),
]


def etag_of(port: int, path: str, headers: dict) -> str:
    connection = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.getheader("ETag")
    finally:
        connection.close()


def wrk(port: int, path: str, headers: dict, seconds: float) -> float:
    command = ["wrk", "-t2", "-c16", f"-d{seconds:g}s", "--timeout", "10s", "--latency"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: .*", out)
    if bad or (errors and re.search(r"(read|write|timeout) [1-9]", errors.group(0))):
        raise RuntimeError(f"{path}: {bad.group(0) if bad else errors.group(0)}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def rate(port: int, path: str, headers: dict, expect: int, seconds: float) -> float:
    if shutil.which("wrk"):
        return wrk(port, path, headers, seconds)
    return requests_per_second(port, path, headers, seconds=seconds, expect=expect)


def measure(env, pages, rounds, seconds, bare_port) -> dict[str, list[tuple[float, float]]]:
    """For each page, per round: (its rate, the bare app's rate of the same round)."""
    found: dict[str, list[tuple[float, float]]] = {label: [] for label, *_ in pages}
    with gunicorn("app:app", env) as port:
        etags = {
            label: etag_of(port, path, headers)
            for label, path, headers, conditional, *_ in pages
            if conditional
        }
        for _ in range(rounds):
            bare = rate(bare_port, "/", {}, 200, seconds)
            for label, path, headers, conditional, expect, _ in pages:
                if conditional:
                    headers = {**headers, "If-None-Match": etags[label]}
                found[label].append((rate(port, path, headers, expect, seconds), bare))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--database", help="a PostgreSQL URL to use instead of SQLite")
    parser.add_argument("--only", help="measure only the rows whose label matches this regex")
    args = parser.parse_args()
    pages, uncached = PAGES, UNCACHED
    if args.only:
        pages = [row for row in PAGES if re.search(args.only, row[0])]
        uncached = [row for row in UNCACHED if re.search(args.only, row[0])]

    with scratch_portal(args.database) as env:
        flask(env, "db", "upgrade")
        flask(env, "seed-demo", "--synthetic", str(args.events))
        with gunicorn("bare_app:app", env, cwd=ROOT / "benchmarks") as bare_port:
            results = measure(env, pages, args.rounds, args.seconds, bare_port)
            if uncached:
                uncached_env = {**env, "PORTAL_PAGE_CACHE": "false"}
                results |= measure(uncached_env, uncached, args.rounds, args.seconds, bare_port)

    tool = "wrk -t2 -c16" if shutil.which("wrk") else "4 client processes"
    print(
        f"\n{args.events} synthetic events, gunicorn 2 sync workers, {tool}, "
        f"{args.seconds:g} s a figure, best of {args.rounds} rounds"
    )
    print(f"{'page':28} {'req/s':>8} {'bare':>8} {'ratio':>6} {'(range)':>13} {'goal':>6}  met")
    failed = False
    for label, *_, goal in pages + uncached:
        pairs = results[label]
        ratios = [page / bare for page, bare in pairs]
        page, bare = max(pairs, key=lambda pair: pair[0] / pair[1])
        ratio = page / bare
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
        if goal is None:
            met, goal_text = "", "-"
        else:
            ok = ratio >= goal
            failed |= not ok
            met, goal_text = ("yes" if ok else "NO"), f"{goal:.1f}"
        print(f"{label:28} {page:8.0f} {bare:8.0f} {ratio:6.2f} {spread:>13} {goal_text:>6}  {met}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
