"""Consent given on paper: the ticked items, the language and date, and the scan, streamed.

The body is read as it streams in (study/uploads.py): the fields, CSRF token included, are
checked before the first byte of the scan is taken, and the vault encrypts the scan as it
arrives. A withdrawal that comes in while the scan streams wins: the upload is refused at its
end and nothing of it stays.
"""

from __future__ import annotations

from contextlib import ExitStack

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from ..consent import services as consent
from ..db import get_session
from ..errors import UserError
from ..extensions import csrf
from ..studies.access import study_for_author
from ..uploads import FilePart, UploadRefusedError, read_upload, streams_upload
from ..vault.errors import KeyDestroyedError, RespondentWithdrawnError
from ..vault.service import get_vault
from ..views import show_user_error
from . import bp
from .forms import paper_consent_form
from .routes import respondent_in

#: The kinds of scan a paper consent may come as.
SCAN_TYPES = {"application/pdf", "image/jpeg", "image/png"}
SCAN_MAX_SIZE = 20 * 1024 * 1024


@bp.route("/studies/<int:study_id>/respondents/<int:respondent_id>/paper", methods=["GET", "POST"])
@csrf.exempt
@streams_upload
@login_required
def paper(study_id: int, respondent_id: int):
    """Register a consent given on paper, with the scan of the signed form stored encrypted.

    The body is read as it streams in (study/uploads.py): the fields, CSRF token included,
    are checked before the first byte of the scan is taken, and the scan is encrypted as it
    arrives.
    """
    study, _member = study_for_author(study_id)
    respondent = respondent_in(study, respondent_id)
    db = get_session()
    back = url_for("respondents.index", study_id=study.id)
    documents = consent.approved_documents(db, study)
    if documents is None or respondent.withdrawn_at is not None:
        flash(
            _(
                "A consent can be registered only while the study is recruiting and for a respondent who has not withdrawn."
            ),
            "error",
        )
        return redirect(back, 303)
    if request.method == "GET":
        form = paper_consent_form(documents)
        return render_template(
            "respondents/paper.html", form=form, study=study, respondent=respondent
        )
    request.max_content_length = SCAN_MAX_SIZE + 64 * 1024
    held: dict = {}
    vault = get_vault(db)
    try:
        with ExitStack() as stack:

            def begin_file(fields: MultiDict, part: FilePart):
                """Check the fields sent before the scan; then encrypt the scan as it comes."""
                form = held["form"] = paper_consent_form(documents, formdata=fields)
                answers = _paper_answers(form, documents, part)
                held["upload"] = stack.enter_context(
                    vault.upload(
                        respondent,
                        kind="consent_scan",
                        media_type=part.media_type,
                        actor_id=current_user.id,
                        # The record is written in the scan's own transaction: a scan
                        # without its record, or a record without its scan, never stays.
                        before_commit=lambda scan: consent.register_paper(
                            db,
                            study,
                            current_user,
                            respondent,
                            documents,
                            language=form.language.data,
                            answers=answers,
                            signed_on=form.signed_on.data,
                            scan_id=scan.id,
                        ),
                    )
                )
                return held["upload"]

            upload = read_upload(
                request, max_size=SCAN_MAX_SIZE, begin_file=begin_file, file_field="scan"
            )
            if "upload" not in held or upload.size == 0:
                form = held.get("form") or paper_consent_form(documents, formdata=upload.fields)
                if form.validate():
                    form.scan.errors = [_("Choose the scan of the signed form.")]
                held["form"] = form
                raise UploadRefusedError
    except UploadRefusedError:
        db.rollback()
        return render_template(
            "respondents/paper.html", form=held["form"], study=study, respondent=respondent
        ), 400
    except (RespondentWithdrawnError, KeyDestroyedError):
        db.rollback()
        flash(_("%(code)s has withdrawn: nothing was stored.", code=respondent.code), "error")
        return redirect(back, 303)
    except UserError as error:
        # Refused under the respondent's lock (withdrawn meanwhile, the gate closed): the
        # vault has removed the scan with the transaction.
        db.rollback()
        flash(error.message, "error")
        return redirect(back, 303)
    flash(_("The consent of %(code)s is registered.", code=respondent.code), "success")
    return redirect(back, 303)


def _paper_answers(form, documents, part: FilePart) -> dict:
    """Return the ticked items of a valid paper-consent form with an acceptable scan.

    :raises UploadRefusedError: with the form's messages set, when anything is not right.
    """
    if not form.validate():
        raise UploadRefusedError
    if not part.filename:
        form.scan.errors = [_("Choose the scan of the signed form.")]
        raise UploadRefusedError
    if part.media_type not in SCAN_TYPES:
        form.scan.errors = [_("The scan must be a PDF, JPEG or PNG file.")]
        raise UploadRefusedError
    answers = {key: form[name].data for name, key in form.item_keys.items()}
    try:
        consent.check_signed_on(documents, form.signed_on.data)
        consent.check_answers(
            documents, language=form.language.data, answers=answers, names={}, signed=False
        )
    except UserError as error:
        show_user_error(form, error)
        raise UploadRefusedError from None
    return answers
