"""The letter's and the consent form's forms, built from the draft's sections and items."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm
from . import languages
from .consent import LABELS, item_label, label_keys
from .consent_form import MAX_ITEM
from .sections import SECTIONS_BY_KEY
from .services import MAX_TEXT, MAX_TITLE

TEXT_TOO_LONG = _l("A text may be at most %(max)d characters long.")
INCOMPLETE = _l("The form arrived incomplete. Reload the page and try again.")


def sent(_form, field) -> None:
    """Refuse a form that lacks the field altogether, so that nothing is saved as emptied.

    An empty field is fine: the student may clear a section.
    """
    if not field.raw_data:
        raise StopValidation(INCOMPLETE)


class ActionForm(BaseForm):
    """A button that changes the draft: its CSRF token and, where it needs one, what it acts on."""

    section = HiddenField()
    audience = HiddenField()
    language = HiddenField()
    item = HiddenField()


class GenerateForm(BaseForm):
    """Generate the letter in the languages chosen."""

    languages = SelectMultipleField(
        _l("Languages"),
        choices=[SelectChoice("sv", "svenska"), SelectChoice("en", "English")],
        default=["sv"],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired(_l("Choose at least one language."))],
        description=_l(
            "The app writes the letter in Swedish and English. Add other languages next."
        ),
    )


class LanguageForm(BaseForm):
    """Add a language to the letter and the consent form."""

    language = SelectField(_l("Language"), validators=[Optional()])
    other = StringField(
        _l("Or another language's code"),
        [Optional(), Length(max=12)],
        description=_l("For example “so” for Somali or “ti” for Tigrinya."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = [SelectChoice("", "")] + [
            SelectChoice(code, name) for code, name in languages.offered()
        ]

    def code(self) -> str:
        """Return the language asked for: the code typed, else the one chosen."""
        return (self.other.data or "").strip() or (self.language.data or "")


class LetterForm(BaseForm):
    """One language's title and sections; fields named h-<audience>-<key> and t-<…>."""

    def sections(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
        """Return (heading, text) by (audience, key) for the sections on the page."""
        return {
            (audience, key): (
                self[f"h-{audience}-{key}"].data or "",
                self[f"t-{audience}-{key}"].data or "",
            )
            for audience, key in keys
        }


def letter_form(written: dict, keys: list[tuple[str, str]], **kwargs) -> LetterForm:
    """Build the form for one language's letter, filled from its draft."""

    class Form(LetterForm):
        pass

    Form.title = StringField(
        _l("Title of the letter"), [sent, Length(max=MAX_TITLE)], default=written.get("title", "")
    )
    for audience, key in keys:
        stored = written[audience][key]
        name = SECTIONS_BY_KEY[key].heading
        setattr(
            Form,
            f"h-{audience}-{key}",
            StringField(_l("Heading"), [sent, Length(max=MAX_TITLE)], default=stored["heading"]),
        )
        setattr(
            Form,
            f"t-{audience}-{key}",
            TextAreaField(
                name,
                [sent, Length(max=MAX_TEXT, message=TEXT_TOO_LONG)],
                default=stored["text"],
            ),
        )
    return Form(**kwargs)


class ConsentLanguageForm(BaseForm):
    """One language's words and items of the consent form."""

    #: The keys of the words on the page (the guardians' only where guardians sign).
    keys: list[str] = []

    def labels(self) -> dict[str, str]:
        """Return the form's own words by key."""
        return {key: self[f"l-{key}"].data or "" for key in self.keys}

    def texts(self, keys: list[str]) -> dict[str, str]:
        """Return the item texts by item key."""
        return {key: self[f"i-{key}"].data or "" for key in keys}


def consent_language_form(document: dict, code: str, **kwargs) -> ConsentLanguageForm:
    """Build the form for one language of the consent form, filled from its draft.

    The fields carry the language and its direction; their labels are the interface's.
    """
    written_in = {"lang": code, "dir": languages.direction(code)}

    class Form(ConsentLanguageForm):
        keys = label_keys(document["signatures"])

    labels = document["labels"].get(code, {})
    for key in Form.keys:
        setattr(
            Form,
            f"l-{key}",
            StringField(
                LABELS[key],
                [sent, Length(max=MAX_ITEM)],
                default=labels.get(key, ""),
                render_kw=written_in,
            ),
        )
    for number, item in enumerate(document["items"], 1):
        setattr(
            Form,
            f"i-{item['key']}",
            TextAreaField(
                item_label(number, item["required"]),
                [sent, Length(max=MAX_ITEM)],
                default=item["texts"].get(code, ""),
                render_kw=written_in,
            ),
        )
    return Form(**kwargs)
