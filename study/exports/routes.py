"""Export pages: ask for an archive, follow its progress, download or delete it."""

from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wsgi import FileWrapper

from ..db import get_session
from ..errors import UserError
from ..forms import BaseForm
from ..studies.access import study_for_member
from ..views import show_user_error
from . import bp, services
from .forms import ExportForm
from .models import ExportState

CHUNK = 1 << 20


@bp.route("/studies/<int:study_id>/exports", methods=["GET", "POST"])
@login_required
def index(study_id: int):
    """List the member's exports of the study; start a new one, written in the background."""
    study, _member = study_for_member(study_id)
    db = get_session()
    form = ExportForm()
    may_raw = services.may_export_raw(db, study, current_user)
    if not may_raw:
        del form.raw
    if form.validate_on_submit():
        try:
            export, _planned = services.start(
                db,
                study,
                current_user,
                raw=bool(may_raw and form.raw.data),
                protection=form.protection.data,
            )
        except UserError as error:
            show_user_error(form, error)
        else:
            db.commit()
            services.launch(export.id, form.recipients(), str(get_locale()))
            flash(_("The export has started. This page shows how far it has come."), "success")
            return redirect(url_for("exports.index", study_id=study.id))
    return render_template(
        "exports/index.html",
        study=study,
        form=form,
        exports=services.exports_of(db, study, current_user),
        pseudonymized=len(services.plan(db, study, raw=False)),
        state_of=services.state_of,
        progress_of=services.progress_of,
        States=ExportState,
        delete_form=BaseForm(),
    ), (400 if form.submitted_invalid else 200)


@bp.get("/studies/<int:study_id>/exports/<int:export_id>/progress")
@login_required
def progress(study_id: int, export_id: int):
    """Tell the page how far an export has come (JSON; the page polls while it runs)."""
    study, _member = study_for_member(study_id)
    export = services.export_of(get_session(), study, current_user, export_id)
    if export is None:
        abort(404)
    response = jsonify(services.progress_of(export))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/studies/<int:study_id>/exports/<int:export_id>/download")
@login_required
def download(study_id: int, export_id: int):
    """Download a ready archive (its owner only): ciphertext, which only their key opens."""
    study, _member = study_for_member(study_id)
    db = get_session()
    export = services.export_of(db, study, current_user, export_id)
    if export is None:
        abort(404)
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        abort(403)
    try:
        source = services.open_archive(db, export, current_user)
    except UserError:
        abort(404)
    day = export.created_at.strftime("%Y-%m-%d")
    response = Response(
        FileWrapper(source, buffer_size=CHUNK),
        mimetype="application/octet-stream",
        direct_passthrough=True,
    )
    response.headers["Content-Length"] = str(export.size)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="intervjustudie-{study.id}-{day}-{export.id}.zip.age"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/studies/<int:study_id>/exports/<int:export_id>/delete")
@login_required
def delete(study_id: int, export_id: int):
    """Delete an archive now (or stop one being written)."""
    study, _member = study_for_member(study_id)
    db = get_session()
    export = services.export_of(db, study, current_user, export_id)
    if export is None:
        abort(404)
    if not BaseForm().validate_on_submit():
        abort(400)
    services.delete(db, export, current_user)
    db.commit()
    flash(_("The export was deleted."), "success")
    return redirect(url_for("exports.index", study_id=study.id))
