"""Forms for the plan and for inviting people to a study."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from ..accounts.forms import NEW_PASSWORD
from ..forms import BaseForm
from .models import MemberRole

SHORT = [Optional(), Length(max=200)]
LONG = [Optional(), Length(max=10_000)]


class PlanForm(BaseForm):
    """The study plan (life-cycle step 1)."""

    title = StringField(_l("Title"), [DataRequired(_l("Give the study a title.")), Length(max=300)])
    level = StringField(
        _l("Course and level"), SHORT, description=_l("For example: Bachelor's thesis, 15 credits.")
    )
    university = StringField(_l("University"), SHORT)
    department = StringField(_l("Department"), SHORT)
    controller = StringField(
        _l("Controller (personuppgiftsansvarig)"),
        [Optional(), Length(max=300)],
        description=_l("Normally the university."),
    )
    data_protection_officer = StringField(
        _l("Data protection officer, contact"), [Optional(), Length(max=300)]
    )
    purpose = TextAreaField(_l("Purpose"), LONG)
    research_questions = TextAreaField(
        _l("Research questions"), LONG, description=_l("One question per line.")
    )
    method = TextAreaField(_l("Method"), LONG)
    sample = TextAreaField(_l("Sample"), LONG)
    recruitment = TextAreaField(_l("Recruitment"), LONG)
    planned_interviews = IntegerField(
        _l("Planned number of interviews"),
        [
            Optional(),
            NumberRange(min=1, max=500, message=_l("Enter a number between %(min)s and %(max)s.")),
        ],
    )
    interviews_from = DateField(_l("Interviews from"), [Optional()])
    interviews_to = DateField(_l("Interviews until"), [Optional()])
    submission_on = DateField(_l("Thesis submission"), [Optional()])
    retention = TextAreaField(
        _l("Retention"),
        LONG,
        description=_l("How long recordings and transcripts are kept, and when they are deleted."),
    )

    def validate_interviews_to(self, field) -> None:
        """Refuse an end date before the start date."""
        from wtforms import ValidationError

        if field.data and self.interviews_from.data and field.data < self.interviews_from.data:
            raise ValidationError(_l("The interviews cannot end before they start."))


class InviteForm(BaseForm):
    """Invite a co-author or the supervisor by e-mail."""

    email = EmailField(
        _l("E-mail"), [DataRequired(_l("Enter an e-mail address.")), Length(max=254)]
    )
    role = SelectField(
        _l("Part in the study"),
        choices=[
            SelectChoice(MemberRole.AUTHOR.value, _l("Co-author (student)")),
            SelectChoice(MemberRole.SUPERVISOR.value, _l("Supervisor")),
        ],
        validators=[DataRequired()],
    )


class AcceptInvitationForm(BaseForm):
    """The button that accepts an invitation."""


class InvitedAccountForm(BaseForm):
    """Create an account through an invitation (the address is the invited one)."""

    name = StringField(_l("Name"), [DataRequired(_l("Enter your name.")), Length(max=200)])
    password = PasswordField(_l("Password"), NEW_PASSWORD)
    confirm = PasswordField(
        _l("Repeat the password"),
        [
            DataRequired(_l("Repeat the password.")),
            EqualTo("password", _l("The passwords do not match.")),
        ],
    )
