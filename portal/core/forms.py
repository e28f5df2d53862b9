"""What the back office's forms share: filters that tidy what was typed, text and checkbox
fields, and a base form whose `add_errors` puts an operation's refusal beside the fields."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_wtf import FlaskForm
from wtforms import Field, FormField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.core.errors import Refused
from portal.core.saving import Conflict, saving
from portal.core.text import has_control

T = TypeVar("T")


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def none_if_blank(value: Any) -> Any:
    return strip(value) or None


def upper(value: Any) -> Any:
    value = none_if_blank(value)
    return value.upper() if isinstance(value, str) else value


def one_line(form, field) -> None:
    """A validator: no line break, tab or other control or invisible character (names, titles
    and places end up in mail headers, calendar names and one-line layouts)."""
    if isinstance(field.data, str) and has_control(field.data):
        raise ValidationError("One line, without line breaks or control characters.")


def text_field(label: str, length: int, required: bool = False, **kwargs) -> StringField:
    """One line of text of at most `length` characters; blank is None unless `required`."""
    first = DataRequired() if required else Optional()
    filters = [strip] if required else [none_if_blank]
    validators = [first, Length(max=length), one_line]
    return StringField(label, validators=validators, filters=filters, **kwargs)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StaffForm(FlaskForm):
    """A back-office form. Operations refuse with errors by field name (core.errors.Refused):
    `add_errors` shows each beside its field (a sub-form's field is `<sub>-<field>`, such as
    `register-url`); an error of no field is one of the form's own (`form_errors`).
    `status` is what the page answers with: 200, 422 when refused, 409 when a save lost a race.
    """

    status = 200

    def values(self) -> dict[str, Any]:
        """What the operation takes: every field's data but the CSRF token's."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}

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
        for name, message in errors.items():
            field = self.field_named(name) if name else None
            if field is None:
                self.form_errors.append(message)
            else:
                field.errors = [*field.errors, message]

    def problems(self) -> list[tuple[str, str, str]]:
        """(id, label, first error) of each field that has errors, sub-forms' included, in
        the form's order: the error summary links to them."""
        found = []

        def walk(fields, prefix: str = "") -> None:
            for field in fields:
                if isinstance(field, FormField):
                    walk(field.form, f"{prefix}{field.label.text} ")
                elif field.errors:
                    found.append((field.id, prefix + field.label.text, field.errors[0]))

        walk(self)
        return found


def saved(form: StaffForm, work: Callable[[], T]) -> T | None:
    """What `work()` (an operation) returned, committed, when the form was posted valid and
    the operation agreed; None otherwise, with the reason on the form and in `form.status`."""
    if not form.validate_on_submit():
        form.status = 422 if form.is_submitted() else 200
        return None
    try:
        with saving():
            return work()
    except Refused as refused:
        form.add_errors(refused.errors)
        form.status = 422
    except Conflict as conflict:
        form.form_errors.append(conflict.description)
        form.status = 409
    return None
