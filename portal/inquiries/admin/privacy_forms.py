"""The forms of the privacy screen: purge now, export an address, erase an address. The three
share a page, so each field has an id of its own."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, IntegerField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from portal.core.forms import StaffForm, strip
from portal.inquiries.privacy import MAX_DAYS


def _address(form_id: str) -> EmailField:
    # Any text is looked for: an address stored long ago may not pass today's checks.
    return EmailField(
        "Email address",
        id=form_id,
        filters=[strip],
        validators=[InputRequired("Give the email address."), Length(max=254)],
        render_kw={"maxlength": 254, "autocomplete": "off"},
    )


class PurgeForm(StaffForm):
    slot = "purge_form"  # its name in the page's template
    days = IntegerField(
        "Inquiries over for more than (days)",
        id="purge-days",
        validators=[
            InputRequired("Give a number of days."),
            NumberRange(1, MAX_DAYS, f"Give a number of days from 1 to {MAX_DAYS}."),
        ],
        render_kw={"min": 1, "max": MAX_DAYS},
    )


class ExportForm(StaffForm):
    slot = "export_form"
    email = _address("export-email")


class EraseForm(StaffForm):
    slot = "erase_form"
    email = _address("erase-email")
    confirm = BooleanField(
        "I understand that this cannot be undone",
        id="erase-confirm",
        validators=[DataRequired("Tick the box to confirm the erasure.")],
    )
