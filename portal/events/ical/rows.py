"""What an import reads a file into: a row for each event (what it would become, what was
guessed, why it cannot be imported), and the reading of the whole file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from portal.events.models import (
    EventFormat,
)

CANCELLED_MARK = "Cancelled in the source calendar."


class UnreadableCalendar(ValueError):
    """The file is not iCalendar at all."""


@dataclass
class ImportRow:
    uid: str
    title: str
    values: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # why it cannot be imported
    notes: list[str] = field(default_factory=list)  # what was guessed
    cancelled: bool = False
    postponed: bool = False
    action: str = ""  # create, update or skip, once planned
    event_id: int | None = None
    source_uid: str = ""  # the UID in the file; `uid` adds the occurrence of a series
    occurrence: bool = False  # one of a repeating event's occurrences
    own: bool = False  # an event of this portal's own feed
    outcome: str = ""  # created, updated, unchanged or skipped, once imported
    slug: str = ""

    @property
    def is_skipped(self) -> bool:
        return self.action == "skip"

    @property
    def is_virtual(self) -> bool:
        return self.values.get("format") is EventFormat.VIRTUAL

    @property
    def when(self) -> str:
        first, last = self.values.get("starts_on"), self.values.get("ends_on")
        if first is None:
            return ""
        if last is None or first == last:
            return first.isoformat()
        return f"{first.isoformat()} – {last.isoformat()}"

    @property
    def reason(self) -> str:
        return " ".join(self.problems)


@dataclass
class Capped:
    """A repeating event the occurrence cap cut: how many of the window's it leaves out."""

    uid: str
    title: str
    left_out: int
    more: bool = False  # at least left_out: counting stopped there

    @property
    def left_out_text(self) -> str:
        return f"more than {self.left_out}" if self.more else str(self.left_out)


@dataclass
class Reading:
    """What a file holds: its rows, what was guessed about the whole file, and the window
    repeating events were expanded in."""

    rows: list[ImportRow]
    notes: list[str] = field(default_factory=list)
    window: tuple[date, date] | None = None
    series: int = 0  # repeating events expanded
    capped: list[Capped] = field(default_factory=list)  # what the occurrence cap left out
    deadline: float | None = None  # time.monotonic() by which the reading must be done

    @property
    def left_out(self) -> int:
        return sum(capped.left_out for capped in self.capped)
