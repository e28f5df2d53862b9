"""Where an event is, from LOCATION and its neighbours: venue, street, city, region and
country, an online meeting's address, and the map's point."""

from __future__ import annotations

import re
from functools import lru_cache

import icalendar

from portal.core.countries import country_code
from portal.events.ical.properties import first, text_of
from portal.events.ical.rows import ImportRow
from portal.events.models import (
    EventFormat,
)
from portal.events.rules import is_http_url

MEETING_PROPERTIES = ("CONFERENCE", "X-GOOGLE-CONFERENCE", "X-MICROSOFT-SKYPETEAMSMEETINGURL",
                      "X-MICROSOFT-ONLINEMEETINGEXTERNALLINK",
                      "X-MICROSOFT-ONLINEMEETINGCONFLINK")  # fmt: skip
ONLINE_WORDS = ("online", "virtual", "online event", "zoom", "microsoft teams meeting",
                "microsoft teams", "teams", "google meet", "jitsi", "webex", "webinar")  # fmt: skip
URL_IN_TEXT = re.compile(r"https?://[^\s,;<>\"]+", re.IGNORECASE)
POSTCODE = re.compile(
    r"\b(?:\d{4,6}(?:-\d{4})?|\d{4} ?[A-Z]{2}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|"
    r"[A-Z]\d[A-Z] ?\d[A-Z]\d|\d{3}-\d{4}|\d{2}-\d{3})\b"
)

US_REGION_ZIP = re.compile(r"([A-Z]{2})\s+\d{5}(?:-\d{4})?")


def meeting_url(component, row: ImportRow, location: str) -> str | None:
    found = URL_IN_TEXT.search(location)
    if found:
        return found.group(0)
    for name in MEETING_PROPERTIES:
        value = text_of(component, name).strip()
        if value and is_http_url(value):
            return value
    return None


def read_place(component: icalendar.Event, row: ImportRow) -> None:
    """LOCATION as venue, street, city, region and country, as well as one line of text
    allows: an online-meeting address or "Online" makes the event virtual (or hybrid with a
    place), a postcode is never the city."""
    location = text_of(component, "LOCATION", row).replace("\r", "").replace("\n", ", ")
    text = " ".join(location.split())
    values: dict[str, str | EventFormat | None] = dict(
        venue=None, street=None, city=None, region=None, country=None, format=EventFormat.IN_PERSON
    )
    meeting = meeting_url(component, row, text)
    if meeting:
        text = " ".join(URL_IN_TEXT.sub(" ", text).split()).strip(" ,;-()")
    online = text.casefold().strip(" .") in ONLINE_WORDS
    if online or (meeting and not text):
        values["format"] = EventFormat.VIRTUAL
    elif text:
        if text.casefold().endswith(" and online"):
            values["format"] = EventFormat.HYBRID
            text = text[: -len(" and online")]
        elif meeting:
            values["format"] = EventFormat.HYBRID
        values.update(address_parts(text))
    if meeting:
        line = f"Online: {meeting}"
        description = row.values.get("description", "")
        if meeting not in description and meeting not in row.values.get("summary", ""):
            row.values["description"] = f"{description}\n\n{line}".strip()
        row.notes.append(f"An online meeting ({meeting}): it is an online event with that link.")
    row.values.update(values)
    geo = first(component, "GEO", row)
    if geo is not None:
        latitude, longitude = float(geo.latitude), float(geo.longitude)
    else:  # Apple writes the map's point in X-APPLE-STRUCTURED-LOCATION:geo:lat,lon
        point = re.fullmatch(
            r"geo:(-?\d+(?:\.\d+)?),(-?\d+(?:\.\d+)?)",
            text_of(component, "X-APPLE-STRUCTURED-LOCATION").strip(),
        )
        if point is None:
            return
        latitude, longitude = float(point[1]), float(point[2])
    if -90 <= latitude <= 90 and -180 <= longitude <= 180:
        row.values.update(latitude=latitude, longitude=longitude)


def address_parts(text: str) -> dict[str, str | None]:
    """'Venue, 300 E Green St, Pasadena, CA 91101, United States' → its parts; a postcode
    stays in the street, never the city."""
    found: dict[str, str | None] = {}
    # Meetup: "Venue (Street, City, ST 12345, Country)"
    inner = re.fullmatch(r"([^(]+?)\s*\(([^()]*,[^()]*)\)", text)
    if inner:
        found = address_parts(inner[2])
        if found.get("venue") or found.get("street"):
            found["street"] = ", ".join(p for p in (found.get("venue"), found.get("street")) if p)
        found["venue"] = inner[1][:200]
        return found
    parts = [part.strip() for part in text.split(",") if part.strip()]
    code = country_code_of(parts[-1]) if parts else None
    if code:
        found["country"] = code
        parts.pop()
    postcodes = []
    if len(parts) >= 2:
        zip_match = US_REGION_ZIP.fullmatch(parts[-1])
        if zip_match:
            found["region"] = zip_match.group(1)
            postcodes.append(parts.pop()[3:].strip())
        elif re.fullmatch(r"[A-Z]{2,3}", parts[-1]):
            found["region"] = parts.pop()
    while parts:
        candidate = parts.pop()
        codes = POSTCODE.findall(candidate)
        city = " ".join(POSTCODE.sub(" ", candidate).split()).strip(" -")
        postcodes += codes
        if city and not re.search(r"\d", city):
            found["city"] = city[:120]
            break
        if city:  # a street with its number: keep it, the city is not known
            parts.append(city)
            break
    if parts:
        found["venue"] = parts[0][:200]
    street = ", ".join([*parts[1:], *postcodes])
    if street:
        found["street"] = street[:200]
    return found


@lru_cache(maxsize=4096)
def country_code_of(text: str) -> str | None:
    return country_code(text)
