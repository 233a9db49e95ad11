"""The recording upload form: whose interview it is, then the file.

The file comes last, so that the choice is checked before the file's first byte is taken.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import FileField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from ..forms import BaseForm
from ..respondents.models import Respondent
from .formats import ACCEPT


class UploadForm(BaseForm):
    """Upload one recording for a respondent whose consent covers it."""

    respondent = SelectField(
        _l("Respondent"),
        description=_l("Only respondents whose consent covers recording are listed."),
        validators=[InputRequired()],
    )
    recording = FileField(
        _l("Recording (wav, mp3, m4a, ogg, opus, flac or webm)"),
        render_kw={"accept": ACCEPT},
    )
    submit = SubmitField(_l("Upload and encrypt"))


def upload_form(choices: list[Respondent], **kwargs) -> UploadForm:
    """Return the form with the respondents that may be chosen."""
    form = UploadForm(**kwargs)
    form.respondent.choices = [SelectChoice(str(r.id), r.code) for r in choices]
    return form
