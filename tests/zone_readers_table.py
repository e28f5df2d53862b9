"""The reader x instants-off table of the VTIMEZONE export, for zones.py as it is at each git
revision named (`.` is the working tree, the default), in Markdown:

    .venv/bin/python tests/zone_readers_table.py [REVISION ...]    # e.g. HEAD~3 .

For each reader: how many event instants of the feed with events in every zone (zone_feed.py)
it reads otherwise than the database, and in how many zones; and for the readers that make a
Python tzinfo of a VTIMEZONE, how many hours of the days zones change on it shows at another
local time than zoneinfo, in every zone (calendar_readers.hours_shown_off).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import types
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import calendar_readers  # noqa: E402
import zone_feed  # noqa: E402

from portal.calendar import ics  # noqa: E402


def zones_at(revision: str) -> types.ModuleType:
    """portal/calendar/zones.py as it is at `revision` (`.`: the working tree)."""
    path = HERE.parent / "portal" / "calendar" / "zones.py"
    if revision == ".":
        source = path.read_text()
    else:
        show = ["git", "show", f"{revision}:portal/calendar/zones.py"]
        source = subprocess.run(show, cwd=HERE.parent, capture_output=True, check=True).stdout
    module = types.ModuleType(f"zones_at_{revision}")
    exec(compile(source, str(path), "exec"), module.__dict__)  # zones.py of this repository
    return module


def measure(app, expected: dict) -> dict[str, str]:
    body = zone_feed.feed(app)
    cells = {}
    for name, read in calendar_readers.READERS.items():
        if name == "ical.js" and not calendar_readers.ical_js_available():
            cells[name] = "not installed"
            continue
        got = read(body)
        off = {
            uid: zone for uid, (zone, *instants) in expected.items() if got[uid] != tuple(instants)
        }
        cells[name] = f"{len(off)} of {len(expected)} ({len(set(off.values()))} zones)"
    start, end = datetime(2025, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    for name, read_zones in calendar_readers.ZONE_READERS.items():
        read = read_zones(body)  # ics-py makes UTC of a zone that is UTC by another name
        wrong = calendar_readers.hours_shown_off(read, sorted(read), start, end)
        cells[f"{name}, hours shown"] = f"{len(wrong)} ({len({zone for zone, _ in wrong})} zones)"
    return cells


def main(revisions: list[str]) -> None:
    app, expected = zone_feed.app_with_events(Path(tempfile.mkdtemp()))
    columns = {}
    for revision in revisions or ["."]:
        ics.zones = zones_at(revision)
        columns["working tree" if revision == "." else revision] = measure(app, expected)
    print("| reader | " + " | ".join(columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for row in next(iter(columns.values())):
        print(f"| {row} | " + " | ".join(cells[row] for cells in columns.values()) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
