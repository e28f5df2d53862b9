"""The membership and sponsorship inquiry forms: lengths, a real address, consent, a honeypot."""

from __future__ import annotations

import contextlib

from email_validator import EmailNotValidError, validate_email
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from portal.core.pages import submission_key
from portal.core.text import clean_line, clean_text
from portal.inquiries.operations import Applicant
from portal.mail.messages import is_writable_address
from portal.offer.models import MembershipTier, SponsorshipPackage

NAME_MAX = 100
ORGANIZATION_MAX = 200
EMAIL_MAX = 254
MESSAGE_MIN, MESSAGE_MAX = 10, 5000
UNDECIDED = SelectChoice("", _l("Not sure yet"))


def _one_line(value: str | None) -> str | None:
    return clean_line(value) if value is not None else None


def _text(value: str | None) -> str | None:
    return clean_text(value).strip() if value is not None else None


def normalized_address(text: str) -> str:
    """An address as the form stores it, for comparing: one line without invisible characters,
    the domain in its ASCII (IDNA) form, all lower case; what cannot be read, cleaned and cut."""
    text = clean_line(text)[:EMAIL_MAX]
    with contextlib.suppress(EmailNotValidError):
        checked = validate_email(text, check_deliverability=False, allow_smtputf8=False)
        text = checked.ascii_email or ""
    return text.lower()


def deliverable_address(form, field) -> None:
    """Syntax only: no DNS lookup while a visitor waits. Stores the ASCII form (IDNA domain),
    which every mail server accepts."""
    try:
        result = validate_email(field.data, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        raise ValidationError(str(error)) from error
    field.data = result.ascii_email or result.normalized
    if not is_writable_address(field.data):
        raise ValidationError(_("This address cannot be written in an email; check it, please."))


class ConsentField(BooleanField):
    """A checkbox that counts only as a yes: the value it sends ("y"), or what a browser sends
    for a checkbox without one ("on"). BooleanField would take anything but "false" and "",
    `consent=0` and `consent=off` included."""

    true_values = ("y", "on")

    def process_formdata(self, valuelist) -> None:
        self.data = bool(valuelist) and valuelist[0] in self.true_values


class InquiryForm(FlaskForm):
    name = StringField(
        _l("Your name"),
        filters=[_one_line],
        # DataRequired, not InputRequired: what is left once invisible characters are cleaned out.
        validators=[
            DataRequired(_l("Tell us your name.")),
            Length(
                max=NAME_MAX,
                message=_l("Keep your name to %(max)d characters, please.", max=NAME_MAX),
            ),
        ],
        render_kw={"autocomplete": "name", "maxlength": NAME_MAX},
    )
    email = EmailField(
        _l("Email"),
        filters=[_one_line],
        validators=[
            InputRequired(_l("We need an address to answer you.")),
            Length(
                max=EMAIL_MAX,
                message=_l("An address has at most %(max)d characters.", max=EMAIL_MAX),
            ),
            deliverable_address,
        ],
        render_kw={"autocomplete": "email", "maxlength": EMAIL_MAX},
    )
    organization = StringField(
        _l("Organization"),
        filters=[_one_line],
        validators=[
            DataRequired(_l("Tell us which organization you represent.")),
            Length(
                max=ORGANIZATION_MAX,
                message=_l(
                    "Keep the organization to %(max)d characters, please.", max=ORGANIZATION_MAX
                ),
            ),
        ],
        render_kw={"autocomplete": "organization", "maxlength": ORGANIZATION_MAX},
    )
    message = TextAreaField(
        _l("How can we help?"),
        filters=[_text],
        validators=[
            InputRequired(_l("Tell us a little about what you are looking for.")),
            Length(
                min=MESSAGE_MIN,
                max=MESSAGE_MAX,
                # The largest as the page's language writes numbers ("5,000" in English).
                message=_l(
                    "Write between %(min)d and %(max)s characters.",
                    min=MESSAGE_MIN,
                    max=LazyString(format_number, MESSAGE_MAX),
                ),
            ),
        ],
        render_kw={"rows": 6, "maxlength": MESSAGE_MAX},
    )
    consent = ConsentField(
        _l("I agree that the foundation stores this inquiry and contacts me about it."),
        validators=[DataRequired(_l("We can only answer if you agree to this."))],
    )
    # A key of each form shown (core.pages.submission_key): the same form posted twice is
    # stored once (inquiries/operations.py).
    submission = HiddenField(
        default=submission_key,
        validators=[Optional(), Length(max=64), Regexp(r"^[A-Za-z0-9_-]*$")],
    )
    # The honeypot: hidden from people (and from screen readers), filled in by form-filling bots.
    website = StringField(
        _l("Leave this field empty"),
        render_kw={"tabindex": "-1", "autocomplete": "off"},
    )

    @property
    def is_bot(self) -> bool:
        return self.is_submitted() and bool((self.website.data or "").strip())

    def applicant(self) -> Applicant:
        return Applicant(
            name=self.name.data,
            email=self.email.data,
            organization=self.organization.data,
            message=self.message.data,
        )


class MembershipInquiryForm(InquiryForm):
    tier = SelectField(_l("Membership tier"), choices=[], default="")

    def __init__(self, tiers: list[MembershipTier], **kwargs) -> None:
        super().__init__(**kwargs)
        self.tiers = {tier.slug: tier for tier in tiers}
        self.tier.choices = [UNDECIDED] + [SelectChoice(t.slug, t.name) for t in tiers]

    def chosen_tier(self) -> MembershipTier | None:
        return self.tiers.get(self.tier.data or "")


class SponsorshipInquiryForm(InquiryForm):
    package = SelectField(_l("Sponsorship package"), choices=[], default="")

    def __init__(self, packages: list[SponsorshipPackage], **kwargs) -> None:
        super().__init__(**kwargs)
        self.packages = {package.slug: package for package in packages}
        self.package.choices = [UNDECIDED] + [
            SelectChoice(
                p.slug,
                _("%(package)s (sold out)", package=p.name) if p.is_sold_out else p.name,
                render_kw={"disabled": True} if p.is_sold_out else {},
            )
            for p in packages
        ]

    def validate_package(self, field) -> None:
        chosen = self.chosen_package()
        if chosen is not None and chosen.is_sold_out:
            raise ValidationError(
                _(
                    "This package is sold out. Choose another, or tell us in your message what "
                    "you are looking for."
                )
            )

    def chosen_package(self) -> SponsorshipPackage | None:
        return self.packages.get(self.package.data or "")
