"""Time zones as staff choose them: a country's zones named as people know them ("Toronto
(Eastern)"), the one a city names, and the choices of the event form's select."""

from __future__ import annotations

import functools
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import get_timezone_location, get_timezone_name

from portal.core.i18n import LOCALE
from portal.events.rules import country_timezones, timezones

# A fixed moment to order a country's zones west to east by (January: no summer time north).
_REFERENCE = datetime(2025, 1, 15, 12)


@functools.cache
def zone_label(zone: str) -> str:
    """'Toronto (Eastern)', 'St. John’s (Newfoundland)', 'Berlin (Central European)'."""
    tz = ZoneInfo(zone)
    city = get_timezone_location(tz, locale=LOCALE, return_city=True)
    name = get_timezone_name(tz, width="long", locale=LOCALE, zone_variant="generic")
    name = name.removesuffix(" Time").removesuffix(" Standard")
    if "(" in name:  # no name of its own: Babel fell back to "Canada (Dawson)"
        name = ""
    if not city or "/" in city:  # Babel gave the zone's own path ("Indiana/Indianapolis")
        city = zone.rsplit("/", 1)[-1].replace("_", " ")
    if city == name:
        return name or zone
    return f"{city} ({name})" if name else city


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    letters = "".join(c for c in decomposed if c.isalnum() or c == " ")
    return " ".join(letters.split())


def country_zones(code: str | None) -> list[str]:
    """The country's zones, west to east, then by name."""
    zones = country_timezones(code)
    return sorted(zones, key=lambda z: (ZoneInfo(z).utcoffset(_REFERENCE), zone_label(z)))


def zone_for_city(code: str | None, city: str | None) -> str | None:
    """The zone of `code` named after `city` ("Toronto" -> America/Toronto), if there is one."""
    wanted = _folded(city or "")
    if not wanted:
        return None
    for zone in country_timezones(code):
        names = {zone.rsplit("/", 1)[-1].replace("_", " "), zone_label(zone).split(" (")[0]}
        if wanted in {_folded(name) for name in names}:
            return zone
    return None


def zone_choices(code: str | None, country_name: str | None) -> list[tuple[str, str, str | None]]:
    """(value, label, group) for the select: the country's zones first, by the names people
    know, then every zone by its IANA name."""
    own = country_zones(code)
    group = f"Zones of {country_name}" if own and country_name else None
    choices = [(zone, zone_label(zone), group) for zone in own]
    rest = sorted(timezones() - set(own))
    return choices + [(zone, zone, "Every zone (IANA name)") for zone in rest]
