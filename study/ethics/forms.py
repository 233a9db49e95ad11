"""The self-review's form for one section, built from the questions table."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm
from . import questions
from .document import ANSWER_WORDS

TEXT_LIMIT = 5000


class MultiCheckboxField(SelectMultipleField):
    """Several options, each a checkbox."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SectionForm(BaseForm):
    """The answers of one section; fields are named by question key."""

    def changes(self, shown: list[questions.Question]) -> dict[str, tuple[object, str]]:
        """Return (value, explanation) for each question of the section on the page."""
        found = {}
        for question in shown:
            value = self[question.key].data
            explanation_field = self._fields.get(f"{question.key}__explanation")
            explanation = explanation_field.data if explanation_field is not None else ""
            found[question.key] = (value if value is not None else "", explanation or "")
        return found


def section_form(section: str, given: dict) -> tuple[SectionForm, list[questions.Question]]:
    """Build the form for a section's questions, filled with the given answers when shown."""

    class Form(SectionForm):
        pass

    shown = [q for q in questions.QUESTIONS if q.section == section]
    for question in shown:
        setattr(Form, question.key, _field(question))
        if question.explain_when or question.explain_label:
            setattr(
                Form,
                f"{question.key}__explanation",
                TextAreaField(
                    question.explain_label or _l("Explain"),
                    [Optional(), Length(max=TEXT_LIMIT)],
                ),
            )
    data = {}
    for question in shown:
        answer = given.get(question.key) or {}
        # A default (the usual legal basis) is shown, and stored once the student saves.
        data[question.key] = answer.get("value") or question.default
        data[f"{question.key}__explanation"] = answer.get("explanation", "")
    return Form(data=data), shown


def _field(question: questions.Question):
    """Return the form field for a question of its kind."""
    label, help_text = question.text, question.help
    if question.kind in (questions.Kind.YES_NO_UNSURE, questions.Kind.CHOICE):
        choices = [SelectChoice(o.value, o.label) for o in question.options] or [
            SelectChoice(value, label) for value, label in ANSWER_WORDS.items()
        ]
        return RadioField(label, choices=choices, validators=[Optional()], description=help_text)
    if question.kind is questions.Kind.MULTI:
        choices = [SelectChoice(o.value, o.label) for o in question.options]
        return MultiCheckboxField(
            label, choices=choices, validators=[Optional()], description=help_text
        )
    if question.kind is questions.Kind.DATE:
        # Kept as text: the service checks the date and explains a bad one.
        return StringField(
            label,
            [Optional(), Length(max=10)],
            description=help_text,
            render_kw={"type": "date"},
        )
    return TextAreaField(label, [Optional(), Length(max=TEXT_LIMIT)], description=help_text)
