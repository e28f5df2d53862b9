"""VTIMEZONEs that cannot be read are dropped with a note, as a broken alarm is, instead of
the whole file being refused: two TZID lines, an offset like +5328, an RDATE where only an
observance may have one. Each is tried alone, as icalendar will read it."""

from __future__ import annotations

import re

import icalendar

BLOCK = re.compile(r"^BEGIN:VTIMEZONE\r\n.*?^END:VTIMEZONE\r\n", re.S | re.M | re.I)
TZID = re.compile(r"^TZID[;:][^\r\n]*", re.M | re.I)


def readable(block: str) -> bool:
    try:
        calendar = icalendar.Calendar.from_ical(
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//check//EN\r\n"
            + block
            + "END:VCALENDAR\r\n"
        )
        for zone in calendar.walk("VTIMEZONE"):
            if not isinstance(zone.get("TZID"), str | icalendar.vText):
                return False  # two TZID lines: a list, which icalendar cannot name a zone by
            zone.to_tz()  # type: ignore[attr-defined]
    except Exception:
        return False
    return True


def drop_unreadable(text: str, notes: list[str]) -> str:
    """The text without the VTIMEZONEs icalendar cannot read, each one noted."""

    def keep_or_drop(match: re.Match) -> str:
        block = match.group(0)
        if readable(block):
            return block
        names = [line.split(":", 1)[-1] for line in TZID.findall(block)]
        notes.append(
            f"The time zone {' / '.join(names) or '(without TZID)'} could not be read and was "
            "left out: its events' times were read by its name, or in the calendar's zone."
        )
        return ""

    return BLOCK.sub(keep_or_drop, text)
