"""The import of a Google-style calendar of 12,000 events (issue 17): `X-WR-TIMEZONE`, every
time in UTC, a description and a place each, about 4 MB. Previewed, applied, then applied
again unchanged with `flask events import` into a scratch database; re-applying an unchanged
file should cost no more than its preview.

    .venv/bin/python benchmarks/import_speed.py [--events 12000] [--database URL]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from calendar_import import timed
from harness import flask, scratch_portal

DESCRIPTION = (
    "Join us for talks, workshops and the hallway track. Bring a laptop\\; the Wi-Fi "
    "password is at the desk. More at https://example.org/meetups/{n}"
)


def google_calendar(count: int) -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", "VERSION:2.0",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Community events",
        "X-WR-TIMEZONE:America/Los_Angeles",
    ]  # fmt: skip
    first = datetime(2026, 1, 5, 17)
    for number in range(count):
        start = first + timedelta(hours=7 * number)
        end = start + timedelta(hours=2)
        lines += [
            "BEGIN:VEVENT",
            f"DTSTART:{start:%Y%m%dT%H%M%S}Z",
            f"DTEND:{end:%Y%m%dT%H%M%S}Z",
            "DTSTAMP:20261101T120000Z",
            f"UID:{number:06d}abcdefghijklmnop@google.com",
            "CREATED:20251001T100000Z",
            "LAST-MODIFIED:20251002T100000Z",
            f"DESCRIPTION:{DESCRIPTION.format(n=number)}",
            f"LOCATION:Room {number % 40}\\, 1 Market St\\, San Francisco\\, CA 94105\\, USA",
            "SEQUENCE:0",
            "STATUS:CONFIRMED",
            f"SUMMARY:Meetup {number}: cloud infrastructure",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=12_000)
    parser.add_argument("--database", help="a scratch database URL (default: SQLite)")
    args = parser.parse_args()
    data = google_calendar(args.events)
    with scratch_portal(args.database) as env, tempfile.TemporaryDirectory() as folder:
        flask(env, "db", "upgrade")
        path = Path(folder) / "google.ics"
        path.write_bytes(data)
        preview = timed(env, str(path))
        applied = timed(env, str(path), "--apply", "--json")
        again = timed(env, str(path), "--apply", "--json")
        preview_again = timed(env, str(path))
    print(f"file: {len(data) / 2**20:.2f} MiB, {args.events} events")
    print(f"preview (read and plan): {preview:.1f} s")
    print(f"apply (create all): {applied:.1f} s")
    print(f"apply again (all unchanged): {again:.1f} s")
    print(f"preview again (all to update): {preview_again:.1f} s")
    print("(a shared machine: compare the figures with each other, not with another run)")
    return 0 if again <= preview_again * 1.25 else 1


if __name__ == "__main__":
    sys.exit(main())
