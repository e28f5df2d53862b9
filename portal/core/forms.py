"""What the back office's forms share: filters that tidy what was typed, text and checkbox
fields, and a base form whose `add_errors` puts an operation's refusal beside the fields."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, FormField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def none_if_blank(value: Any) -> Any:
    return strip(value) or None


def upper(value: Any) -> Any:
    value = none_if_blank(value)
    return value.upper() if isinstance(value, str) else value


def text_field(label: str, length: int, required: bool = False, **kwargs) -> StringField:
    """One line of text of at most `length` characters; blank is None unless `required`."""
    first = DataRequired() if required else Optional()
    filters = [strip] if required else [none_if_blank]
    return StringField(label, validators=[first, Length(max=length)], filters=filters, **kwargs)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StaffForm(FlaskForm):
    """A back-office form. Operations refuse with errors by field name (core.errors.Refused):
    `add_errors` shows each beside its field; a sub-form's field is named `<sub>-<field>`
    (`register-url`), and an error of no field lands on the first one."""

    def field_named(self, name: str) -> Field | None:
        form: Any = self
        while name:
            if name in form._fields:
                return form._fields[name]
            head, _, name = name.partition("-")
            sub = form._fields.get(head)
            if not isinstance(sub, FormField):
                return None
            form = sub.form
        return None

    def add_errors(self, errors: dict[str, str]) -> None:
        first = next(f for f in self._fields.values() if f.name != "csrf_token")
        for name, message in errors.items():
            field = self.field_named(name) or first
            field.errors = [*field.errors, message]
