"""Consent form pages: generate it, write its items and words per language, the blank PDF."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..db import get_session
from ..errors import UserError
from ..review import services as review
from ..studies.access import study_for_author, study_for_member, study_for_page
from ..studies.steps import STATUS_LABELS
from ..views import render_form, show_user_error
from . import bp, consent_form, document, languages, services
from .drafts import CONSENT_FORM
from .forms import ActionForm, consent_language_form
from .routes import act, pdf_download, read_only_for


@bp.route("/studies/<int:study_id>/consent-form", methods=["GET", "POST"], endpoint="consent_form")
@login_required
def consent_form_page(study_id: int):
    """Write the consent form: its items and words in one language at a time (?lang=)."""
    study, member = study_for_page(study_id)
    db = get_session()
    current = document.form_document(db, study)
    code = request.args.get("lang") or (current["languages"][0] if current["languages"] else "")
    if current["languages"] and code not in current["languages"]:
        abort(404)
    form = consent_language_form(current, code) if current["languages"] else None
    if form is not None and form.validate_on_submit():
        try:
            consent_form.save_language(
                db,
                study,
                current_user,
                code,
                form.labels(),
                form.texts([i["key"] for i in current["items"]]),
            )
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            flash(_("The consent form is saved."), "success")
            return redirect(url_for("letters.consent_form", study_id=study.id, lang=code))
    elif form is None and request.method == "POST":
        abort(404)
    required = consent_form.required_keys(current["needs"])
    return render_form(
        "letters/consent_form.html",
        form or ActionForm(),
        study=study,
        member=member,
        code=code,
        current=current,
        missing=[k for k in required if k not in {i["key"] for i in current["items"]}],
        problems=document.form_incomplete(current),
        state=review.step_state(db, study, CONSENT_FORM),
        status_labels=STATUS_LABELS,
        read_only=read_only_for(db, study, member, CONSENT_FORM),
        letter_begun=bool(services.letter(db, study)),
        action=ActionForm(),
        names=languages.name,
        direction=languages.direction(code) if code else "ltr",
        required=required,
    )


@bp.post("/studies/<int:study_id>/consent-form/generate")
@login_required
def generate_form(study_id: int):
    """Generate the consent form from the study."""
    study, _member = study_for_author(study_id)
    return act(
        study,
        lambda db, _form: consent_form.create(db, study, current_user),
        _("The consent form is written from your study. Read it and add what you need."),
        target="letters.consent_form",
    )


@bp.post("/studies/<int:study_id>/consent-form/items")
@login_required
def add_item(study_id: int):
    """Add an item of the student's own (or, with ?missing=1, the ones the study calls for)."""
    study, _member = study_for_author(study_id)
    missing = bool(request.args.get("missing"))
    add = consent_form.add_missing_items if missing else consent_form.add_item
    done = (
        _("The items the self-review calls for are added.")
        if missing
        else _("An empty item is added: write it in every language.")
    )
    return act(
        study, lambda db, _form: add(db, study, current_user), done, target="letters.consent_form"
    )


@bp.post("/studies/<int:study_id>/consent-form/items/remove")
@login_required
def remove_item(study_id: int):
    """Remove an item of the student's own, or one the study no longer calls for."""
    study, _member = study_for_author(study_id)
    return act(
        study,
        lambda db, form: consent_form.remove_item(db, study, current_user, form.item.data),
        _("The item is removed."),
        target="letters.consent_form",
    )


@bp.get("/studies/<int:study_id>/consent-form.pdf")
@login_required
def consent_pdf(study_id: int):
    """Render the blank consent form for paper consent: ?lang=, ?version=N or ?draft=1."""
    study, _member = study_for_member(study_id)
    return pdf_download(study, CONSENT_FORM)
