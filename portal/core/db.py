"""Database helpers every feature's models share: UTC instants, enum columns, labelled enums
and rows that are retired rather than deleted."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CursorResult, DateTime, Enum, Result
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    return as_naive_utc(datetime.now(UTC))


def as_naive_utc(moment: datetime) -> datetime:
    """Instants are stored as naive UTC so SQLite and PostgreSQL compare them alike."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def rowcount(result: Result[Any]) -> int:
    """How many rows the UPDATE or DELETE of `result` matched. Session.execute answers them
    with a CursorResult, which has the count, but is typed as answering any Result."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"A {type(result).__name__} has no row count.")
    return result.rowcount


class LabelledEnum(StrEnum):
    """A StrEnum with a label for people: `in_person` reads "In person"."""

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


def enum_column(cls: type[StrEnum], name: str) -> Enum:
    """A VARCHAR with a named CHECK constraint, storing the enum's values."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=20,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Retirable:
    """Retired rows leave the public pages, the forms and routing; what names them keeps them."""

    retired_at: Mapped[datetime | None] = mapped_column(DateTime)

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None
