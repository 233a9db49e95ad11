"""The respondent's forms: consent item by item, the confirmation, withdrawal, the receipt by mail."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, Length, Optional

from ..forms import BaseForm
from .services import NAME_LENGTH, Documents, signature_fields
from .withdrawal import REASON_LENGTH

#: The label and help of each name a consent is signed with.
NAME_LABELS = {
    "respondent": (_l("Your full name"), _l("Typing your name is your signature.")),
    "guardian_1": (_l("Guardian's full name"), _l("Typing your name is your signature.")),
    "guardian_2": (
        _l("Second guardian's full name (if the child has two)"),
        _l("Both guardians sign when the child has two."),
    ),
    "child": (
        _l("The child's full name"),
        _l("The child types their own name to say that they want to take part."),
    ),
}


#: The choice a letter may offer about what was analysed before a withdrawal.
KEEP_LABEL = _l("What happens to what has already been analysed")
KEEP_CHOICES = [
    SelectChoice("delete", _l("Delete everything, including what has been analysed")),
    SelectChoice("keep", _l("What has been analysed may stay in the study")),
]


class ConsentForm(BaseForm):
    """The consent form's items and signature, built for one version and language."""

    #: The versions the page showed: a consent is only taken to what was read.
    letter_hash = HiddenField()
    form_hash = HiddenField()
    submit = SubmitField(_l("Continue"))


def consent_form(documents: Documents, language: str, **kwargs) -> ConsentForm:
    """Return the form for the documents' items worded in `language`.

    Item fields are named by position (item_1 …); `item_keys` maps them to the items.
    """

    class Form(ConsentForm):
        pass

    keys = {}
    for number, item in enumerate(documents.items, start=1):
        name = f"item_{number}"
        keys[name] = item["key"]
        setattr(
            Form,
            name,
            BooleanField(
                item["texts"].get(language, ""),
                description=_l("You must tick this to take part.") if item["required"] else "",
            ),
        )
    for key, required in signature_fields(documents.signed_as):
        label, help_text = NAME_LABELS[key]
        setattr(
            Form,
            key,
            StringField(
                label,
                description=help_text,
                validators=[Length(max=NAME_LENGTH)],
                # Not remembered by the browser: the device may be shared, the name a child's.
                render_kw={"autocomplete": "off", "required": required},
            ),
        )
    form = Form(**kwargs)
    form.item_keys = keys
    return form


class ConfirmForm(BaseForm):
    """The last step: the respondent confirms exactly what the page shows."""

    submission = HiddenField()
    submit = SubmitField(_l("Yes, I consent"))


class WithdrawForm(BaseForm):
    """One confirmation, an optional reason, and a choice where the letter offers one."""

    reason = TextAreaField(
        _l("Reason (you do not have to give one)"),
        validators=[Optional(), Length(max=REASON_LENGTH)],
    )
    keep = RadioField(KEEP_LABEL, choices=KEEP_CHOICES, default="delete")
    #: The button itself sends confirm=yes: a request without it withdraws nothing.
    confirm = HiddenField(validators=[AnyOf(["yes"], message=_l("Press the button to withdraw."))])
    submit = SubmitField(_l("Withdraw my consent"))


class ActionForm(BaseForm):
    """A button that does one thing (end the visit)."""

    submit = SubmitField(_l("I am done: end my visit"))


class ReceiptMailForm(BaseForm):
    """Send the receipt to the address the invitation went to."""

    submit = SubmitField(_l("Send the receipt to my e-mail address"))
