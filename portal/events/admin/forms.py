"""The event form of the back office: every field of an event, its projects and four links.

The form reads and types what was posted (lengths match the columns); the rules an event
must follow are checked by operations (events/rules.py), whose errors land beside the fields
(`add_errors`: a link's address is `register-url`).
"""

from __future__ import annotations

from typing import Any

from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
    URLField,
)
from wtforms.fields import FloatField
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from portal.core.countries import country_choices, country_name, is_country_code
from portal.core.forms import CheckboxesField, StaffForm, none_if_blank, strip, text_field, upper
from portal.events.models import Event, EventFormat, EventKind, LinkKind, LinkState, Project
from portal.events.rules import LinkValues, country_timezones
from portal.events.slugs import slug_for
from portal.events.zones import zone_choices, zone_for_city


class CountryField(SelectField):
    """A select of the ISO 3166 countries by name; anything else is refused in words."""

    def __init__(self, label: str, **kwargs):
        choices = [SelectChoice("", "(none: online, or not yet known)")]
        choices += [SelectChoice(code, name) for code, name in country_choices()]
        super().__init__(label, choices=choices, validators=[Optional()], **kwargs)

    def pre_validate(self, form) -> None:
        if self.data and not is_country_code(self.data):
            raise ValidationError("Choose a country from the list.")


class TimezoneField(SelectField):
    """A select of the IANA zones, the event's country's first by the names people know;
    blank takes the country's zone when it has only one (EventForm.validate_timezone)."""

    def __init__(self, label: str, **kwargs):
        super().__init__(label, choices=[], **kwargs)  # blank: see validate_timezone

    def offer(self, country: str | None) -> None:
        blank = (
            "Choose the event's zone"
            if len(country_timezones(country)) > 1
            else "(the country's zone)"
        )
        self.choices = [SelectChoice("", blank)] + [
            SelectChoice(value, label, optgroup=group)
            for value, label, group in zone_choices(
                country, country_name(country) if country else None
            )
        ]

    def pre_validate(self, form) -> None:
        """A zone off the list is refused by the rules (events/rules.py), beside the field and
        with the form's other refusals."""


class LinkForm(Form):
    state = SelectField(
        "State",
        choices=[SelectChoice("", "No link")]
        + [SelectChoice(state.value, state.label) for state in LinkState],
        validators=[Optional()],
    )
    # Text, not type=url: a path on this site (/events/<slug>/sponsor) is a valid target too.
    url = StringField("Address", validators=[Optional(), Length(max=500)], filters=[none_if_blank])
    deadline = DateTimeLocalField(
        "Closes at (event's local time)", validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )

    def to_values(self, kind: LinkKind) -> LinkValues:
        state = LinkState(self.state.data) if self.state.data else None
        return LinkValues(kind, state, self.url.data, self.deadline.data)


class EventForm(StaffForm):
    slug = text_field(
        "Address (slug)",
        120,
        description="/events/<slug>; leave blank to make it from the title. It stays as it is "
        "once the event is published.",
    )
    title = text_field("Title", 200, required=True)
    summary = TextAreaField("Summary", validators=[Length(max=500)], filters=[strip])
    description = TextAreaField(
        "Description (Markdown)", validators=[Length(max=50_000)], filters=[strip]
    )
    # No kind until staff choose one: a default would file a meetup under summits.
    kind = SelectField(
        "Kind",
        choices=[SelectChoice("", "Choose the kind of event")]
        + [SelectChoice(k.value, k.label) for k in EventKind],
        validators=[InputRequired("Choose the kind of event.")],
    )
    format = SelectField("Format", choices=[SelectChoice(f.value, f.label) for f in EventFormat])
    # InputRequired, not DataRequired: the latter would hide "Not a valid date value".
    starts_on = DateField("First day", validators=[InputRequired()])
    ends_on = DateField("Last day", validators=[InputRequired()])
    start_time = TimeField("Starts at (local)", validators=[Optional()])
    end_time = TimeField("Ends at (local)", validators=[Optional()])
    dates_to_be_confirmed = BooleanField("Dates to be confirmed (announced, not yet final)")
    timezone = TimezoneField("Time zone")
    venue = text_field("Venue", 200)
    street = text_field("Street", 200)
    city = text_field("City", 120)
    region = text_field("Region or state", 120)
    country = CountryField("Country", filters=[upper, none_if_blank])
    latitude = FloatField("Latitude", validators=[Optional(), NumberRange(-90, 90)])
    longitude = FloatField("Longitude", validators=[Optional(), NumberRange(-180, 180)])
    colocated_name = text_field("Co-located with", 200)
    colocated_starts_on = DateField("Its first day", validators=[Optional()])
    colocated_ends_on = DateField("Its last day", validators=[Optional()])
    colocated_url = URLField(
        "Its address", validators=[Optional(), Length(max=500)], filters=[none_if_blank]
    )
    contact_email = EmailField(
        "Contact email",
        validators=[Optional(), Length(max=254), Email()],
        filters=[none_if_blank],
    )
    project_ids = CheckboxesField("Projects", coerce=int, validators=[Optional()])
    register = FormField(LinkForm, "Register")
    sponsor = FormField(LinkForm, "Sponsor")
    schedule = FormField(LinkForm, "Schedule")
    cfp = FormField(LinkForm, "Call for papers")

    def __init__(self, *args, projects: list[Project], event: Event | None = None, **kwargs):
        super().__init__(*args, obj=event, **kwargs)
        self._projects = {project.id: project for project in projects}
        self.project_ids.choices = [SelectChoice(p.id, p.name) for p in projects]
        self.timezone.offer(self.country.data)
        # Staff see the event as stored unless they are sending the form (formdata=None: a
        # refused action shows the stored event again).
        if event is not None and (kwargs.get("formdata", True) is None or not self.is_submitted()):
            self.project_ids.data = [project.id for project in event.projects]
            for link in event.links:
                sub = self.link_form(link.kind)
                sub.state.data = link.state.value
                sub.url.data = link.url
                deadline = link.local_deadline()
                sub.deadline.data = deadline.replace(tzinfo=None) if deadline else None

    def validate_timezone(self, field: TimezoneField) -> None:
        """Blank takes the country's zone only when it has one; with several, staff choose
        (the city's zone preselected where one is named after it)."""
        zones = country_timezones(self.country.data)
        if field.data or len(zones) == 1:
            return
        if not zones:
            raise ValidationError("Choose the event's time zone (UTC for an online event).")
        field.data = zone_for_city(self.country.data, self.city.data)
        name = country_name(self.country.data)
        if field.data:
            raise ValidationError(
                f"{name} has several time zones: check the one its city suggests, then save."
            )
        raise ValidationError(f"{name} has several time zones: choose the event's.")

    def link_form(self, kind: LinkKind) -> LinkForm:
        return getattr(self, kind.value).form

    def values(self) -> dict[str, Any]:
        """What operations.create_event / update_event take."""
        names = [name for name in self._fields if name not in ("csrf_token", "project_ids")]
        names = [name for name in names if name not in {k.value for k in LinkKind}]
        values = {name: self[name].data for name in names}
        values["kind"] = EventKind(values["kind"])
        values["format"] = EventFormat(values["format"])
        values["projects"] = [self._projects[pid] for pid in self.project_ids.data or []]
        values["links"] = [self.link_form(kind).to_values(kind) for kind in LinkKind]
        if not values.get("timezone"):  # the country's only zone (validate_timezone)
            zones = country_timezones(values.get("country"))
            values["timezone"] = zones[0] if len(zones) == 1 else None
        if not values.get("slug") and values.get("title") and values.get("starts_on"):
            values["slug"] = slug_for(values["title"], values["starts_on"].year)
        return values


class StatusChangeForm(StaffForm):
    """Cancel or postpone: a confirmation that names the event, with the reason the public
    page shows."""

    reason = TextAreaField(
        "Reason (shown on the public page)",
        validators=[DataRequired("Say why, in a sentence the public can read."), Length(max=500)],
        filters=[strip],
    )
    dates_to_be_announced = BooleanField("New dates to be announced (no dates shown until then)")


class NextEditionForm(StaffForm):
    """The dates of the next edition: by default a year later on the same weekdays."""

    starts_on = DateField("First day", validators=[InputRequired()])
    ends_on = DateField("Last day", validators=[InputRequired()])
    dates_to_be_confirmed = BooleanField("Dates to be confirmed")


class NewDatesForm(StaffForm):
    """The new dates of a postponed event whose dates were to be announced, to publish it
    again on them."""

    starts_on = DateField("New first day", validators=[InputRequired()])
    ends_on = DateField("New last day", validators=[InputRequired()])
