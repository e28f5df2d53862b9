"""How events read to people: dates in the event's own zone, places, links, Markdown."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache, lru_cache
from urllib.parse import urlencode

import nh3
from babel import Locale
from babel.dates import format_date, format_interval, format_time
from markdown_it import MarkdownIt
from markupsafe import Markup

from portal.events.models import Event, EventFormat, EventLink, LinkKind, LinkState, fold

LOCALE = "en"


def zone_abbreviation(moment: datetime) -> str:
    """'PST', 'CEST', or 'UTC+03' where the zone has no letters of its own."""
    abbreviation = moment.strftime("%Z")
    return f"UTC{abbreviation}" if abbreviation[:1] in "+-" else abbreviation


@lru_cache(maxsize=4096)  # a pure function of the dates, and Babel's intervals are slow
def date_range(first: date, last: date, long: bool = False) -> str:
    """'Mar 6 – 7, 2025'; one day reads 'Thu, Mar 6, 2025'."""
    if first == last:
        return format_date(first, "EEE, MMM d, y" if not long else "full", locale=LOCALE)
    return format_interval(first, last, "yMMMEd" if long else "yMMMd", locale=LOCALE)


def event_dates(event: Event, long: bool = False) -> str:
    return date_range(event.starts_on, event.ends_on, long)


def event_times(event: Event) -> str:
    """'9:00 AM – 5:00 PM PST', each end with its own abbreviation across a DST change."""
    start, end = event.local_start, event.local_end
    if event.is_all_day:
        return f"All day, {zone_abbreviation(start)} ({event.timezone})"
    first, last = zone_abbreviation(start), zone_abbreviation(end)
    start_text = format_time(start, "short", locale=LOCALE)
    end_text = format_time(end, "short", locale=LOCALE)
    if first == last:
        return f"{start_text} – {end_text} {last} ({event.timezone})"
    return f"{start_text} {first} – {end_text} {last} ({event.timezone})"


def local_time(moment: datetime) -> str:
    return f"{format_time(moment, 'short', locale=LOCALE)} {zone_abbreviation(moment)}"


def local_day(day: date | datetime) -> str:
    return format_date(day, "MMM d", locale=LOCALE)


@cache
def _territories() -> dict[str, str]:
    return dict(Locale(LOCALE).territories)


def country_name(code: str | None) -> str:
    if not code:
        return ""
    return _territories().get(code.upper(), code.upper())


def is_country_code(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and code.upper() in _territories()


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every ISO 3166 country Babel names, by name: what staff choose from."""
    names = _territories()
    codes = [
        code for code in names if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    return sorted(((code, names[code]) for code in codes), key=lambda pair: fold(pair[1]))


# Babel's territories that ISO 3166 does not list as countries (regions, test codes).
NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}


def country_code(text: str) -> str | None:
    """The ISO 3166 code of a country given by its code or its English name, in any case and
    with or without accents ("de", "Germany", "TÜRKİYE"); None when it names no country."""
    if len(text) == 2 and is_country_code(text):
        return text.upper()
    wanted = fold(text)
    return next(
        (code for code, name in _territories().items() if len(code) == 2 and fold(name) == wanted),
        None,
    )


def place(event: Event) -> str:
    """'Pasadena, CA, United States'; 'Online' for virtual events."""
    if event.format is EventFormat.VIRTUAL:
        return "Online"
    parts = [event.city, event.region, country_name(event.country)]
    return ", ".join(part for part in parts if part)


def map_url(event: Event) -> str | None:
    """OpenStreetMap at the coordinates, or a search for the address when there are none."""
    if event.latitude is not None and event.longitude is not None:
        lat, lon = f"{event.latitude:.5f}", f"{event.longitude:.5f}"
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=16/{lat}/{lon}"
    address = [event.venue, event.street, event.city, event.region, country_name(event.country)]
    words = ", ".join(part for part in address if part)
    if not words or event.format is EventFormat.VIRTUAL:
        return None
    return "https://www.openstreetmap.org/search?" + urlencode({"query": words})


NOUNS = {
    LinkKind.REGISTER: "Registration",
    LinkKind.SPONSOR: "Sponsorship",
    LinkKind.CFP: "Call for papers",
}


def link_text(link: EventLink, now: datetime) -> str:
    """'Register', 'Schedule coming soon', 'Sponsorship sold out', 'Call for papers
    (closes Jun 13 at 11:59 PM PDT)', or, with the reason, 'Registration closed: the event is
    cancelled'."""
    state = link.state_at(now)
    noun = NOUNS.get(link.kind, link.kind.label)
    if state is LinkState.OPEN:
        text = link.kind.label
        deadline = link.local_deadline()
        if deadline:
            text += f" (closes {local_day(deadline)} at {local_time(deadline)})"
        return text
    if state is LinkState.COMING_SOON:
        return f"{noun} coming soon"
    if state is LinkState.SOLD_OUT:
        return f"{noun} sold out"
    reason = link.event.closed_because(now) if link.kind is not LinkKind.SCHEDULE else None
    return f"{noun} closed: {reason}" if reason else f"{noun} closed"


def event_when(event: Event, long: bool = False) -> str:
    """The dates as the public reads them: 'New dates to be announced' for a postponed event
    without any, '(dates to be confirmed)' after dates not yet final."""
    if not event.shows_dates:
        return "New dates to be announced"
    text = event_dates(event, long)
    return f"{text} (dates to be confirmed)" if event.dates_to_be_confirmed else text


def previous_dates(event: Event) -> str | None:
    if event.previous_starts_on is None:
        return None
    return date_range(event.previous_starts_on, event.previous_ends_on or event.previous_starts_on)


def link_is_active(link: EventLink, now: datetime) -> bool:
    return link.state_at(now) is LinkState.OPEN and bool(link.url)


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})


@lru_cache(maxsize=1024)  # a pure function of the text: event pages render it once
def render_markdown(source: str) -> Markup:
    """Markdown to HTML, with raw HTML escaped and the result sanitised all the same."""
    html = _markdown.render(source or "")
    clean = nh3.clean(
        html,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener nofollow ugc",
    )
    # Sanitised by nh3 just above: safe to mark as HTML.
    return Markup(clean)  # noqa: S704  # nosec B704
