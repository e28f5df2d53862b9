"""How prices read: '$350,000', '€7,500', '$2,500.50'."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision
from flask_babel import gettext as _

from portal.core.i18n import locale


def money(minor: int | None, currency: str, empty: str | None = None) -> str:
    """An amount of minor units (cents) in its currency; whole amounts without decimals. No
    amount reads `empty`, "Contact us" (in the page's language) when not given."""
    if minor is None:
        return _("Contact us") if empty is None else empty
    digits = get_currency_precision(currency)
    amount = Decimal(minor).scaleb(-digits)
    if amount == amount.to_integral_value():
        return format_currency(amount, currency, "¤#,##0", locale=locale(), currency_digits=False)
    return format_currency(amount, currency, locale=locale())
