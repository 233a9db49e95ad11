"""The transcript forms: an upload (the file last), a transcript written here, an edit."""

from __future__ import annotations

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from wtforms import FileField, HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Regexp

from ..forms import BaseForm
from ..recordings.models import Recording
from ..respondents.models import Respondent
from .formats import ACCEPT
from .text import MAX_CHARS

#: A transcript's text as the editor holds it (the limit is checked once it is normalised).
TEXT = {
    "validators": [InputRequired(), Length(max=MAX_CHARS + MAX_CHARS // 10)],
    # No browser spell-checking: some browsers send what is checked to their maker's servers.
    "render_kw": {"rows": 24, "spellcheck": "false"},
    "description": _l(
        "One turn per paragraph, a blank line between them; write the speaker first, "
        "“Interviewer: …”."
    ),
}


class _Whose(BaseForm):
    """Whose interview a new transcript is, and the recording it transcribes, if any."""

    respondent = SelectField(
        _l("Respondent"),
        description=_l("Only respondents whose consent is in force are listed."),
        validators=[InputRequired()],
    )
    recording = SelectField(
        _l("Recording (optional)"),
        default="",
        description=_l("The recording this transcribes; it must be the same respondent’s."),
    )


class UploadForm(_Whose):
    """Upload a transcript file; the file comes last, after the choices are checked."""

    transcript = FileField(
        _l("Transcript (txt, docx, vtt, srt or otr)"), render_kw={"accept": ACCEPT}
    )
    submit = SubmitField(_l("Upload and encrypt"))


class WriteForm(_Whose):
    """Write a transcript here, from notes or by listening."""

    text = TextAreaField(_l("Transcript"), **TEXT)
    submit = SubmitField(_l("Save and encrypt"))


class EditForm(BaseForm):
    """Save the editor's text as the transcript's next version."""

    text = TextAreaField(_l("Transcript"), **TEXT)
    #: The version the editor started from: a save on top of a newer one is refused.
    base = HiddenField(validators=[InputRequired(), Regexp(r"^[0-9]{1,9}$")])
    submit = SubmitField(_l("Save as a new version"))


def _choose(form: _Whose, respondents: list[Respondent], recordings: list[Recording]) -> None:
    codes = {r.id: r.code for r in respondents}
    form.respondent.choices = [SelectChoice(str(r.id), r.code) for r in respondents]
    form.recording.choices = [SelectChoice("", str(_l("None")))] + [
        SelectChoice(
            str(recording.id),
            str(
                _l(
                    "%(code)s: recording %(n)d of %(date)s",
                    code=codes[recording.respondent_id],
                    n=recording.id,
                    date=format_date(recording.created_at, "yyyy-MM-dd"),
                )
            ),
        )
        for recording in recordings
        if recording.respondent_id in codes
    ]


def upload_form(respondents: list[Respondent], recordings: list[Recording], **kwargs) -> UploadForm:
    """Return the upload form with the respondents and recordings that may be chosen."""
    form = UploadForm(**kwargs)
    _choose(form, respondents, recordings)
    return form


def write_form(respondents: list[Respondent], recordings: list[Recording], **kwargs) -> WriteForm:
    """Return the form for a transcript written here, with its choices."""
    form = WriteForm(**kwargs)
    _choose(form, respondents, recordings)
    return form
