"""The inbox as a CSV file for spreadsheets: UTF-8 with a byte-order mark (so Excel reads the
accents), and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

BOM = "\ufeff"
# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets; visitors type what they like into the form ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = (
    "id", "received_utc", "kind", "status", "name", "email", "organization", "topic",
    "message", "routed_to", "routing_rule", "assignee",
    "reference", "event", "package", "tier", "notes", "last_reply_utc",
)  # fmt: skip
PUBLIC_PREFIX = "Q-"  # inquiries.models.public_reference, written here a million times


def neutralise(value: object) -> str:
    """The cell as text, with a quote in front when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row(values: tuple) -> list:
    """A row of export_batches with every text a visitor or staff member typed neutralised
    (the id, the date, the kind and the status are the portal's own). The texts are never
    None but for the rule and the assignee; neutralise() is written out here because the
    export does it eight times a row, a million rows at a time."""
    number, received, kind, status = values[:4]
    texts = values[4:10]
    rule, assignee, event, package, tier, notes, last_reply = values[10:]
    return [
        number,
        received.isoformat(" ", "seconds"),
        kind,
        status,
        *["'" + text if text.startswith(FORMULA_STARTS) else text for text in texts],
        neutralise(rule or "default contact"),
        neutralise(assignee),
        f"{PUBLIC_PREFIX}{number:06d}",
        neutralise(event),
        neutralise(package),
        neutralise(tier),
        neutralise(notes),
        last_reply.isoformat(" ", "seconds") if last_reply else "",
    ]


def lines(batches: Iterable[list[tuple]]) -> Iterator[str]:
    """The file, a batch of rows at a time, so a long export streams (and each write to the
    client carries thousands of rows, not one)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(HEADER)
    yield BOM + flush()
    for batch in batches:
        writer.writerows([row(values) for values in batch])
        yield flush()
