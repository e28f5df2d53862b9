"""How events read to people: dates in the event's own zone, places, links, Markdown."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlencode

import nh3
from babel.dates import format_date, format_interval, format_skeleton, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from portal.core.countries import country_name
from portal.core.i18n import locale
from portal.events.models import Event, EventFormat, EventLink, EventStatus, LinkKind, LinkState
from portal.events.words import label

# What a cancelled or postponed event's title says where it is added to calendars (the feed's
# SUMMARY, the Google and Outlook links), so it is not taken for one that takes place; an
# import of the feed takes it off again (events/ical/read.py).
STATUS_PREFIXES = {EventStatus.CANCELLED: "Cancelled: ", EventStatus.POSTPONED: "Postponed: "}


def calendar_title(event: Event) -> str:
    """'Cancelled: OpenInfra Days ...', as calendars show a cancelled or postponed event (in
    the feed's language; an import takes off the English prefix only)."""
    if event.status is EventStatus.CANCELLED:
        return _("Cancelled: %(title)s", title=event.title)
    if event.status is EventStatus.POSTPONED:
        return _("Postponed: %(title)s", title=event.title)
    return event.title


def zone_abbreviation(moment: datetime) -> str:
    """'PST', 'CEST', or 'UTC+03' where the zone has no letters of its own."""
    abbreviation = moment.strftime("%Z")
    return f"UTC{abbreviation}" if abbreviation[:1] in "+-" else abbreviation


def date_range(first: date, last: date, long: bool = False) -> str:
    """'Mar 6 – 7, 2025'; one day reads 'Thu, Mar 6, 2025'; '2025年3月6日～7日' in Japanese."""
    return _date_range(first, last, long, locale())


@lru_cache(maxsize=4096)  # a pure function of the dates, and Babel's intervals are slow
def _date_range(first: date, last: date, long: bool, language: str) -> str:
    if first == last:
        if long:
            return format_date(first, "full", locale=language)
        if language == "en":
            return format_date(first, "EEE, MMM d, y", locale=language)
        return format_skeleton("yMMMEd", first, locale=language)
    return format_interval(first, last, "yMMMEd" if long else "yMMMd", locale=language)


def event_dates(event: Event, long: bool = False) -> str:
    return date_range(event.starts_on, event.ends_on, long)


def event_times(event: Event, mark: Callable[[datetime, str], str] | None = None) -> str:
    """'9:00 AM – 5:00 PM PST', each end with its own abbreviation across a DST change.
    `mark(moment, text)` stands in for each time's text (event_times_html)."""
    start, end = event.local_start, event.local_end
    if event.is_all_day:  # the days are the event's own: no zone to name
        return _("All day")
    first, last = zone_abbreviation(start), zone_abbreviation(end)
    mark = mark or (lambda moment, text: text)
    start_text = mark(start, format_time(start, "short", locale=locale()))
    end_text = mark(end, format_time(end, "short", locale=locale()))
    if first == last:
        return f"{start_text} – {end_text} {last} ({event.timezone})"
    return f"{start_text} {first} – {end_text} {last} ({event.timezone})"


def instant_attribute(moment: datetime) -> str:
    """'2025-03-06T09:00:00-08:00': an aware moment as a `<time datetime>` writes it, with the
    offset its zone has at that instant (so a script can show it in the visitor's zone)."""
    return moment.replace(microsecond=0).isoformat(timespec="seconds")


def instant_html(moment: datetime, text: str) -> Markup:
    """`text` as a `<time datetime>` of its instant, so the visitor's time can follow it."""
    return Markup('<time datetime="{}">{}</time>').format(instant_attribute(moment), text)


def when_attribute(event: Event) -> str:
    """The `<time datetime>` of an event's dates: its first instant for a timed event, its
    first day for an all-day one (whose days are the same everywhere)."""
    if event.is_all_day:
        return event.starts_on.isoformat()
    return instant_attribute(event.local_start)


def event_times_html(event: Event) -> Markup:
    """event_times() with each time a `<time datetime="…">` of its instant."""
    marked: list[Markup] = []

    def mark(moment: datetime, text: str) -> str:
        marked.append(instant_html(moment, text))
        return f"\x00{len(marked) - 1}\x00"

    text = str(escape(event_times(event, mark)))
    html = PLACEHOLDER.sub(lambda found: marked[int(found[1])], text)
    # Everything but the <time> elements was escaped just above.
    return Markup(html)  # noqa: S704  # nosec B704


PLACEHOLDER = re.compile("\x00([0-9]+)\x00")


def local_time(moment: datetime) -> str:
    return f"{format_time(moment, 'short', locale=locale())} {zone_abbreviation(moment)}"


def local_day(day: date | datetime) -> str:
    return format_skeleton("MMMd", day, locale=locale())


def place(event: Event) -> str:
    """'Pasadena, CA, United States'; 'Online' for virtual events."""
    if event.format is EventFormat.VIRTUAL:
        return _("Online")
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
    LinkKind.REGISTER: _l("Registration"),
    LinkKind.SPONSOR: _l("Sponsorship"),
    LinkKind.CFP: _l("Call for papers"),
}


def closed_reason(event: Event, now: datetime) -> str | None:
    """'the event is cancelled': why links no longer invite anyone, in the page's words."""
    if event.is_cancelled:
        return _("the event is cancelled")
    if event.is_postponed:
        return _("the event is postponed")
    if event.is_over(now):
        return _("the event is over")
    return None


def day_html(day: datetime, text: str) -> Markup:
    """A day as a `<time datetime>` of its date alone (a day needs no note in another zone)."""
    return Markup('<time datetime="{}">{}</time>').format(day.date().isoformat(), text)


def link_text(link: EventLink, now: datetime) -> str | Markup:
    """'Register', 'Schedule coming soon', 'Sponsorship sold out', 'Call for papers
    (closes Jun 13 at 11:59 PM PDT)', or, with the reason, 'Registration closed: the event is
    cancelled'."""
    state = link.state_at(now)
    noun = str(NOUNS.get(link.kind, label(link.kind)))
    if state is LinkState.OPEN:
        deadline = link.local_deadline()
        if deadline:
            day, time = local_day(deadline), local_time(deadline)
            # Translators: a link's label, then when it closes: "Register (closes Jun 13 at …)".
            words = escape(_("%(link)s (closes %(day)s at %(time)s)"))
            # The values are escaped by Markup's %; the time is a <time> of the instant.
            return words % {
                "link": label(link.kind),
                "day": day,
                "time": instant_html(deadline, time),
            }
        return label(link.kind)
    if state is LinkState.COMING_SOON:
        return _("%(noun)s coming soon", noun=noun)
    if state is LinkState.SOLD_OUT:
        return _("%(noun)s sold out", noun=noun)
    reason = closed_reason(link.event, now) if link.kind is not LinkKind.SCHEDULE else None
    if reason:
        return _("%(noun)s closed: %(reason)s", noun=noun, reason=reason)
    return _("%(noun)s closed", noun=noun)


def event_when(event: Event, long: bool = False) -> str:
    """The dates as the public reads them: 'New dates to be announced' for a postponed event
    without any, ', dates to be confirmed' after dates not yet final (never on a cancelled
    event, and without brackets: the text often goes inside some)."""
    if not event.shows_dates:
        return _("New dates to be announced")
    text = event_dates(event, long)
    if event.dates_to_be_confirmed and not event.is_cancelled:
        return _("%(dates)s, dates to be confirmed", dates=text)
    return text


STATE_WORDS = ("cancelled", "canceled", "postponed")


def status_reason(event: Event) -> str:
    """The reason staff gave, without a leading state word ("Cancelled: the venue ...")
    that the page already says, and ending as a sentence does."""
    reason = (event.status_reason or "").strip()
    lowered = reason.lower()
    for word in STATE_WORDS:
        if lowered.startswith(word) and lowered[len(word) : len(word) + 1] in (
            ":",
            " ",
            "-",
            "—",
            ".",
            "",
        ):
            reason = reason[len(word) :].lstrip(" :-—.").strip()
            break
    if reason and reason[-1] not in ".!?…":
        reason += "."
    return reason[:1].upper() + reason[1:]


def offers_calendar(event: Event, now: datetime) -> bool:
    """Whether 'Add to calendar' makes sense: not for an event cancelled, over, or postponed
    without dates (its void date would land in the visitor's calendar)."""
    return event.is_public and not (
        event.is_cancelled or event.is_over(now) or not event.shows_dates
    )


def shown_links(event: Event, now: datetime) -> list[EventLink]:
    """The links the event had: one that was only ever 'coming soon' is left out once the
    event is over, cancelled or postponed (it never came)."""
    ended = event.is_over(now) or event.is_cancelled or event.is_postponed
    return [link for link in event.links if not (ended and link.state is LinkState.COMING_SOON)]


CLOSED_SENTENCES = {
    (LinkKind.REGISTER,): _l("Registration is closed."),
    (LinkKind.SPONSOR,): _l("Sponsorship is closed."),
    (LinkKind.CFP,): _l("The call for papers is closed."),
    (LinkKind.REGISTER, LinkKind.SPONSOR): _l("Registration and sponsorship are closed."),
    (LinkKind.REGISTER, LinkKind.CFP): _l("Registration and the call for papers are closed."),
    (LinkKind.SPONSOR, LinkKind.CFP): _l("Sponsorship and the call for papers are closed."),
    (LinkKind.REGISTER, LinkKind.SPONSOR, LinkKind.CFP): _l(
        "Registration, sponsorship and the call for papers are closed."
    ),
}


def closed_links(event: Event, now: datetime) -> str:
    """'Registration and the call for papers are closed.': only the links it had."""
    kinds = {link.kind for link in shown_links(event, now) if link.kind in NOUNS}
    if not kinds:
        return ""
    return str(CLOSED_SENTENCES[tuple(kind for kind in NOUNS if kind in kinds)])


def previous_dates(event: Event) -> str | None:
    """The dates last announced before the current ones: for a postponed event whose new
    dates are to be announced, the ones it was postponed from (its stored dates)."""
    if not event.shows_dates:
        return event_dates(event)
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


def open_now(event: Event, now: datetime) -> list[str | Markup]:
    """What a visitor can do today: 'Registration open', 'Call for papers open until Jun 13'."""
    found: list[str | Markup] = []
    for link in event.links:
        if link.kind in NOUNS and link_is_active(link, now):
            deadline = link.local_deadline()
            noun = NOUNS[link.kind]
            if deadline:
                words = escape(_("%(noun)s open until %(day)s"))
                day = day_html(deadline, local_day(deadline))
                found.append(words % {"noun": noun, "day": day})
            else:
                found.append(_("%(noun)s open", noun=noun))
    return found
