"""How prices read: '$350,000', '€7,500', '$2,500.50'."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_currency, get_currency_precision

from portal.core.i18n import LOCALE


def money(minor: int | None, currency: str, empty: str = "Contact us") -> str:
    """An amount of minor units (cents) in its currency; whole amounts without decimals."""
    if minor is None:
        return empty
    digits = get_currency_precision(currency)
    amount = Decimal(minor).scaleb(-digits)
    if amount == amount.to_integral_value():
        return format_currency(amount, currency, "¤#,##0", locale=LOCALE, currency_digits=False)
    return format_currency(amount, currency, locale=LOCALE)
