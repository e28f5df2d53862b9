"""The event form of the back office: every field of an event, its projects and four links.

The form reads and types what was posted (lengths match the columns); the rules an event
must follow are checked by operations (events/rules.py), whose errors land beside the fields
(`add_errors`: a link's address is `register-url`).
"""

from __future__ import annotations

import re
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

from portal.core.forms import CheckboxesField, StaffForm, none_if_blank, strip, text_field, upper
from portal.events.display import country_choices, fold, is_country_code
from portal.events.models import Event, EventFormat, EventKind, LinkKind, LinkState, Project
from portal.events.rules import LinkValues, country_timezones


class CountryField(SelectField):
    """A select of the ISO 3166 countries by name; anything else is refused in words."""

    def __init__(self, label: str, **kwargs):
        choices = [SelectChoice("", "(none: online, or not yet known)")]
        choices += [SelectChoice(code, name) for code, name in country_choices()]
        super().__init__(label, choices=choices, validators=[Optional()], **kwargs)

    def pre_validate(self, form) -> None:
        if self.data and not is_country_code(self.data):
            raise ValidationError("Choose a country from the list.")


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
    kind = SelectField("Kind", choices=[SelectChoice(k.value, k.label) for k in EventKind])
    format = SelectField("Format", choices=[SelectChoice(f.value, f.label) for f in EventFormat])
    # InputRequired, not DataRequired: the latter would hide "Not a valid date value".
    starts_on = DateField("First day", validators=[InputRequired()])
    ends_on = DateField("Last day", validators=[InputRequired()])
    start_time = TimeField("Starts at (local)", validators=[Optional()])
    end_time = TimeField("Ends at (local)", validators=[Optional()])
    dates_to_be_confirmed = BooleanField("Dates to be confirmed (announced, not yet final)")
    timezone = text_field(
        "Time zone (IANA)",
        64,
        description="Leave blank to take the country's own zone (its main one).",
    )
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
        if not values.get("timezone"):  # suggested from the country
            zones = country_timezones(values.get("country"))
            values["timezone"] = zones[0] if zones else None
        if not values.get("slug") and values.get("title") and values.get("starts_on"):
            values["slug"] = suggested_slug(values["title"], values["starts_on"].year)
        return values


def suggested_slug(title: str, year: int) -> str:
    """'OpenInfra Days Berlin' -> 'openinfra-days-berlin-2025' (the year once)."""
    base = "-".join(re.findall(r"[a-z0-9]+", fold(title)))[:100].strip("-") or "event"
    return base if base.endswith(str(year)) else f"{base}-{year}"


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
