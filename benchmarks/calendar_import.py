"""The iCalendar import of a large file: a 2 MiB calendar of about 13,000 events (a tenth of
them under one title, so their slugs are numbered), previewed then imported with
`flask events import` into a scratch database (goal: the import under 30 s).

    .venv/bin/python benchmarks/calendar_import.py [--events 13000] [--database URL]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from harness import BIN, ROOT, flask, scratch_portal

GOAL_SECONDS = 30


def calendar(count: int) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Benchmark//Import//EN"]
    zones = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC"]
    first = date(2026, 1, 1)
    for number in range(count):
        day = first + timedelta(days=number % 700)
        title = "Community meetup" if number % 10 == 0 else f"Event {number}"
        zone = zones[number % len(zones)]
        start = f"{day:%Y%m%d}T{9 + number % 8:02d}0000"
        end = f"{day:%Y%m%d}T{10 + number % 8:02d}0000"
        when = (
            [f"DTSTART:{start}Z", f"DTEND:{end}Z"]
            if zone == "UTC"
            else [f"DTSTART;TZID={zone}:{start}", f"DTEND;TZID={zone}:{end}"]
        )
        lines += [
            "BEGIN:VEVENT",
            f"UID:bench-{number}@example.org",
            "DTSTAMP:20251101T000000Z",
            *when,
            f"SUMMARY:{title}",
            f"LOCATION:Hall {number % 7}\\, Berlin\\, Germany",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def timed(env: dict, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "flask"), "--app", "app", "events", "import", *args],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=13_000)
    parser.add_argument("--database", help="a scratch database URL (default: SQLite)")
    args = parser.parse_args()
    data = calendar(args.events)
    with scratch_portal(args.database) as env, tempfile.TemporaryDirectory() as folder:
        flask(env, "db", "upgrade")
        path = Path(folder) / "big.ics"
        path.write_bytes(data)
        preview = timed(env, str(path))
        imported = timed(env, str(path), "--apply", "--json")
        again = timed(env, str(path), "--apply", "--json")
    print(f"file: {len(data) / 2**20:.2f} MiB, {args.events} events")
    print(f"preview (read and plan): {preview:.1f} s")
    print(f"import (create all): {imported:.1f} s (goal: under {GOAL_SECONDS} s)")
    print(f"import again (all unchanged): {again:.1f} s")
    return 0 if imported < GOAL_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
