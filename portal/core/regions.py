"""The regions people search events by (`/events?region=europe`), each a set of ISO 3166
countries: plain data, so that a region filter is `country IN (...)` on the indexed column.

The base is the UN M49 grouping (https://unstats.un.org/unsd/methodology/m49/), changed where
the people who search differ (docs/features.md, "Regions", says why):

- North America: Northern America (US, Canada, Greenland, Bermuda, St Pierre and Miquelon).
- Latin America: Central America with Mexico, the Caribbean (Puerto Rico and the US Virgin
  Islands included) and South America.
- Europe: M49's Europe, with Kosovo and Sark, and from Western Asia Cyprus, Türkiye and the
  South Caucasus (Armenia, Azerbaijan, Georgia): members of the Council of Europe, whose
  events are announced with Europe's. The Canary Islands, Ceuta and Melilla are Spain's.
- Middle East: the rest of Western Asia, with Iran (M49's Southern Asia) and Egypt.
- Africa: M49's Africa (Egypt too: it is the one country in two regions, on purpose, since
  people look for it under either), with Ascension, Tristan da Cunha and Diego Garcia as the
  territories they belong to.
- Asia-Pacific: Oceania and Central, Eastern, South-eastern and Southern Asia (Iran aside).

Antarctica and the uninhabited sub-Antarctic islands (NO_REGION) belong to no region, and an
event with no country (a virtual one) matches none.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Region:
    slug: str
    words: Any  # its name, translated where it is read (flask_babel's lazy string)
    countries: frozenset[str]


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


AFRICA = _codes(
    # Northern Africa
    "DZ EG EH LY MA SD TN"
    # Eastern Africa (with Diego Garcia, of the British Indian Ocean Territory)
    " BI DG DJ ER ET IO KE KM MG MU MW MZ RE RW SC SO SS TZ UG YT ZM ZW"
    # Middle Africa
    " AO CD CF CG CM GA GQ ST TD"
    # Southern Africa
    " BW LS NA SZ ZA"
    # Western Africa (with Ascension and Tristan da Cunha, of Saint Helena)
    " AC BF BJ CI CV GH GM GN GW LR ML MR NE NG SH SL SN TA TG"
)
ASIA_PACIFIC = _codes(
    # Central Asia
    "KG KZ TJ TM UZ"
    # Eastern Asia
    " CN HK JP KP KR MN MO TW"
    # South-eastern Asia
    " BN ID KH LA MM MY PH SG TH TL VN"
    # Southern Asia (Iran is the Middle East's)
    " AF BD BT IN LK MV NP PK"
    # Oceania
    " AS AU CC CK CX FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS"
)
EUROPE = _codes(
    # Northern Europe (with Sark)
    "AX CQ DK EE FI FO GB GG IE IM IS JE LT LV NO SE SJ"
    # Western Europe
    " AT BE CH DE FR LI LU MC NL"
    # Eastern Europe
    " BG BY CZ HU MD PL RO RU SK UA"
    # Southern Europe (with Kosovo, and the Canary Islands, Ceuta and Melilla of Spain)
    " AD AL BA EA ES GI GR HR IC IT ME MK MT PT RS SI SM VA XK"
    # From Western Asia
    " AM AZ CY GE TR"
)
LATIN_AMERICA = _codes(
    # The Caribbean
    "AG AI AW BB BL BQ BS CU CW DM DO GD GP HT JM KN KY LC MF MQ MS PR SX TC TT VC VG VI"
    # Central America
    " BZ CR GT HN MX NI PA SV"
    # South America
    " AR BO BR CL CO EC FK GF GY PE PY SR UY VE"
)
MIDDLE_EAST = _codes("AE BH EG IL IQ IR JO KW LB OM PS QA SA SY YE")
NORTH_AMERICA = _codes("BM CA GL PM US")

# In the order the filter lists them.
REGIONS = (
    Region("africa", _l("Africa"), AFRICA),
    Region("asia-pacific", _l("Asia-Pacific"), ASIA_PACIFIC),
    Region("europe", _l("Europe"), EUROPE),
    Region("latin-america", _l("Latin America"), LATIN_AMERICA),
    Region("middle-east", _l("Middle East"), MIDDLE_EAST),
    Region("north-america", _l("North America"), NORTH_AMERICA),
)
BY_SLUG = {region.slug: region for region in REGIONS}
# Antarctica, and islands with no one living there (Bouvet, South Georgia, Heard and McDonald,
# the French Southern Territories, Clipperton): no one searching a region means them.
NO_REGION = _codes("AQ BV CP GS HM TF")


def name_of(region: Region) -> str:
    """'North America', or 'Nordamerika' on a German page."""
    return str(region.words)


def is_region(slug: str) -> bool:
    return slug in BY_SLUG


def region_name(slug: str | None) -> str:
    region = BY_SLUG.get(slug or "")
    return name_of(region) if region else ""


def region_choices() -> list[tuple[str, str]]:
    """(slug, name) of every region, each once, in the filter's order."""
    return [(region.slug, name_of(region)) for region in REGIONS]


def countries_in(slug: str) -> list[str]:
    """The ISO 3166 codes of a region, sorted (a stable statement); none for an unknown one."""
    region = BY_SLUG.get(slug)
    return sorted(region.countries) if region else []


@cache
def regions_of(code: str) -> tuple[str, ...]:
    """The slugs of the regions a country is in: one, two for Egypt, none for NO_REGION."""
    return tuple(region.slug for region in REGIONS if code.upper() in region.countries)
