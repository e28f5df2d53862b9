"""What every list page shares: reading its query string without ever failing, the page
number, and the arguments of links to other pages of the same list (see macros/lists.html)."""

from __future__ import annotations

from collections.abc import Iterator
from enum import Enum
from typing import Any, TypeVar

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, func, select
from sqlalchemy.orm import lazyload
from werkzeug.datastructures import MultiDict

from portal.core.hygiene import as_id
from portal.extensions import db

E = TypeVar("E", bound=Enum)
MAX_PAGE = 10_000
TEXT_MAX = 200
# Staff lists count their rows exactly up to this many (or two pages past the one shown).
COUNT_LIMIT = 1000


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


def bounded_count(rows: Select, bound: int | None = None) -> tuple[int, bool]:
    """How many rows `rows` selects, counted up to `bound` (COUNT_LIMIT unless given): the
    number, and whether there are more. It reads at most bound + 1 rows (of an index, when one
    answers `rows`), so it costs the same at a thousand rows or a million."""
    bound = COUNT_LIMIT if bound is None else bound
    rows = rows.options(lazyload("*")).order_by(None).limit(bound + 1)
    counted = db.session.execute(select(func.count()).select_from(rows.subquery())).scalar_one()
    return min(counted, bound), counted > bound


class ListFilter:
    """The filters of a list, read from its query string. What cannot be read is ignored, so
    a list always shows. A subclass reads its own fields in `__init__`, says how to write
    them back in `values()`, and builds its statement in `select()`."""

    per_page = 50

    def __init__(self, args: MultiDict) -> None:
        self.page = page_number(args)

    @property
    def count_limit(self) -> int:
        """How far the list counts its rows (past the pages around the one shown). A text
        search, which reads each row it counts, may count less."""
        return COUNT_LIMIT

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

    def paginate(self) -> ListPage:
        return ListPage(
            select=self.select(),
            session=db.session,
            page=self.page,
            per_page=self.per_page,
            error_out=False,
            count_limit=self.count_limit,
        )


class ListPage(SelectPagination):
    """A page of a list whose rows are counted only as far as the pager needs: exactly up to
    `count_limit` rows (COUNT_LIMIT), or up to two pages past this one when that is further.
    Past that bound `more` is true and `total` is the bound: the list says "More than 1,000",
    the pager shows no last page, and Next goes on. Counting a million inquiries for a number
    nobody reads was most of the inbox's time; the bounded count reads at most the bound's
    rows, and a page that is not full needs no count at all."""

    more: bool = False

    def _query_items(self) -> list:
        """Objects when the statement selects an entity, else plain rows."""
        stmt = self._query_args["select"]
        selected = stmt.column_descriptions
        if len(selected) == 1 and selected[0]["expr"] is selected[0]["entity"]:
            return super()._query_items()
        stmt = stmt.limit(self.per_page).offset(self._query_offset)
        return list(self._query_args["session"].execute(stmt))

    def _query_count(self) -> int:
        # On the last page (rows, but not a page of them; or an empty first page) the count
        # is known.
        if 0 < len(self.items) < self.per_page or (self.page == 1 and not self.items):
            return self._query_offset + len(self.items)
        limit = self._query_args.get("count_limit", COUNT_LIMIT)
        bound = max(limit, (self.page + 2) * self.per_page)
        total, self.more = bounded_count(self._query_args["select"], bound)
        return total

    def iter_pages(self, *, right_edge: int = 2, **around) -> Iterator[int | None]:
        """The page numbers of the pager (None for a gap); past the bound, without a last
        page but with a gap where the rest goes on."""
        if not self.more:
            yield from super().iter_pages(right_edge=right_edge, **around)
            return
        numbers = list(super().iter_pages(right_edge=0, **around))
        yield from numbers
        if numbers and numbers[-1] is not None:
            yield None
