"""Independent iCalendar readers that use a file's own VTIMEZONEs, not a zone database of their
own: each gives every timed VEVENT's start and end as UTC instants, by UID.

- vobject, through dateutil's `tzical` (see vobject_instants for pytz);
- ics-py 0.8 (`ics`), through its own `Timezone` of the file's observances (ics-py 0.7 asks
  dateutil's `gettz` first and reads a VTIMEZONE only for a name the system does not know);
- ical.js, Thunderbird's parser, under Node when `npm ci` has run in tests/js.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

import ics
import vobject
from zone_feed import one_reading

JS = Path(__file__).parent / "js"
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
Instants = dict[str, tuple[datetime, datetime]]


def forget_vobject_zones() -> None:
    """vobject keeps the first VTIMEZONE it read for a TZID for good: forget them so it uses
    this file's."""
    registry = vobject.icalendar.__dict__["__tzidMap"]
    for name in [name for name in registry if name != "UTC"]:
        del registry[name]


def vobject_instants(data: bytes) -> Instants:
    """vobject takes a VTIMEZONE for UTC when its offset on 2000-01-01 is +00 and it shows no
    DST change from 2000 to 2019 (as a VTIMEZONE bounded to later years does not: London's,
    Dublin's), and then reads the TZID from pytz's database (which vobject requires): the
    file's zones are registered first, as vobject makes them (dateutil's tzical)."""
    forget_vobject_zones()
    parsed = vobject.readOne(data.decode(), transform=False)
    for zone in parsed.contents.get("vtimezone", []):
        tzinfo = vobject.icalendar.TimezoneComponent.gettzinfo(zone)
        vobject.icalendar.registerTzid(zone.contents["tzid"][0].value, tzinfo)
    parsed.transformChildrenToNative()
    read = {}
    for vevent in parsed.contents.get("vevent", []):
        start, end = vevent.dtstart.value, vevent.dtend.value
        assert start.tzinfo is not None and end.tzinfo is not None  # not floating
        read[vevent.uid.value] = (start.astimezone(UTC), end.astimezone(UTC))
    return read


def ics_py_instants(data: bytes) -> Instants:
    parsed = ics.Calendar(data.decode())
    return {e.uid: (e.begin.astimezone(UTC), e.end.astimezone(UTC)) for e in parsed.events}


def ical_js_available() -> bool:
    return bool(shutil.which("node")) and (JS / "node_modules" / "ical.js").exists()


def ical_js_read(data: bytes) -> dict:
    """What tests/js/read.mjs prints for the file: its NAME and each event's fields."""
    result = subprocess.run(
        ["node", str(JS / "read.mjs")], input=data, capture_output=True, check=True, timeout=120
    )
    return json.loads(result.stdout)


def ical_js_instants(data: bytes) -> Instants:
    read = {}
    for item in ical_js_read(data)["events"]:
        start = datetime.fromisoformat(item["start"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(item["end"].replace("Z", "+00:00"))
        read[item["uid"]] = (start, end)
    return read


READERS: dict[str, Callable[[bytes], Instants]] = {
    "ical.js": ical_js_instants,
    "vobject": vobject_instants,
    "ics-py": ics_py_instants,
}


def vobject_zones(data: bytes) -> dict[str, tzinfo]:
    """The file's VTIMEZONEs as vobject makes them tzinfo objects, by TZID."""
    forget_vobject_zones()
    parsed = vobject.readOne(data.decode())
    return {zone.tzid.value: zone.gettzinfo() for zone in parsed.contents.get("vtimezone", [])}


def ics_py_zones(data: bytes) -> dict[str, tzinfo]:
    """The zones of the file's events as ics-py makes them tzinfo objects, by TZID."""
    parsed = ics.Calendar(data.decode())
    zones = (event.begin.tzinfo for event in parsed.events)
    return {zone.tzid: zone for zone in zones if isinstance(zone, ics.Timezone)}


# The readers that turn a VTIMEZONE into a Python tzinfo, which shows instants in local time.
ZONE_READERS: dict[str, Callable[[bytes], dict[str, tzinfo]]] = {
    "vobject": vobject_zones,
    "ics-py": ics_py_zones,
}


def hours_shown_off(read: dict[str, tzinfo], tzids, start: datetime, end: datetime) -> list:
    """(zone, UTC hour) of the hours in [start, end) that a reader's zones show at another
    local time than zoneinfo: every hour of each day in which zoneinfo's offset changes, and
    midnight UTC of the others. Hours the clocks show twice are left out: ics-py cannot tell
    the two apart."""
    wrong = []
    for tzid in tzids:
        tz = ZoneInfo(tzid)
        days = [start + k * DAY for k in range((end - start) // DAY + 1)]
        hours = set(days)
        for day, after in itertools.pairwise(days):
            if day.astimezone(tz).utcoffset() != after.astimezone(tz).utcoffset():
                hours.update(day + k * HOUR for k in range(24))
        for moment in sorted(hour for hour in hours if start <= hour < end):
            local = moment.astimezone(tz)
            if not one_reading(local):
                continue
            if moment.astimezone(read[tzid]).replace(tzinfo=None) != local.replace(tzinfo=None):
                wrong.append((tzid, moment))
    return wrong
