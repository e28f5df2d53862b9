"""Template filters for dates and times, so no template formats one by hand.

Staff pages show stored instants (naive UTC) as `2024-11-20 12:00`; public pages use the
event's own zone through events/display.py."""

from __future__ import annotations

from datetime import date, datetime, time

from babel.dates import format_skeleton, get_day_names, get_month_names
from babel.numbers import format_decimal
from flask import Flask

from portal.core.i18n import locale


def stamp(moment: datetime | None, seconds: bool = False) -> str:
    """`2024-11-20 12:00` (with `:05` seconds when asked); "" for nothing."""
    if moment is None:
        return ""
    return moment.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def clock(moment: time | datetime | None) -> str:
    """`09:30`."""
    return moment.strftime("%H:%M") if moment is not None else ""


def month_name(day: date, year: bool = True) -> str:
    """`March 2025`, or `March`, in the page's language (`2025年3月` in Japanese)."""
    if year:
        return format_skeleton("yMMMM", day, locale=locale())
    return get_month_names("wide", context="stand-alone", locale=locale())[day.month]


def number(value: int) -> str:
    """`1,234` in English, `1.234` in German: as the page's language writes numbers."""
    return format_decimal(value, locale=locale())


def weekday_names() -> list[str]:
    """`Mon` … `Sun`, in the page's language, Monday first."""
    names = get_day_names("abbreviated", locale=locale())
    return [names[index] for index in range(7)]


def month_key(day: date) -> str:
    """`2025-03`, as month addresses write it."""
    return f"{day.year:04d}-{day.month:02d}"


def quoted(text: str | None) -> str:
    """Text someone else wrote, set apart in a plain-text mail: "> " before each of its lines,
    so nothing in it can pass for a line of the mail's own (a forged "Page: https://...")."""
    return "\n".join(f"> {line}".rstrip() for line in (text or "").splitlines() or [""])


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        stamp=stamp,
        clock=clock,
        month_name=month_name,
        month_key=month_key,
        quoted=quoted,
        number=number,
    )
    app.jinja_env.globals.update(weekday_names=weekday_names)
