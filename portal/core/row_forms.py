"""What the back-office forms of rows (core.rows: tiers, members, packages, contacts, rules)
share: `RowForm`, whose values are what the kind's operations take; selects of rows by id;
amounts typed as decimals and stored as minor units; positions, long texts and currencies.

The forms read and type what was posted (lengths match the columns); the rules are checked by
the operations, whose errors land beside the fields."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision
from wtforms import (
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from portal.core.forms import StaffForm, strip, upper


def currency_digits(currency: str | None) -> int:
    return get_currency_precision(currency or "USD")


def to_minor(amount: Decimal | None, currency: str | None) -> int | None:
    return None if amount is None else int(amount.scaleb(currency_digits(currency)))


def from_minor(minor: int | None, currency: str | None) -> Decimal | None:
    return None if minor is None else Decimal(minor).scaleb(-currency_digits(currency))


AMOUNT = re.compile(r"\d{1,10}(\.\d{1,4})?")


class MoneyField(DecimalField):
    """An amount as people type it: ASCII digits and at most one decimal point. Decimal would
    also take 'Infinity', 'sNaN', '1E+999999999', '1_000' and other scripts' digits."""

    def process_formdata(self, valuelist) -> None:
        text = valuelist[0].strip() if valuelist and valuelist[0] else ""
        if text and not (text.isascii() and AMOUNT.fullmatch(text)):
            self.data = None
            raise ValueError("Write the amount in digits, such as 2500 or 2500.50.")
        super().process_formdata([text] if valuelist else valuelist)


def money_field(label: str) -> DecimalField:
    return MoneyField(
        label, places=None, validators=[Optional(), NumberRange(min=0)], render_kw={"min": 0}
    )


def position_field() -> IntegerField:
    return IntegerField("Position in lists", default=0, validators=[NumberRange(0, 10_000)])


def longtext_field(label: str, length: int) -> TextAreaField:
    return TextAreaField(label, validators=[Length(max=length)], filters=[strip])


def currency_field() -> StringField:
    return StringField(
        "Currency (ISO code)",
        default="USD",
        validators=[InputRequired(), Length(min=3, max=3)],
        filters=[upper],
    )


class RowForm(StaffForm):
    """`values()` for operations, `add_errors()` for their refusals; amounts shown as
    decimals of the row's currency."""

    money_fields: tuple[str, ...] = ()

    def __init__(self, *args, obj: Any = None, **kwargs) -> None:
        super().__init__(*args, obj=obj, **kwargs)
        if obj is not None:
            for name in self.money_fields:
                # The row's minor units, shown as a decimal; also when a post leaves the field
                # out (WTForms then keeps the row's value): the amount stays as it is.
                if isinstance(self[name].data, int):
                    self[name].data = from_minor(getattr(obj, name), obj.currency)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        currency = self.currency.data if "currency" in self._fields else None
        for name in self.money_fields:
            amount = self[name].data
            if amount is not None and not self[name].errors:
                digits = currency_digits(currency)
                if amount.scaleb(digits) != amount.scaleb(digits).to_integral_value():
                    self[name].errors = [f"At most {digits} decimals in {currency}."]
                    valid = False
        return valid

    def values(self) -> dict[str, Any]:
        values = super().values()
        for name in self.money_fields:
            values[name] = to_minor(values[name], values.get("currency"))
        return values


class Lookup(SelectField):
    """A select of rows by id; `row()` is the chosen one or None."""

    def __init__(self, label: str, blank: SelectChoice | None = None, **kwargs) -> None:
        # Default "": a select left out of the post means "any", as its blank choice does.
        super().__init__(label, choices=[], validate_choice=True, default="", **kwargs)
        self.blank = blank
        self.rows: dict[str, Any] = {}

    def offer(self, rows: list[Any], label=str) -> None:
        self.rows = {str(row.id): row for row in rows}
        self.choices = ([self.blank] if self.blank else []) + [
            SelectChoice(key, label(row)) for key, row in self.rows.items()
        ]

    def process_data(self, value: Any) -> None:
        super().process_data(str(value.id) if hasattr(value, "id") else value)

    def row(self) -> Any:
        return self.rows.get(self.data or "")
