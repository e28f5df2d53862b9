"""Forms of the offer's screens: membership tiers, members and sponsorship packages."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, DateField, IntegerField, StringField, URLField
from wtforms.validators import Length, NumberRange, Optional

from portal.core.forms import StaffForm, none_if_blank, text_field, upper
from portal.core.row_forms import (
    Lookup,
    RowForm,
    currency_field,
    longtext_field,
    money_field,
    position_field,
)
from portal.offer.admin.uploads import logo_field
from portal.offer.models import MembershipTier, SponsorshipPackage
from portal.offer.sponsors import SponsorValues


class TierForm(RowForm):
    money_fields = ("annual_fee",)

    name = text_field("Name", 80, required=True)
    slug = text_field("Slug", 40, required=True, description="/membership#tier-<slug>")
    summary = longtext_field("Summary", 300)
    benefits = longtext_field("Benefits (one a line)", 5000)
    annual_fee = money_field("Annual fee (empty: “contact us”)")
    currency = currency_field()
    position = position_field()
    join_url = StringField(
        "How to join (an address or mailto:, for a free or “on request” tier)",
        validators=[Optional(), Length(max=500)],
        filters=[none_if_blank],
    )


class MemberForm(RowForm):
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
    description = longtext_field("Description", 5000)
    since = DateField("Member since", validators=[Optional()])
    is_listed = BooleanField("Listed in the public directory", default=True)

    def __init__(self, *args, tiers: list[MembershipTier], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tier.offer(tiers, lambda t: f"{t.name} (retired)" if t.is_retired else t.name)

    def values(self) -> dict[str, Any]:
        return {**super().values(), "tier": self.tier.row()}


class PackageForm(RowForm):
    money_fields = ("price", "member_price")

    name = text_field("Name", 120, required=True)
    slug = text_field("Slug", 60, required=True)
    description = longtext_field("Description", 5000)
    price = money_field("Price (empty: on request)")
    member_price = money_field("Member price (empty: the same)")
    currency = currency_field()
    available = IntegerField(
        "How many are left (empty: not published; 0: sold out)",
        validators=[Optional(), NumberRange(min=0, max=100_000)],
    )
    note = text_field("Note (add-ons and the like)", 300)
    position = position_field()


class SponsorForm(StaffForm):
    """A sponsor of an event: on the inbox's "Confirm sponsor" and the sponsors' screens."""

    organization = text_field("Organization", 200, required=True)
    url = URLField("Website", validators=[Optional(), Length(max=500)], filters=[none_if_blank])
    package = Lookup("Package")
    logo = logo_field()

    def __init__(self, *args, packages: list[SponsorshipPackage], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.package.offer(packages, _package_choice)

    def sponsor_values(self) -> SponsorValues:
        return SponsorValues(self.organization.data or "", self.url.data, self.package.row())


class SponsorEditForm(SponsorForm):
    is_hidden = BooleanField("Hidden from the event page")


def _package_choice(package: SponsorshipPackage) -> str:
    left = (
        "sold out"
        if package.is_sold_out
        else ("no limit" if package.available is None else f"{package.available} left")
    )
    return f"{package.name} ({left})"


class ConfirmMemberForm(StaffForm):
    """A won membership inquiry, recorded as a member of the directory."""

    name = text_field("Organization", 120, required=True)
    url = URLField("Website", validators=[Optional(), Length(max=500)], filters=[none_if_blank])
    tier = Lookup("Tier")
    since = DateField("Member since", validators=[Optional()])
    logo = logo_field()

    def __init__(self, *args, tiers: list[MembershipTier], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tier.offer(tiers, lambda t: t.name)

    def member_values(self) -> dict[str, Any]:
        return {
            "name": self.name.data or "",
            "url": self.url.data,
            "tier": self.tier.row(),
            "since": self.since.data,
            "is_listed": True,
        }
