"""The student's forms for recruitment: add a respondent, links, paper consent, withdrawal."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    FileField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..consent.forms import KEEP_CHOICES, KEEP_LABEL
from ..consent.services import Documents
from ..consent.withdrawal import REASON_LENGTH
from ..forms import BaseForm
from ..letters import languages
from ..respondents.services import NAME_LENGTH


class AddRespondentForm(BaseForm):
    """A new respondent: a code, and the name and address only if the student needs them."""

    code = StringField(
        _l("Code"),
        description=_l("How the study names the person everywhere, e.g. IP1."),
        validators=[DataRequired(), Length(max=32)],
    )
    name = StringField(
        _l("Name"),
        description=_l("Optional. Kept encrypted; only the study's students can see it."),
        validators=[Optional(), Length(max=NAME_LENGTH)],
    )
    email = StringField(
        _l("E-mail address"),
        description=_l("Optional. Kept encrypted; needed to send the link by e-mail."),
        validators=[Optional(), Length(max=254)],
    )
    send = BooleanField(_l("Send the personal link to this address now"))
    submit = SubmitField(_l("Add and make a personal link"))


class NewLinkForm(BaseForm):
    """A new personal link for a respondent; the earlier one stops working."""

    send = BooleanField(_l("Send it by e-mail"))
    submit = SubmitField(_l("Make a new link"))


class ActionForm(BaseForm):
    """A button that changes something (revoke links, ask for consent again)."""

    submit = SubmitField(_l("Confirm"))


class PaperConsentForm(BaseForm):
    """A consent given on the paper form: its language, its ticked items, its date, the scan."""

    language = SelectField(_l("Language of the form"), validators=[InputRequired()])
    signed_on = DateField(_l("Date the form was signed"), validators=[InputRequired()])
    scan = FileField(
        _l("Scan of the signed form (PDF, JPEG or PNG)"),
        description=_l("Stored encrypted. At most 20 MB."),
    )
    submit = SubmitField(_l("Register the consent"))


def paper_consent_form(documents: Documents, **kwargs) -> PaperConsentForm:
    """Return the paper-consent form with a box for each item of the approved form."""

    class Form(PaperConsentForm):
        pass

    keys = {}
    for number, item in enumerate(documents.items, start=1):
        name = f"item_{number}"
        keys[name] = item["key"]
        first = documents.languages[0] if documents.languages else ""
        setattr(Form, name, BooleanField(item["texts"].get(first, item["key"])))
    form = Form(**kwargs)
    form.item_keys = keys
    form.language.choices = [
        SelectChoice(code, languages.name(code)) for code in documents.languages
    ]
    return form


class StudentWithdrawalForm(BaseForm):
    """A withdrawal the respondent made to the student, registered by them."""

    confirm = BooleanField(
        _l("The respondent has withdrawn their consent"), validators=[DataRequired()]
    )
    keep = RadioField(KEEP_LABEL, choices=KEEP_CHOICES, default="delete")
    reason = TextAreaField(
        _l("Reason, if the respondent gave one"),
        validators=[Optional(), Length(max=REASON_LENGTH)],
    )
    submit = SubmitField(_l("Register the withdrawal"))
