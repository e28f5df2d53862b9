"""The small forms of an inquiry's page: its status, its assignee, a note, a reply."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.accounts.models import StaffUser
from portal.inquiries.models import Inquiry, InquiryStatus
from portal.inquiries.operations import NOTE_MAX, REPLY_MAX

NOBODY = SelectChoice("", "Nobody")


class StatusForm(FlaskForm):
    """Any status is accepted here; whether the inquiry may go there is for operations."""

    status = SelectField(
        "Status", choices=[SelectChoice(status.value, status.label) for status in InquiryStatus]
    )


class AssignForm(FlaskForm):
    assignee = SelectField("Assigned to", choices=[NOBODY])

    def __init__(self, staff: list[StaffUser], inquiry: Inquiry | None = None, **kwargs):
        super().__init__(**kwargs)
        self.staff = {str(user.id): user for user in staff}
        self.assignee.choices = [NOBODY] + [SelectChoice(k, u.name) for k, u in self.staff.items()]
        if inquiry is not None and not self.is_submitted():
            self.assignee.data = str(inquiry.assignee_id or "")

    def chosen(self) -> StaffUser | None:
        return self.staff.get(self.assignee.data or "")


class NoteForm(FlaskForm):
    body = TextAreaField(
        "Add a note",
        validators=[
            InputRequired("Write the note first."),
            Length(max=NOTE_MAX, message=f"A note has at most {NOTE_MAX:,} characters."),
        ],
        # Browsers send line ends as CR LF but count them as one character against maxlength.
        filters=[lambda text: text.replace("\r\n", "\n") if text else text],
        render_kw={"rows": 4, "maxlength": NOTE_MAX},
    )


class ReplyForm(FlaskForm):
    """The answer to the submitter (field `reply`): its body only; the headers are ours."""

    reply = TextAreaField(
        "Reply to the submitter",
        validators=[
            InputRequired("Write the reply first."),
            Length(max=REPLY_MAX, message=f"A reply has at most {REPLY_MAX:,} characters."),
        ],
        filters=[lambda text: text.replace("\r\n", "\n") if text else text],
        render_kw={"rows": 8, "maxlength": REPLY_MAX},
    )
