"""The alert form (`/alerts/new`, `POST /alerts`) and the manage page's filter form: a real
address, known filters, consent, a honeypot."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import EmailField, HiddenField, SearchField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from portal.alerts.rules import Followed
from portal.core.countries import country_choices, is_country_code
from portal.core.db import as_naive_utc
from portal.core.text import clean_line, has_control
from portal.events.forms import region_field
from portal.events.models import PUBLIC_STATUSES, Event, EventFormat, LinkKind, Project
from portal.events.words import WORDS
from portal.extensions import db
from portal.inquiries.forms import EMAIL_MAX, ConsentField, deliverable_address

Q_MAX = 200


def _one_line(value: str | None) -> str | None:
    return clean_line(value) if value is not None else None


def _upper(value: str | None) -> str | None:
    return value.strip().upper() if value else value


def _no_control(form, field) -> None:
    if isinstance(field.raw_data, list) and any(has_control(v) for v in field.raw_data):
        raise ValidationError(_("One line, without line breaks or control characters."))


class FilterFields(FlaskForm):
    """The filters an alert follows, each checked against what the portal knows."""

    q = SearchField(_l("Search words"), validators=[Optional(), Length(max=Q_MAX), _no_control])
    project = SelectField(_l("Project"), choices=[], validate_choice=False, validators=[Optional()])
    format = SelectField(
        _l("Format"),
        choices=[SelectChoice("", _l("Any format"))]
        + [SelectChoice(f.value, WORDS[f]) for f in EventFormat],
        validators=[Optional()],
    )
    country = SelectField(
        _l("Country"), choices=[], validate_choice=False, validators=[Optional()], filters=[_upper]
    )
    region = region_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        projects = db.session.execute(
            select(Project.slug, Project.name)
            .where(Project.retired_at.is_(None))
            .order_by(Project.position, Project.name)
        ).all()
        self.project.choices = [SelectChoice("", _("Any project"))] + [
            SelectChoice(slug, name) for slug, name in projects
        ]
        self.country.choices = [SelectChoice("", _("Any country"))] + [
            SelectChoice(code, name) for code, name in country_choices()
        ]

    def validate_project(self, field) -> None:
        if not field.data:
            return
        known = db.session.scalar(
            select(Project.id).where(Project.slug == field.data, Project.retired_at.is_(None))
        )
        if known is None:
            raise ValidationError(_("There is no such project."))

    def validate_country(self, field) -> None:
        if field.data and not is_country_code(field.data):
            raise ValidationError(_("Use a two-letter ISO 3166 country code, such as DE."))

    def followed(self) -> Followed:
        return Followed(
            q=(self.q.data or "").strip() or None,
            project=self.project.data or None,
            format=self.format.data or None,
            country=self.country.data or None,
            region=self.region.data or None,
        )


class AlertForm(FilterFields):
    email = EmailField(
        _l("Email"),
        filters=[_one_line],
        validators=[
            InputRequired(_l("We need an address to send the alerts to.")),
            Length(max=EMAIL_MAX),
            deliverable_address,
        ],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX},
    )
    # One event followed: its slug and the link it waits for (empty: its dates and status).
    event = HiddenField(validators=[Optional(), Length(max=120)])
    link = HiddenField(validators=[Optional()])
    consent = ConsentField(
        _l(
            "I agree that the foundation keeps my address to send me these alerts, until I stop "
            "them."
        ),
        validators=[InputRequired(_l("We can only send alerts if you agree to this."))],
    )
    website = StringField(
        _l("Leave this field empty"), render_kw={"tabindex": "-1", "autocomplete": "off"}
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.followed_event: Event | None = None

    @property
    def is_bot(self) -> bool:
        return self.is_submitted() and bool((self.website.data or "").strip())

    def validate_consent(self, field) -> None:
        if not field.data:
            raise ValidationError(_("We can only send alerts if you agree to this."))

    def validate_link(self, field) -> None:
        if field.data and field.data not in {kind.value for kind in LinkKind}:
            raise ValidationError(_("There is no such link."))
        if field.data and not self.event.data:
            raise ValidationError(_("A link belongs to an event."))

    def validate_event(self, field) -> None:
        if not field.data:
            return
        event = db.session.scalar(
            select(Event).where(Event.slug == field.data, Event.status.in_(PUBLIC_STATUSES))
        )
        if event is None:
            raise ValidationError(_("There is no such event."))
        if event.ends_at <= as_naive_utc(datetime.now(UTC)):
            raise ValidationError(_("This event is over: there is nothing left to tell."))
        self.followed_event = event

    def followed(self) -> Followed:
        if self.followed_event is not None:
            return Followed(event_id=self.followed_event.id, link=self.link.data or None)
        return super().followed()


class ManageForm(FilterFields):
    pass
