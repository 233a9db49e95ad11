"""Recording pages: the list and the upload (streamed, encrypted as it arrives), playback."""

from __future__ import annotations

import time
from contextlib import ExitStack

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wsgi import FileWrapper

from .. import sealed_session
from ..db import get_session
from ..errors import UserError
from ..extensions import csrf
from ..respondents.models import Respondent
from ..respondents.services import respondent_of
from ..studies.access import study_for_author
from ..uploads import FilePart, UploadRefusedError, read_upload, streams_upload
from ..vault.errors import KeyDestroyedError, RespondentWithdrawnError
from ..vault.service import get_vault
from ..views import show_user_error
from . import bp, services
from .forms import upload_form

#: A playback session: the page that plays a recording opens it, its Range requests use it.
PLAYBACK = "recording_playback"
#: How long a playback session lasts.
PLAYBACK_SECONDS = 2 * 60 * 60
CHUNK = 64 * 1024


@bp.route("/studies/<int:study_id>/recordings", methods=["GET", "POST"])
@csrf.exempt
@streams_upload
@login_required
def index(study_id: int):
    """List the study's recordings; upload one, encrypted while it streams in.

    The body is read as it arrives (study/uploads.py): the form's fields, CSRF token
    included, are checked before the file's first byte is taken, the file's first bytes
    must be a recording's, and the respondent's consent is checked again under their lock
    just before the upload commits.
    """
    study, _member = study_for_author(study_id)
    db = get_session()
    choices = services.recordable(db, study)
    if request.method == "GET":
        return _page(study, upload_form(choices))
    request.max_content_length = current_app.config["RECORDING_MAX_BYTES"] + 64 * 1024
    held: dict = {}
    vault = get_vault(db)
    try:
        with ExitStack() as stack:

            def begin_file(fields: MultiDict, part: FilePart):
                """Check the choice sent before the file; then encrypt the file as it comes."""
                form = held["form"] = upload_form(choices, formdata=fields)
                respondent = _chosen(form, study, part)
                sink = held["sink"] = services.SniffingSink(None)
                sink.sink = stack.enter_context(
                    vault.upload(
                        respondent,
                        kind=services.KIND,
                        actor_id=current_user.id,
                        before_commit=lambda stored: _recorded(db, study, respondent, stored, sink),
                    )
                )
                return sink

            upload = read_upload(
                request,
                max_size=current_app.config["RECORDING_MAX_BYTES"],
                begin_file=begin_file,
                file_field="recording",
            )
            if "sink" not in held or upload.size == 0:
                form = held.get("form") or upload_form(choices, formdata=upload.fields)
                if form.validate():
                    form.recording.errors = [_("Choose the recording to upload.")]
                held["form"] = form
                raise UploadRefusedError
            held["sink"].require_format()
    except UploadRefusedError:
        db.rollback()
        form = held.get("form") or upload_form(choices)
        if "sink" in held and not form.errors:
            form.recording.errors = [
                _(
                    "This file is not a recording the app takes (wav, mp3, m4a, ogg, opus, flac, webm)."
                )
            ]
        return _page(study, form), 400
    except (RespondentWithdrawnError, KeyDestroyedError):
        db.rollback()
        flash(_("The respondent has withdrawn: nothing was stored."), "error")
        return redirect(url_for("recordings.index", study_id=study.id), 303)
    except UserError as error:
        db.rollback()
        form = held.get("form") or upload_form(choices)
        show_user_error(form, error)
        return _page(study, form), 400
    recording = held["sink"].recording
    services.measure(vault, recording, current_user)
    db.commit()
    flash(_("The recording is stored, encrypted."), "success")
    # To the list, not the player: opening the player is a playback, and is audited as one.
    return redirect(url_for("recordings.index", study_id=study.id), 303)


def _chosen(form, study, part: FilePart):
    """Return the respondent a valid form chose, whose consent covers recording.

    :raises UploadRefusedError: with the form's messages set, when anything is not right.
    """
    if not form.validate():
        raise UploadRefusedError
    if not part.filename:
        form.recording.errors = [_("Choose the recording to upload.")]
        raise UploadRefusedError
    respondent = respondent_of(get_session(), study, int(form.respondent.data))
    if respondent is None:
        raise UploadRefusedError
    try:
        services.require_covered(get_session(), respondent)
    except UserError as error:
        show_user_error(form, error)
        raise UploadRefusedError from None
    return respondent


def _recorded(db, study, respondent, stored, sink: services.SniffingSink):
    """Write the recording's row in the upload's own transaction (see the vault's upload)."""
    found = sink.require_format()
    held_recording = services.record(
        db, study, current_user, respondent, stored, found, video=sink.video
    )
    sink.recording = held_recording
    return held_recording


def _page(study, form):
    """Render the recordings page with its upload form."""
    return render_template(
        "recordings/index.html",
        study=study,
        form=form,
        rows=services.recordings(get_session(), study),
    )


@bp.get("/studies/<int:study_id>/recordings/<int:recording_id>")
@login_required
def play(study_id: int, recording_id: int):
    """Play a recording in the browser; opening the page is the playback's one audit entry."""
    study, _member = study_for_author(study_id)
    db = get_session()
    recording = services.recording_of(db, study, recording_id)
    if recording is None:
        abort(404)
    _require_consent(db, recording)
    services.start_playback(db, study, current_user, recording)
    db.commit()
    sealed_session.put(
        PLAYBACK,
        {"recording": recording.id, "until": time.time() + PLAYBACK_SECONDS},
        bound_to=_listener(recording),
    )
    return render_template("recordings/play.html", study=study, recording=recording)


def _listener(recording) -> str:
    return f"user:{current_user.id}:recording:{recording.id}"


@bp.get("/studies/<int:study_id>/recordings/<int:recording_id>/audio")
@login_required
def audio(study_id: int, recording_id: int):
    """Stream the recording to the player, by Range: only the chunks asked for are decrypted."""
    study, _member = study_for_author(study_id)
    db = get_session()
    recording = services.recording_of(db, study, recording_id)
    if recording is None:
        abort(404)
    playback = sealed_session.get(PLAYBACK, bound_to=_listener(recording))
    if playback is None or not time.time() < float(playback.get("until", 0)):
        # Only a playback session opened by the page (and written to the audit log) plays,
        # and only for a while.
        abort(403)
    _require_consent(db, recording)
    return _ranged(db, recording)


def _require_consent(db, recording) -> None:
    """Refuse a recording whose respondent's consent in force no longer covers it (403)."""
    respondent = db.get(Respondent, recording.respondent_id)
    if respondent is None or not services.covers_recording(db, respondent):
        abort(403)


def _ranged(db, recording, *, attachment: bool = False):
    """Answer with the recording's plaintext, whole or the Range asked for."""
    try:
        reader, media_type = services.open_for_playback(get_vault(db), recording)
    except KeyDestroyedError:
        abort(404)
    # Werkzeug's own FileWrapper, not the server's wsgi.file_wrapper: gunicorn's cannot seek,
    # and a Range would then be reached by decrypting everything before it.
    response = Response(
        FileWrapper(reader, buffer_size=CHUNK), mimetype=media_type, direct_passthrough=True
    )
    response.headers["Cache-Control"] = "no-store"
    if attachment:
        response.headers["Content-Disposition"] = (
            f'attachment; filename="recording-{recording.id}.{recording.format}"'
        )
    return response.make_conditional(request, accept_ranges=True, complete_length=reader.size)


@bp.get("/studies/<int:study_id>/recordings/<int:recording_id>/download")
@login_required
def download(study_id: int, recording_id: int):
    """Download the original recording (the study's authors); the download is audited."""
    study, _member = study_for_author(study_id)
    db = get_session()
    recording = services.recording_of(db, study, recording_id)
    if recording is None:
        abort(404)
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        # A link on another site must not make an author's browser fetch (and log) a download.
        abort(403)
    _require_consent(db, recording)
    services.record_download(db, study, current_user, recording)
    db.commit()
    return _ranged(db, recording, attachment=True)


@bp.after_request
def no_proxy_buffering(response):
    """Ask a reverse proxy not to spool these pages to its disk (they carry plaintext)."""
    response.headers["X-Accel-Buffering"] = "no"
    return response
