"""'Add to calendar' and 'Subscribe' addresses for Google Calendar, Outlook and webcal."""

from __future__ import annotations

from datetime import UTC, timedelta
from urllib.parse import quote, urlencode

from portal.calendar.feeds import feed_url
from portal.calendar.ics import location
from portal.core.urls import external_url
from portal.events.display import calendar_title
from portal.events.models import Event

GOOGLE_EVENT = "https://calendar.google.com/calendar/render"
GOOGLE_SUBSCRIBE = "https://calendar.google.com/calendar/r"
OUTLOOK_EVENT = "https://outlook.live.com/calendar/0/action/compose"
DETAILS_LIMIT = 1000  # these addresses travel in a URL; keep them well under browsers' limits


def _details(event: Event) -> str:
    page = external_url("events.detail", slug=event.slug)
    text = f"{event.summary}\n\n{page}" if event.summary else page
    if event.is_cancelled or event.is_postponed:
        reason = f": {event.status_reason}" if event.status_reason else "."
        text = f"{event.status.label}{reason} Registration is closed.\n\n{text}"
    return text[:DETAILS_LIMIT]


def google_event(event: Event) -> str:
    if event.is_all_day:
        end = event.ends_on + timedelta(days=1)  # exclusive, as in iCalendar
        dates = f"{event.starts_on:%Y%m%d}/{end:%Y%m%d}"
    else:
        start, finish = (moment.astimezone(UTC) for moment in (event.local_start, event.local_end))
        dates = f"{start:%Y%m%dT%H%M%SZ}/{finish:%Y%m%dT%H%M%SZ}"
    params = {
        "action": "TEMPLATE",
        "text": calendar_title(event),
        "dates": dates,
        "ctz": event.timezone,
        "details": _details(event),
        "location": location(event),
    }
    return f"{GOOGLE_EVENT}?{urlencode(params)}"


def outlook_event(event: Event) -> str:
    if event.is_all_day:
        start, end = event.starts_on.isoformat(), (event.ends_on + timedelta(days=1)).isoformat()
    else:
        start, end = (
            moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            for moment in (event.local_start, event.local_end)
        )
    params = {
        "rru": "addevent",
        "path": "/calendar/action/compose",
        "startdt": start,
        "enddt": end,
        "subject": calendar_title(event),
        "location": location(event),
        "body": _details(event),
    }
    if event.is_all_day:
        params["allday"] = "true"
    return f"{OUTLOOK_EVENT}?{urlencode(params)}"


def webcal(args) -> str:
    return "webcal://" + feed_url(args).split("://", 1)[1]


def google_subscribe(args) -> str:
    return f"{GOOGLE_SUBSCRIBE}?cid={quote(webcal(args), safe='')}"
