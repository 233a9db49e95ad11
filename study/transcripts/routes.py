"""Transcript pages: the study's list and the upload, a transcript written here, the editor."""

from __future__ import annotations

import io

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from ..db import get_session
from ..errors import UserError
from ..extensions import csrf
from ..respondents.models import Respondent
from ..respondents.services import respondent_of
from ..review.services import names
from ..studies.access import study_for_author
from ..uploads import FilePart, UploadRefusedError, read_upload, streams_upload
from ..vault.errors import KeyDestroyedError, RespondentWithdrawnError
from ..vault.service import get_vault
from ..views import requested_version, show_user_error
from . import bp, formats, services
from .forms import EditForm, upload_form, write_form
from .text import UnreadableError, normalise, paragraphs, split_turn

#: Where a version's text came from, as the versions list says it.
SOURCES = {
    "txt": _l("Text file"),
    "docx": _l("Word document"),
    "vtt": _l("WebVTT captions"),
    "srt": _l("SubRip captions"),
    "otr": _l("oTranscribe"),
    "typed": _l("Written here"),
    "edited": _l("Edited here"),
    "pseudonymized": _l("Pseudonymized"),
}


@bp.route("/studies/<int:study_id>/transcripts", methods=["GET", "POST"])
@csrf.exempt
@streams_upload
@login_required
def index(study_id: int):
    """List the study's transcripts; upload one (read in memory, stored encrypted).

    The body is read as it arrives (study/uploads.py): the form's fields, CSRF token
    included, are checked before the file's first byte is taken, and the file (at most
    formats.MAX_BYTES) is kept in memory only, read into text and encrypted.
    """
    study, _member = study_for_author(study_id)
    db = get_session()
    choices = services.transcribable(db, study)
    recordings = services.recordings_of(db, study)
    if request.method == "GET":
        return _index(study, upload_form(choices, recordings))
    request.max_content_length = formats.MAX_BYTES + 64 * 1024
    held: dict = {}
    try:

        def begin_file(fields: MultiDict, part: FilePart):
            """Check the choices sent before the file; then keep the file in memory."""
            form = held["form"] = upload_form(choices, recordings, formdata=fields)
            held["respondent"] = _chosen(form, study)
            if not part.filename:
                form.transcript.errors = [_("Choose the transcript file to upload.")]
                raise UploadRefusedError
            held["file"] = io.BytesIO()
            return held["file"]

        upload = read_upload(
            request,
            max_size=formats.MAX_BYTES,
            begin_file=begin_file,
            file_field="transcript",
        )
        form = held.get("form") or upload_form(choices, recordings, formdata=upload.fields)
        held["form"] = form
        if "file" not in held or upload.size == 0:
            if form.validate():
                form.transcript.errors = [_("Choose the transcript file to upload.")]
            raise UploadRefusedError
        try:
            parsed = formats.read(held["file"].getvalue())
        except UnreadableError as error:
            form.transcript.errors = [error.message]
            raise UploadRefusedError from None
        finally:
            held.pop("file").close()
        version = _store(study, held["respondent"], form, parsed.text, parsed.format)
    except UploadRefusedError:
        db.rollback()
        return _index(study, held.get("form") or upload_form(choices, recordings)), 400
    except (RespondentWithdrawnError, KeyDestroyedError):
        return _withdrawn(study)
    except UserError as error:
        db.rollback()
        form = held.get("form") or upload_form(choices, recordings)
        show_user_error(form, error)
        return _index(study, form), 400
    flash(_("The transcript is stored, encrypted."), "success")
    return redirect(_show_url(study, version.transcript_id), 303)


def _chosen(form, study) -> Respondent:
    """Return the respondent a valid form chose, whose consent is in force.

    :raises UploadRefusedError: with the form's messages set, when anything is not right.
    """
    if not form.validate():
        raise UploadRefusedError
    db = get_session()
    respondent = respondent_of(db, study, int(form.respondent.data))
    if respondent is None:
        raise UploadRefusedError
    try:
        services.require_consented(db, respondent)
        services.check_recording(db, study, respondent, _recording_id(form))
    except UserError as error:
        show_user_error(form, error)
        raise UploadRefusedError from None
    return respondent


def _recording_id(form) -> int | None:
    return int(form.recording.data) if form.recording.data else None


def _store(study, respondent, form, text: str, source: str):
    """Store a new transcript's first version; its rows are written under the lock."""
    db = get_session()
    recording_id = _recording_id(form)
    return services.store_text(
        get_vault(db),
        respondent,
        text,
        current_user,
        lambda stored: services.begin(
            db, study, current_user, respondent, recording_id, stored, source
        ),
    )


def _withdrawn(study):
    get_session().rollback()
    flash(_("The respondent has withdrawn: nothing was stored."), "error")
    return redirect(url_for("transcripts.index", study_id=study.id), 303)


def _show_url(study, transcript_id: int, **args) -> str:
    return url_for("transcripts.show", study_id=study.id, transcript_id=transcript_id, **args)


def _index(study, form):
    """Render the transcripts page with its upload form."""
    return render_template(
        "transcripts/index.html",
        study=study,
        form=form,
        rows=services.transcripts(get_session(), study),
    )


def _allow_long_text() -> None:
    """Let the editor's one field hold a whole transcript (4 bytes a character at most)."""
    request.max_form_memory_size = 4 * formats.MAX_CHARS + 64 * 1024
    request.max_content_length = 4 * formats.MAX_CHARS + 128 * 1024


@bp.route("/studies/<int:study_id>/transcripts/new", methods=["GET", "POST"])
@login_required
def write(study_id: int):
    """Write a transcript here (from notes, or listening); it is stored encrypted."""
    _allow_long_text()
    study, _member = study_for_author(study_id)
    db = get_session()
    choices = services.transcribable(db, study)
    form = write_form(choices, services.recordings_of(db, study))
    if form.validate_on_submit():
        respondent = respondent_of(db, study, int(form.respondent.data))
        if respondent is None:
            abort(404)
        try:
            text = formats.checked(normalise(form.text.data))
            services.require_consented(db, respondent)
            version = _store(study, respondent, form, text, "typed")
        except UnreadableError as error:
            form.text.errors = [*form.text.errors, error.message]
        except (RespondentWithdrawnError, KeyDestroyedError):
            return _withdrawn(study)
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            flash(_("The transcript is stored, encrypted."), "success")
            return redirect(_show_url(study, version.transcript_id), 303)
    status = 400 if form.is_submitted() and form.errors else 200
    return render_template("transcripts/write.html", study=study, form=form), status


@bp.route("/studies/<int:study_id>/transcripts/<int:transcript_id>", methods=["GET", "POST"])
@login_required
def show(study_id: int, transcript_id: int):
    """Show a version of a transcript (the newest unless ?version=N); save the editor's text.

    Showing a version is one audit entry; saving makes the next version, refused when
    another was saved since the editor opened.
    """
    _allow_long_text()
    study, _member = study_for_author(study_id)
    db = get_session()
    transcript = services.transcript_of(db, study, transcript_id)
    if transcript is None:
        abort(404)
    form = EditForm()
    if form.validate_on_submit():
        saved = _save(study, transcript, form)
        if saved is not None:
            return saved
    return _transcript_page(study, transcript, form)


def _save(study, transcript, form):
    """Save the editor's text as the next version; return the answer, or None if refused."""
    db = get_session()
    vault = get_vault(db)
    respondent = db.get(Respondent, transcript.respondent_id)
    newest = services.versions(db, transcript)
    try:
        text = formats.checked(normalise(form.text.data))
        if newest and text == services.decrypt(vault, current_user, newest[0], purpose="compare"):
            flash(_("Nothing changed: no new version was saved."), "info")
            return redirect(_show_url(study, transcript.id), 303)
        services.store_text(
            vault,
            respondent,
            text,
            current_user,
            lambda stored: services.add_version(
                db, study, current_user, transcript, stored, base=int(form.base.data)
            ),
        )
    except UnreadableError as error:
        form.text.errors = [*form.text.errors, error.message]
        return None
    except (RespondentWithdrawnError, KeyDestroyedError):
        return _withdrawn(study)
    except UserError as error:
        db.rollback()
        show_user_error(form, error)
        return None
    flash(_("Saved as a new version, encrypted."), "success")
    return redirect(_show_url(study, transcript.id), 303)


def _transcript_page(study, transcript, form: EditForm):
    """Render a version of the transcript, the editor (on the newest) and the versions.

    A refused save shows the editor with the text sent and no decrypted text (nothing is
    read, so nothing is written to the audit log); the newest version is a link away.
    """
    db = get_session()
    versions = services.versions(db, transcript)
    if not versions:
        abort(404)
    refused = bool(form.errors)
    number, _draft = (None, False) if refused else requested_version()
    shown = (
        versions[0] if number is None else next((v for v in versions if v.number == number), None)
    )
    if shown is None:
        abort(404)
    turns = None
    if not refused:
        try:
            text = services.read_version(get_vault(db), study, current_user, transcript, shown)
        except KeyDestroyedError:
            abort(404)
        form.text.data = text
        turns = [split_turn(p) for p in paragraphs(text)]
    form.base.data = str(versions[0].number)
    respondent = db.get(Respondent, transcript.respondent_id)
    return render_template(
        "transcripts/show.html",
        study=study,
        transcript=transcript,
        code=respondent.code if respondent else "",
        form=form,
        shown=shown,
        newest=versions[0],
        versions=versions,
        turns=turns,
        authors=names(db, [v.created_by for v in versions if v.created_by]),
        sources=SOURCES,
    ), 400 if refused else 200


@bp.after_request
def no_proxy_buffering(response):
    """Ask a reverse proxy not to spool these pages to its disk (they carry plaintext)."""
    response.headers["X-Accel-Buffering"] = "no"
    return response
