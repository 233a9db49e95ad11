"""The supervisor's decision form, with a comment field per item and a box per warning."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from ..forms import BaseForm
from .documents import Blocker, Item
from .models import Outcome

COMMENT_LIMIT = 5000


class SubmitForm(BaseForm):
    """Submit the step's current draft for review (a button and its CSRF token)."""


class DecisionForm(BaseForm):
    """Approve a version or ask for changes."""

    outcome = RadioField(
        _l("Decision"),
        choices=[
            SelectChoice(Outcome.APPROVED.value, _l("Approve this version")),
            SelectChoice(Outcome.CHANGES_REQUESTED.value, _l("Ask for changes")),
        ],
        validators=[DataRequired(_l("Choose a decision."))],
    )
    #: The version the supervisor read: the decision is refused if another one waits now.
    version = IntegerField(
        widget=HiddenInput(), validators=[InputRequired(_l("Reload the page and decide again."))]
    )
    comment = TextAreaField(
        _l("Comment on the step"),
        [Length(max=COMMENT_LIMIT)],
        description=_l("Needed when you ask for changes, unless you comment on single items."),
    )

    def item_comments(self) -> dict[str, str]:
        """Return the comments written on single items, by item key."""
        return {
            name.removeprefix("note_"): field.data or ""
            for name, field in self._fields.items()
            if name.startswith("note_")
        }

    def acknowledged(self) -> list[str]:
        """Return the keys of the warnings whose box is ticked."""
        return [
            name.removeprefix("ack_")
            for name, field in self._fields.items()
            if name.startswith("ack_") and field.data
        ]


def decision_form(items: list[Item], blockers: list[Blocker]) -> DecisionForm:
    """Build the decision form for a version's items and blocking warnings."""

    class Form(DecisionForm):
        pass

    for item in items:
        setattr(
            Form,
            f"note_{item.key}",
            TextAreaField(
                _l("Comment on “%(item)s”", item=item.label), [Length(max=COMMENT_LIMIT)]
            ),
        )
    for blocker in blockers:
        if blocker.acknowledgeable:
            setattr(Form, f"ack_{blocker.key}", BooleanField(blocker.message))
    return Form()
