"""Interview guide pages: the editor, import and export, interview mode, the appendix PDF."""

from __future__ import annotations

import json

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..db import get_session
from ..errors import UserError
from ..review import services as review
from ..studies.access import study_for_author, study_for_member, study_for_page
from ..studies.models import MemberRole
from ..studies.steps import STATUS_LABELS
from ..views import commit_change, file_response, render_form, show_user_error
from . import appendix, bp, edits, services
from .forms import PasteForm, guide_form


def _editor(study, member, form, paste_form=None, status: int | None = None):
    db = get_session()
    guide = services.document(db, study)
    state = review.step_state(db, study, services.STEP)
    response = render_form(
        "guide/edit.html",
        form,
        study=study,
        member=member,
        guide=guide,
        research_questions=study.question_list,
        uncovered=edits.uncovered(guide, study.question_list),
        total=edits.total_minutes(guide),
        state=state,
        status_labels=STATUS_LABELS,
        read_only=member.role is not MemberRole.AUTHOR or state.waiting_for_review,
        paste_form=paste_form or PasteForm(formdata=None),
        has_previous=services.can_undo(db, study),
    )
    return (response[0], status) if status else response


@bp.route("/studies/<int:study_id>/guide", methods=["GET", "POST"])
@login_required
def show(study_id: int):
    """Write the guide: its texts are saved as they are typed, its buttons change its parts."""
    study, member = study_for_page(study_id)
    db = get_session()
    guide = services.document(db, study)
    form = guide_form(guide, study.question_list)
    autosave = request.form.get("autosave") == "1"
    if form.validate_on_submit():
        # "question_down:s1:q2", or from a drag "move_question:s1:q2:s4/0".
        # An autosave never acts: a move left in the form by a drag is not done twice.
        asked = "" if autosave else request.form.get("action") or ""
        action, section, question, to = [*asked.split(":", 3), "", "", ""][:4]
        try:
            changed = services.save_guide(
                db, study, current_user, form.to_document(guide, study.question_list)
            )
            if action:
                changed = services.change(db, study, current_user, action, section, question, to)
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            if autosave:
                return jsonify(
                    saved=True,
                    overview=render_template(
                        "guide/_overview.html",
                        total=edits.total_minutes(changed),
                        research_questions=study.question_list,
                        uncovered=edits.uncovered(changed, study.question_list),
                    ),
                )
            if not action:
                flash(_("The guide is saved."), "success")
            anchor = edits.field_after(changed, action, section, question)
            return redirect(url_for("guide.show", study_id=study.id, _anchor=anchor))
    if autosave:
        return jsonify(
            saved=False, errors={k: [str(m) for m in v] for k, v in form.errors.items()}
        ), 400
    return _editor(study, member, form)


@bp.post("/studies/<int:study_id>/guide/undo")
@login_required
def undo(study_id: int):
    """Bring back the guide as it was before the last change."""
    study, _member = study_for_author(study_id)
    db = get_session()
    return commit_change(
        lambda: services.undo(db, study, current_user),
        _("The last change is undone."),
        url_for("guide.show", study_id=study.id),
    )


@bp.post("/studies/<int:study_id>/guide/import")
@login_required
def paste(study_id: int):
    """Add questions pasted as a numbered list, or replace the guide with a JSON export."""
    study, member = study_for_author(study_id)
    db = get_session()
    paste_form = PasteForm()
    if paste_form.validate_on_submit():
        text = (paste_form.pasted.data or "").strip()
        try:
            if text.startswith("{"):
                services.save_guide(db, study, current_user, _json(text))
            else:
                services.import_list(db, study, current_user, text)
            db.commit()
        except UserError as error:
            db.rollback()
            paste_form.pasted.errors = [*paste_form.pasted.errors, error.message]
        else:
            flash(_("The pasted questions are in the guide."), "success")
            return redirect(url_for("guide.show", study_id=study.id))
    guide = services.document(db, study)
    return _editor(study, member, guide_form(guide, study.question_list), paste_form, 400)


def _json(text: str) -> dict:
    try:
        return json.loads(text)
    except ValueError:
        raise UserError(_("This is not a guide exported as JSON."), field="pasted") from None


@bp.get("/studies/<int:study_id>/guide.json")
@login_required
def export(study_id: int):
    """Download the guide as JSON, to keep or to import into another study."""
    study, _member = study_for_member(study_id)
    guide = services.document(get_session(), study)
    return file_response(
        json.dumps(guide, ensure_ascii=False, indent=2).encode(),
        "application/json",
        f"guide-{study.id}.json",
        attachment=True,
    )


@bp.get("/studies/<int:study_id>/guide/interview")
@login_required
def interview(study_id: int):
    """Show the guide for use during an interview: one section at a time, nothing else."""
    study, _member = study_for_member(study_id)
    guide = services.document(get_session(), study)
    return render_template(
        "guide/interview.html", study=study, guide=guide, total=edits.total_minutes(guide)
    )


@bp.get("/studies/<int:study_id>/guide/appendix.pdf")
@login_required
def appendix_pdf(study_id: int):
    """Render the guide as the thesis appendix (?version=N or ?draft=1)."""
    study, _member = study_for_member(study_id)
    db = get_session()
    printed = appendix.render_guide(db, study)
    appendix.record_download(db, study, current_user, printed)
    db.commit()
    return file_response(printed.data, "application/pdf", printed.filename)
