"""The inbox as a CSV file for spreadsheets: UTF-8 with a byte-order mark (so Excel reads the
accents), and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from portal.inquiries.models import Inquiry

BOM = "\ufeff"
# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets; visitors type what they like into the form ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = (
    "id", "received_utc", "kind", "status", "name", "email", "organization", "topic",
    "message", "routed_to", "routing_rule", "assignee",
)  # fmt: skip


def neutralise(value: object) -> str:
    """The cell as text, with a quote in front when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row(inquiry: Inquiry) -> list[str]:
    values = (
        inquiry.id,
        inquiry.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        inquiry.kind.value,
        inquiry.status.value,
        inquiry.name,
        inquiry.email,
        inquiry.organization,
        inquiry.topic,
        inquiry.message,
        "; ".join(f"{contact.name} <{contact.email}>" for contact in inquiry.contacts),
        inquiry.routing_rule.name if inquiry.routing_rule else "default contact",
        inquiry.assignee.email if inquiry.assignee else "",
    )
    return [neutralise(value) for value in values]


def lines(inquiries: Iterable[Inquiry]) -> Iterator[str]:
    """The file, a line at a time, so a long export streams."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(HEADER)
    yield BOM + flush()
    for inquiry in inquiries:
        writer.writerow(row(inquiry))
        yield flush()
