"""Countries by their ISO 3166 codes, named as Babel names them in the portal's language."""

from __future__ import annotations

from functools import cache

from babel import Locale

from portal.core.i18n import LOCALE, locale
from portal.core.text import fold


@cache
def _territories(language: str = LOCALE) -> dict[str, str]:
    """Babel's names of the territories: English (what codes and imports match), or those of
    a language (what its pages show)."""
    return dict(Locale.parse(language).territories)


def country_name(code: str | None) -> str:
    """'Germany', or 'Deutschland' on a German page."""
    if not code:
        return ""
    return _territories(locale()).get(code.upper(), code.upper())


def is_country_code(code: str) -> bool:
    return len(code) == 2 and code.isalpha() and code.upper() in _territories()


def country_choices() -> list[tuple[str, str]]:
    """(code, name) of every ISO 3166 country Babel names, by name: what staff choose from."""
    names = _territories(locale())
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
