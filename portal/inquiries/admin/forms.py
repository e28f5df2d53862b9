"""Forms of the sales and routing screens: tiers, members, packages, contacts, rules.

The forms read and type what was posted (lengths match the columns; amounts are decimals that
become minor units); the rules are checked by operations (inquiries/sales_rules.py), whose
errors land beside the fields."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from babel.numbers import get_currency_precision
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from portal.core.forms import (
    CheckboxesField,
    StaffForm,
    none_if_blank,
    one_line,
    strip,
    text_field,
    upper,
)
from portal.events.models import Event
from portal.inquiries.models import InquiryKind, MembershipTier, SponsorshipPackage, StaffContact

NONE = SelectChoice("", "Any")


def _digits(currency: str | None) -> int:
    return get_currency_precision(currency or "USD")


def to_minor(amount: Decimal | None, currency: str | None) -> int | None:
    return None if amount is None else int(amount.scaleb(_digits(currency)))


def from_minor(minor: int | None, currency: str | None) -> Decimal | None:
    return None if minor is None else Decimal(minor).scaleb(-_digits(currency))


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


def _money(label: str) -> DecimalField:
    return MoneyField(
        label, places=None, validators=[Optional(), NumberRange(min=0)], render_kw={"min": 0}
    )


def _position() -> IntegerField:
    return IntegerField("Position in lists", default=0, validators=[NumberRange(0, 10_000)])


def _longtext_field(label: str, length: int) -> TextAreaField:
    return TextAreaField(label, validators=[Length(max=length)], filters=[strip])


def _currency() -> StringField:
    return StringField(
        "Currency (ISO code)",
        default="USD",
        validators=[InputRequired(), Length(min=3, max=3)],
        filters=[upper],
    )


class ManagedForm(StaffForm):
    """`values()` for operations, `add_errors()` for their refusals; amounts shown as
    decimals of the row's currency."""

    money_fields: tuple[str, ...] = ()

    def __init__(self, *args, obj: Any = None, **kwargs) -> None:
        super().__init__(*args, obj=obj, **kwargs)
        if obj is not None and not self.is_submitted():
            for name in self.money_fields:
                self[name].data = from_minor(getattr(obj, name), obj.currency)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        currency = self.currency.data if "currency" in self._fields else None
        for name in self.money_fields:
            amount = self[name].data
            if amount is not None and not self[name].errors:
                digits = _digits(currency)
                if amount.scaleb(digits) != amount.scaleb(digits).to_integral_value():
                    self[name].errors = [f"At most {digits} decimals in {currency}."]
                    valid = False
        return valid

    def values(self) -> dict[str, Any]:
        values = super().values()
        for name in self.money_fields:
            values[name] = to_minor(values[name], values.get("currency"))
        return values


class TierForm(ManagedForm):
    money_fields = ("annual_fee",)

    name = text_field("Name", 80, required=True)
    slug = text_field("Slug", 40, required=True, description="/membership#tier-<slug>")
    summary = _longtext_field("Summary", 300)
    benefits = _longtext_field("Benefits (one a line)", 5000)
    annual_fee = _money("Annual fee (empty: “contact us”)")
    currency = _currency()
    position = _position()


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


class MemberForm(ManagedForm):
    name = text_field("Name", 120, required=True)
    tier = Lookup("Tier")
    url = URLField("Website", validators=[Optional(), Length(max=500)], filters=[none_if_blank])
    logo_url = URLField(
        "Logo address", validators=[Optional(), Length(max=500)], filters=[none_if_blank]
    )
    city = text_field("City", 120)
    country = StringField(
        "Country (ISO code)", validators=[Optional(), Length(max=2)], filters=[upper]
    )
    description = _longtext_field("Description", 5000)
    is_listed = BooleanField("Listed in the public directory", default=True)

    def __init__(self, *args, tiers: list[MembershipTier], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tier.offer(tiers, lambda t: f"{t.name} (retired)" if t.is_retired else t.name)

    def values(self) -> dict[str, Any]:
        return {**super().values(), "tier": self.tier.row()}


class PackageForm(ManagedForm):
    money_fields = ("price", "member_price")

    name = text_field("Name", 120, required=True)
    slug = text_field("Slug", 60, required=True)
    description = _longtext_field("Description", 5000)
    price = _money("Price (empty: on request)")
    member_price = _money("Member price (empty: the same)")
    currency = _currency()
    available = IntegerField(
        "How many are left (empty: not published; 0: sold out)",
        validators=[Optional(), NumberRange(min=0, max=100_000)],
    )
    note = text_field("Note (add-ons and the like)", 300)
    position = _position()


class ContactForm(ManagedForm):
    name = text_field("Name", 100, required=True)
    # No filter that would mend the address: one with a line break in it is refused.
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    team = StringField("Team", validators=[Length(max=100), one_line], filters=[strip])
    is_default = BooleanField("Default contact: gets what no rule routes")


class RuleForm(ManagedForm):
    name = text_field("Name", 120, required=True)
    kind = SelectField(
        "Inquiries about", choices=[SelectChoice(k.value, k.label) for k in InquiryKind]
    )
    event = Lookup("Event (sponsorship)", blank=NONE)
    tier = Lookup("Tier (membership)", blank=NONE)
    package = Lookup("Package (sponsorship; with its event)", blank=NONE)
    contact_ids = CheckboxesField("Send to", coerce=str, validators=[Optional()])
    position = _position()

    def __init__(
        self,
        *args,
        events: list[Event],
        tiers: list[MembershipTier],
        packages: list[SponsorshipPackage],
        contacts: list[StaffContact],
        **kwargs,
    ) -> None:
        rule = kwargs.get("obj")
        super().__init__(*args, **kwargs)
        self.event.offer(events, lambda e: e.title)
        self.tier.offer(tiers, lambda t: t.name)
        self.package.offer(packages, lambda p: f"{p.event.title}: {p.name}")
        self.contacts = {str(contact.id): contact for contact in contacts}
        self.contact_ids.choices = [SelectChoice(k, c.label) for k, c in self.contacts.items()]
        if rule is not None and not self.is_submitted():
            self.contact_ids.data = [str(contact.id) for contact in rule.contacts]

    def validate_contact_ids(self, field) -> None:
        if any(key not in self.contacts for key in field.data or []):
            raise ValidationError("Choose among the contacts listed.")

    def values(self) -> dict[str, Any]:
        values = super().values()
        values.pop("contact_ids")
        return {
            **values,
            "kind": InquiryKind(values["kind"]),
            "event": self.event.row(),
            "tier": self.tier.row(),
            "package": self.package.row(),
            "contacts": [self.contacts[key] for key in self.contact_ids.data or []],
        }
