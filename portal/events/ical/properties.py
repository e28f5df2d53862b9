"""A component's properties as real files hold them: repeated where they should not be, with
control characters in their text."""

from __future__ import annotations

import unicodedata

from portal.events.ical.rows import ImportRow

REPEATABLE = {"CATEGORIES", "RDATE", "EXDATE", "ATTACH", "COMMENT", "CONTACT", "ATTENDEE",
              "RELATED-TO", "RESOURCES", "REQUEST-STATUS", "CONFERENCE", "IMAGE"}  # fmt: skip


def clean(text: str) -> str:
    """Text without control characters (NUL breaks PostgreSQL), lines and tabs kept."""
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def first(component, name: str, row: ImportRow | None = None):
    """The property, or the first of several (real files repeat DTSTART, SUMMARY, GEO...)."""
    value = component.get(name)
    if isinstance(value, list) and name not in REPEATABLE:
        if row is not None and len(value) > 1:
            row.notes.append(f"It has {len(value)} {name} properties: the first was used.")
        value = value[0] if value else None
    return value


def text_of(component, name: str, row: ImportRow | None = None) -> str:
    value = first(component, name, row)
    return "" if value is None else clean(str(value))
