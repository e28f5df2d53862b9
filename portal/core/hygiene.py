"""Input no page can use, refused at the door: NUL bytes, and ids too large for the database.

PostgreSQL refuses NUL in text and integers past 2**31-1 with an error; answering 400 (or 404
for a path) before any query is run keeps every view, present and future, from a 500.
"""

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

INT_MAX = 2**31 - 1


def as_id(raw: str | None) -> int | None:
    """A positive whole number that fits the database's INTEGER, from text; None otherwise
    ('²' passes str.isdigit, so ASCII is checked too)."""
    if not raw or not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if 0 < number <= INT_MAX else None


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` as PostgreSQL's INTEGER can hold it: a larger id matches no route (404)."""

    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntegerConverter

    @app.before_request
    def _refuse_nul() -> None:
        if "\x00" in request.path:
            abort(404)
        fields = list(request.args.items(multi=True))
        if request.method == "POST":
            fields += request.form.items(multi=True)
        if any("\x00" in key or "\x00" in value for key, value in fields):
            abort(400, description=_("The request holds a NUL character."))
