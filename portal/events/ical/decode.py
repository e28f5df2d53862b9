"""A file's bytes as text icalendar can parse: the encoding guessed, lines unfolded, raw line
breaks inside values mended, and the components the portal ignores left out (a broken VALARM
or VTODO cannot reject the file)."""

from __future__ import annotations

import codecs
import re

IGNORED = {"VALARM", "VTODO", "VJOURNAL", "VFREEBUSY", "VAVAILABILITY", "AVAILABLE", "VPOLL"}
PROPERTY_LINE = re.compile(r"[A-Za-z0-9-]+[;:]")


def decode(data: bytes) -> tuple[str, list[str]]:
    """The file's text, with CRLF line ends, unfolded, and without the components the
    portal ignores; and what was guessed to get it."""
    notes = []
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
                notes.append("The file is not UTF-8: its text was read as Windows-1252 (Latin-1).")
            except UnicodeDecodeError:
                text = data.decode("latin-1")
                notes.append("The file is not UTF-8: its text was read as Latin-1.")
    text = text.lstrip("\ufeff")
    lines: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line[:1] in (" ", "\t") and lines:
            lines[-1] += line[1:]  # a folded line
        elif not line.strip():
            continue
        elif PROPERTY_LINE.match(line) or not lines:
            lines.append(line)
        else:
            # A line break written raw inside a value (some producers do not escape them).
            lines[-1] += "\\n" + line
    kept, skipping = [], 0
    for line in lines:
        name, _, value = line.partition(":")
        upper = value.strip().upper()
        if name.upper() == "BEGIN" and (skipping or upper in IGNORED):
            skipping += 1
        elif name.upper() == "END" and skipping:
            skipping -= 1
        elif not skipping:
            kept.append(line)
    return "\r\n".join(kept) + "\r\n", notes
