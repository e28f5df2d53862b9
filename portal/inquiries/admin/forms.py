"""Forms of the routing screens: staff contacts and routing rules."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.core.forms import CheckboxesField, one_line, strip, text_field
from portal.core.row_forms import Lookup, RowForm, position_field
from portal.events.models import Event
from portal.inquiries.models import InquiryKind, StaffContact
from portal.offer.models import MembershipTier, SponsorshipPackage

NONE = SelectChoice("", "Any")


class ContactForm(RowForm):
    name = text_field("Name", 100, required=True)
    # No filter that would mend the address: one with a line break in it is refused.
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    team = StringField("Team", validators=[Length(max=100), one_line], filters=[strip])
    is_default = BooleanField("Default contact: gets what no rule routes")


class RuleForm(RowForm):
    name = text_field("Name", 120, required=True)
    kind = SelectField(
        "Inquiries about", choices=[SelectChoice(k.value, k.label) for k in InquiryKind]
    )
    event = Lookup("Event (sponsorship)", blank=NONE)
    tier = Lookup("Tier (membership)", blank=NONE)
    package = Lookup("Package (sponsorship; with its event)", blank=NONE)
    contact_ids = CheckboxesField("Send to", coerce=str, validators=[Optional()])
    position = position_field()

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
