"""The iCalendar import, in three steps along its seams, plus the fetch of a file by address:

    reading = ical.read(data, projects)   # read.py: each VEVENT a row (nothing written)
    ical.plan(reading.rows)               # plan.py: create, update or skip, and why
    ical.apply(reading.rows, actor)       # apply.py: through the catalogue's operations

Real files are read as their producers write them: decode.py makes the bytes parseable,
when.py, zones.py and place.py read a VEVENT's times and place, properties.py reads properties
as they are really repeated. `fetch` (remote.py) reads a file from an address, refusing the
portal's own network. Every guess a row needed is one of its notes, shown in the preview."""

from portal.events.ical.apply import import_events as apply
from portal.events.ical.plan import plan
from portal.events.ical.read import MAX_OCCURRENCES, parse, read
from portal.events.ical.remote import FetchFailed, fetch
from portal.events.ical.rows import ImportRow, Reading, UnreadableCalendar

__all__ = [
    "MAX_OCCURRENCES",
    "FetchFailed",
    "ImportRow",
    "Reading",
    "UnreadableCalendar",
    "apply",
    "fetch",
    "parse",
    "plan",
    "read",
]
