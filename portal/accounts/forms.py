"""Forms of signing in and of staff accounts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from portal.accounts.models import StaffRole
from portal.accounts.operations import MAX_PASSWORD, MIN_PASSWORD
from portal.core.forms import StaffForm


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=MAX_PASSWORD)])


class StaffAccountForm(StaffForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()])
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    # Editor first and by default: admin rights are given on purpose, not by leaving a default.
    role = SelectField(
        "Role",
        choices=[SelectChoice(role.value, role.label) for role in reversed(StaffRole)],
        default=StaffRole.EDITOR.value,
    )
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=MIN_PASSWORD, max=MAX_PASSWORD)]
    )
    confirm = PasswordField(
        "Password again", validators=[EqualTo("password", message="The passwords differ.")]
    )
