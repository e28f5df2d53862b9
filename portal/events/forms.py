"""The filter form of /events and /events.ics, read from the query string."""

from __future__ import annotations

import unicodedata

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import BooleanField, DateField, IntegerField, SearchField, SelectChoice, SelectField
from wtforms.validators import Length, NumberRange, Optional, ValidationError
from wtforms.widgets import Select

from portal.core.countries import country_name, is_country_code
from portal.core.lists import MAX_PAGE
from portal.core.regions import REGIONS, is_region
from portal.events.models import EventFormat
from portal.events.queries import EventQuery
from portal.events.rules import is_slug
from portal.events.words import WORDS


def _folded(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def known_region(form, field) -> None:
    """A validator: a region of core/regions.py, or none."""
    if field.data and not is_region(field.data):
        names = ", ".join(region.slug for region in REGIONS)
        raise ValidationError(_("Not a region: choose one of %(names)s.", names=names))


def region_field(**kwargs) -> SelectField:
    """The region filter, the same on the list and on the alert form: each region once."""
    return SelectField(
        _l("Region"),
        choices=[SelectChoice("", _l("Any region"))]
        + [SelectChoice(region.slug, region.words) for region in REGIONS],
        validate_choice=False,
        validators=[Optional(), known_region],
        filters=[lambda value: value.strip().lower() if value else value],
        **kwargs,
    )


class PlainSelect(Select):
    """wtforms' select, each plain option written by one format instead of html_params: the
    filter form is on every list page, and its country list is long."""

    @classmethod
    def _dispatch_render_option(cls):
        # wtforms reads render_option's signature (inspect) on every render to pick between
        # its old and new forms; this one has the new.
        return cls.render_option

    @classmethod
    def render_option(cls, choice, **kwargs):
        if kwargs or choice.render_kw or isinstance(choice.value, bool):
            return super().render_option(choice, **kwargs)
        selected = "selected " if choice.selected else ""
        label, value = escape(choice.label or choice.value), escape(choice.value)
        # Both escaped just above.
        return Markup(f'<option {selected}value="{value}">{label}</option>')  # noqa: S704  # nosec B704


class EventFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: nothing to protect, and links to it must stay shareable

    q = SearchField(_l("Search"), validators=[Optional(), Length(max=200)])
    # Any well-formed value is accepted, not only today's choices: a subscription to a project
    # that was since retired, or to a country with no events yet, answers with fewer events,
    # never with an error that a calendar client would take for a dead feed.
    project = SelectField(
        _l("Project"),
        choices=[],
        validate_choice=False,
        validators=[Optional()],
        widget=PlainSelect(),
    )
    format = SelectField(
        _l("Format"),
        choices=[SelectChoice("", _l("Any format"))]
        + [SelectChoice(f.value, WORDS[f]) for f in EventFormat],
        validators=[Optional()],
        widget=PlainSelect(),
    )
    country = SelectField(
        _l("Country"),
        choices=[],
        validate_choice=False,
        validators=[Optional()],
        widget=PlainSelect(),
        filters=[lambda v: v.strip().upper() if v else v],
    )
    # Every region, each once, whatever has events: there are six.
    region = region_field(widget=PlainSelect())
    starts_from = DateField(_l("From"), validators=[Optional()], name="from")
    ends_to = DateField(_l("To"), validators=[Optional()], name="to")
    past = BooleanField(_l("Past events"), false_values=("", "0", "false", "no", "off"))
    page = IntegerField(_l("Page"), default=1, validators=[Optional(), NumberRange(1, MAX_PAGE)])

    def __init__(self, formdata, projects=(), countries=(), **kwargs) -> None:
        super().__init__(formdata, **kwargs)
        self.project.choices = [SelectChoice("", _("Any project"))] + [
            SelectChoice(p.slug, p.name) for p in projects
        ]
        # By name as the page writes it ("Türkiye" among the T's), not by code.
        named = sorted((country_name(code), code) for code in countries)
        named.sort(key=lambda pair: _folded(pair[0]))
        self.country.choices = [SelectChoice("", _("Any country"))] + [
            SelectChoice(code, name) for name, code in named
        ]
        # Keep a valid choice that is not on today's list selected when the form is shown.
        for field, valid in ((self.project, is_slug), (self.country, is_country_code)):
            if (
                field.data
                and valid(field.data)
                and field.data not in {c.value for c in field.choices}
            ):
                field.choices.append(SelectChoice(field.data, field.data))

    def validate_project(self, field) -> None:
        if field.data and not is_slug(field.data, max_length=60):
            raise ValidationError(_("Not a project."))

    def validate_country(self, field) -> None:
        if field.data and not is_country_code(field.data):
            raise ValidationError(_("Use a two-letter ISO 3166 country code, such as DE."))

    def validate_ends_to(self, field) -> None:
        if field.data and self.starts_from.data and field.data < self.starts_from.data:
            raise ValidationError(_("The end of the range is before its start."))

    def to_query(self) -> EventQuery:
        return EventQuery(
            q=(self.q.data or "").strip(),
            project=self.project.data or None,
            format=EventFormat(self.format.data) if self.format.data else None,
            country=self.country.data or None,
            region=self.region.data or None,
            starts_from=self.starts_from.data,
            ends_to=self.ends_to.data,
            past=self.past.data,
        )

    def parameter_errors(self) -> list[tuple[str, str]]:
        """(query parameter, reason) of each filter that could not be read, as its query
        string names it (`from`, not the field's attribute)."""
        return [(field.name, " ".join(field.errors)) for field in self if field.errors]

    @property
    def page_number(self) -> int:
        return self.page.data or 1
