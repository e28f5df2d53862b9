"""Template filters for dates and times, so no template formats one by hand.

Staff pages show stored instants (naive UTC) as `2024-11-20 12:00`; public pages use the
event's own zone through events/display.py."""

from __future__ import annotations

from datetime import date, datetime, time

from flask import Flask


def stamp(moment: datetime | None, seconds: bool = False) -> str:
    """`2024-11-20 12:00` (with `:05` seconds when asked); "" for nothing."""
    if moment is None:
        return ""
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def clock(moment: time | datetime | None) -> str:
    """`09:30`."""
    return moment.strftime("%H:%M") if moment is not None else ""


def month_name(day: date, year: bool = True) -> str:
    """`March 2025`, or `March`."""
    return day.strftime("%B %Y" if year else "%B")


def month_key(day: date) -> str:
    """`2025-03`, as month addresses write it."""
    return f"{day.year:04d}-{day.month:02d}"


def quoted(text: str | None) -> str:
    """Text someone else wrote, set apart in a plain-text mail: "> " before each of its lines,
    so nothing in it can pass for a line of the mail's own (a forged "Page: https://...")."""
    return "\n".join(f"> {line}".rstrip() for line in (text or "").splitlines() or [""])


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        stamp=stamp, clock=clock, month_name=month_name, month_key=month_key, quoted=quoted
    )
