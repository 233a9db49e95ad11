"""The guide editor's form, built from the draft's sections and questions."""

from __future__ import annotations

import copy

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm
from ..letters.forms import sent
from . import edits


class CheckboxesField(SelectMultipleField):
    """Several options, each a checkbox."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class GuideForm(BaseForm):
    """The whole guide: its scripts, and per section and question their texts."""

    def to_document(self, base: dict, research_questions: list[str]) -> dict:
        """Return the draft with this form's texts written into it (order and ids kept)."""
        guide = copy.deepcopy(base)
        guide["title"] = self.title.data or ""
        guide["intro_script"] = self.intro_script.data or ""
        guide["closing_script"] = self.closing_script.data or ""
        for section in guide["sections"]:
            sid = section["id"]
            section["title"] = self[f"{sid}-title"].data or ""
            section["minutes"] = self[f"{sid}-minutes"].data
            chosen = self[f"{sid}-covers"].data or []
            section["covers"] = [q for i, q in enumerate(research_questions) if str(i) in chosen]
            for question in section["questions"]:
                qid = question["id"]
                question["text"] = self[f"{qid}-text"].data or ""
                probes = (self[f"{qid}-probes"].data or "").splitlines()
                question["probes"] = [p.strip() for p in probes if p.strip()]
                question["notes"] = self[f"{qid}-notes"].data or ""
        return guide


def guide_form(guide: dict, research_questions: list[str], **kwargs) -> GuideForm:
    """Build the editor's form for a draft, filled from it."""

    class Form(GuideForm):
        pass

    def text(label, value, limit=edits.MAX_TEXT, area=True, **extra):
        kind = TextAreaField if area else StringField
        return kind(label, [sent, Length(max=limit)], default=value, **extra)

    Form.title = text(_l("Title of the guide"), guide["title"], edits.MAX_TITLE, area=False)
    Form.intro_script = text(
        _l("Introduction"),
        guide["intro_script"],
        description=_l(
            "What you say before the first question: who you are, the recording, consent."
        ),
    )
    Form.closing_script = text(
        _l("Closing"),
        guide["closing_script"],
        description=_l("What you say at the end: thanks, what happens next, how to reach you."),
    )
    choices = [SelectChoice(str(i), q) for i, q in enumerate(research_questions)]
    number = 0
    for position, section in enumerate(guide["sections"], 1):
        sid = section["id"]
        setattr(
            Form,
            f"{sid}-title",
            text(
                _l("Title of section %(n)d", n=position),
                section["title"],
                edits.MAX_TITLE,
                area=False,
            ),
        )
        setattr(
            Form,
            f"{sid}-minutes",
            IntegerField(
                _l("Minutes for section %(n)d", n=position),
                [Optional(), NumberRange(0, edits.MAX_MINUTES)],
                default=section["minutes"],
            ),
        )
        setattr(
            Form,
            f"{sid}-covers",
            CheckboxesField(
                _l("Research questions section %(n)d answers", n=position),
                choices=choices,
                default=[
                    str(i) for i, q in enumerate(research_questions) if q in section["covers"]
                ],
            ),
        )
        for question in section["questions"]:
            number += 1
            qid = question["id"]
            setattr(Form, f"{qid}-text", text(_l("Question %(n)d", n=number), question["text"]))
            setattr(
                Form,
                f"{qid}-probes",
                text(
                    _l("Follow-up probes to question %(n)d, one per line", n=number),
                    "\n".join(question["probes"]),
                ),
            )
            setattr(
                Form,
                f"{qid}-notes",
                text(
                    _l("Your notes on question %(n)d (never printed in the appendix)", n=number),
                    question["notes"],
                ),
            )
    return Form(**kwargs)


class PasteForm(BaseForm):
    """Questions pasted as a numbered list, or a whole guide as JSON."""

    pasted = TextAreaField(
        _l("Paste a numbered list, or a guide exported as JSON"),
        [Length(max=200_000)],
        description=_l(
            "A numbered list from a word processor: “1. A question” for each question, probes "
            "indented or as “a)” under it, and a line without a number for a section's title. "
            "Pasted questions are added after the guide's; a JSON guide replaces it."
        ),
    )
