"""The choice of appendices: language, and per part whether, where and under which words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from ..forms import BaseForm
from . import settings

PART_NAMES = {
    "guide": _l("Interview guide"),
    "letter": _l("Information letter"),
    "consent_form": _l("Consent form"),
}


class AppendixForm(BaseForm):
    """The choice; fields per part are named <part>-include, -position, -label, -title."""

    language = RadioField(
        _l("Language of the appendices' labels and titles"),
        choices=[SelectChoice("sv", "svenska"), SelectChoice("en", "English")],
        validators=[InputRequired()],
    )

    def chosen(self) -> dict:
        """Return the choice as settings.save takes it, parts in the order given."""
        parts = sorted(
            settings.PARTS, key=lambda p: (self[f"{p}-position"].data, settings.PARTS.index(p))
        )
        return {
            "language": self.language.data,
            "parts": [
                {
                    "part": p,
                    "include": bool(self[f"{p}-include"].data),
                    "label": (self[f"{p}-label"].data or "").strip(),
                    "title": (self[f"{p}-title"].data or "").strip(),
                }
                for p in parts
            ],
        }


def appendix_form(plan: dict, **kwargs) -> AppendixForm:
    """Build the form filled with the study's choice."""

    class Form(AppendixForm):
        pass

    for position, chosen in enumerate(plan["parts"], 1):
        p = chosen["part"]
        setattr(Form, f"{p}-include", BooleanField(_l("Include"), default=chosen["include"]))
        setattr(
            Form,
            f"{p}-position",
            IntegerField(
                _l("Place"),
                [InputRequired(), NumberRange(1, len(settings.PARTS))],
                default=position,
            ),
        )
        setattr(
            Form,
            f"{p}-label",
            StringField(_l("Label"), [Length(max=settings.MAX_WORDS)], default=chosen["label"]),
        )
        setattr(
            Form,
            f"{p}-title",
            StringField(_l("Title"), [Length(max=settings.MAX_WORDS)], default=chosen["title"]),
        )
    return Form(language=plan["language"], **kwargs)
