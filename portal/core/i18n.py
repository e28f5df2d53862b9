"""The language the portal writes in: dates, times, numbers, money and country names are
formatted by Babel for this locale."""

LOCALE = "en"
