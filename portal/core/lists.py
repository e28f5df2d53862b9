"""What every list page shares: reading its query string without ever failing, the page
number, and the arguments of links to other pages of the same list (see macros/lists.html)."""

from __future__ import annotations

from enum import Enum
from typing import Any, TypeVar

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select
from werkzeug.datastructures import MultiDict

from portal.core.hygiene import as_id
from portal.extensions import db

E = TypeVar("E", bound=Enum)
MAX_PAGE = 10_000
TEXT_MAX = 200


def page_number(args: MultiDict) -> int:
    return min(as_id(args.get("page", "1")) or 1, MAX_PAGE)


def choice(args: MultiDict, name: str, enum: type[E]) -> E | None:
    """The member of `enum` whose value is `args[name]`, or None."""
    value = args.get(name, "")
    return enum(value) if value in enum._value2member_map_ else None


def number(args: MultiDict, name: str) -> int | None:
    """A row id, or None."""
    return as_id(args.get(name, ""))


def words(args: MultiDict, name: str = "q", max_length: int = TEXT_MAX) -> str:
    """Text with its runs of white space folded, cut to `max_length`."""
    return " ".join(args.get(name, "")[:max_length].split())


class ListFilter:
    """The filters of a list, read from its query string. What cannot be read is ignored, so
    a list always shows. A subclass reads its own fields in `__init__`, says how to write
    them back in `values()`, and builds its statement in `select()`."""

    per_page = 50

    def __init__(self, args: MultiDict) -> None:
        self.page = page_number(args)

    def values(self) -> dict[str, Any]:
        """The filters as query-string values (None or "" for a filter not set)."""
        return {}

    def args(self, **changes) -> dict[str, Any]:
        """Query-string arguments of this list with `changes`, for links and the pager."""
        values = {**self.values(), **changes}
        return {
            key: value.value if isinstance(value, Enum) else value
            for key, value in values.items()
            if value
        }

    def select(self) -> Select:
        raise NotImplementedError

    def paginate(self) -> Pagination:
        return db.paginate(self.select(), page=self.page, per_page=self.per_page, error_out=False)
