"""schema.org Event JSON-LD and OpenGraph tags for an event page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from urllib.parse import urljoin

from portal.core import i18n
from portal.core.countries import country_name
from portal.core.credits import Credit
from portal.events.display import instant_attribute, place
from portal.events.localized import summary, title
from portal.events.models import Event, EventFormat, EventStatus, LinkKind, LinkState

SCHEMA = "https://schema.org/"

STATUS = {
    EventStatus.PUBLISHED: "EventScheduled",
    EventStatus.CANCELLED: "EventCancelled",
    EventStatus.POSTPONED: "EventPostponed",
}
ATTENDANCE = {
    EventFormat.IN_PERSON: "OfflineEventAttendanceMode",
    EventFormat.VIRTUAL: "OnlineEventAttendanceMode",
    EventFormat.HYBRID: "MixedEventAttendanceMode",
}


def _moment(event: Event, which: str) -> str:
    """Dates alone for all-day events (endDate inclusive); local time with offset otherwise;
    only the month (ISO 8601 reduced precision) while the dates are to be confirmed, so no
    reader takes them as firm."""
    if event.dates_to_be_confirmed and not event.is_cancelled:
        return (event.starts_on if which == "start" else event.ends_on).strftime("%Y-%m")
    if event.is_all_day:
        return (event.starts_on if which == "start" else event.ends_on).isoformat()
    return instant_attribute(event.local_start if which == "start" else event.local_end)


def _status(event: Event) -> str:
    if event.is_rescheduled:
        return "EventRescheduled"
    return STATUS.get(event.status, "EventScheduled")


def _physical_place(event: Event) -> dict:
    address = {
        "@type": "PostalAddress",
        "streetAddress": event.street,
        "addressLocality": event.city,
        "addressRegion": event.region,
        "addressCountry": event.country,
    }
    location = {
        "@type": "Place",
        "name": event.venue or place(event),
        "address": {key: value for key, value in address.items() if value},
    }
    if event.latitude is not None and event.longitude is not None:
        location["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": event.latitude,
            "longitude": event.longitude,
        }
    return location


def _absolute(link_url: str, page_url: str) -> str:
    """Links may be paths on this site (the portal's own sponsorship page)."""
    return urljoin(page_url, link_url)


def event_json_ld(
    event: Event, url: str, organizer: dict, now: datetime, sponsors: Sequence[Credit] = ()
) -> dict:
    data: dict = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": title(event),
        "description": (summary(event) or title(event))
        + (
            " Dates to be confirmed."
            if event.dates_to_be_confirmed and not event.is_cancelled
            else ""
        ),
        "startDate": _moment(event, "start"),
        "endDate": _moment(event, "end"),
        "eventStatus": SCHEMA + _status(event),
        "eventAttendanceMode": SCHEMA + ATTENDANCE[event.format],
        "organizer": {"@type": "Organization", **organizer},
        "url": url,
    }
    locations = []
    if event.format is not EventFormat.VIRTUAL:
        locations.append(_physical_place(event))
    if event.format is not EventFormat.IN_PERSON:
        register = event.link(LinkKind.REGISTER)
        online = _absolute(register.url, url) if register and register.url else url
        locations.append({"@type": "VirtualLocation", "url": online})
    data["location"] = locations[0] if len(locations) == 1 else locations
    if event.is_rescheduled and event.previous_starts_on is not None:
        data["previousStartDate"] = event.previous_starts_on.isoformat()
    register = event.link(LinkKind.REGISTER)
    if register and register.url:
        state = register.state_at(now)
        availability = "SoldOut" if state is LinkState.SOLD_OUT else "InStock"
        if state in (LinkState.CLOSED, LinkState.COMING_SOON):
            availability = "PreOrder" if state is LinkState.COMING_SOON else "Discontinued"
        data["offers"] = {
            "@type": "Offer",
            "url": _absolute(register.url, url),
            "availability": SCHEMA + availability,
        }
    if sponsors:
        data["sponsor"] = [_sponsor(credit, url) for credit in sponsors]
    return data


def _sponsor(credit: Credit, page_url: str) -> dict:
    found: dict = {"@type": "Organization", "name": credit.name}
    if credit.url:
        found["url"] = credit.url
    if credit.logo_url:
        found["logo"] = _absolute(credit.logo_url, page_url)
    return found


def open_graph(event: Event, url: str, site_name: str) -> dict[str, str]:
    where = place(event) if event.format is not EventFormat.VIRTUAL else "Online"
    return {
        "og:type": "website",
        "og:title": title(event),
        "og:description": summary(event) or f"{title(event)}, {where}",
        "og:url": url,
        "og:site_name": site_name,
        "og:locale": i18n.og_locale(i18n.language()),
        **({"og:country-name": country_name(event.country)} if event.country else {}),
    }
