"""Letter pages: generate, write each language with its checks, preview, PDF.

The consent form's pages are in consent_routes.py and share the helpers here.
"""

from __future__ import annotations

from flask import Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..db import get_session
from ..errors import UserError
from ..review import services as review
from ..studies.access import study_for_author, study_for_member, study_for_page
from ..studies.models import MemberRole
from ..studies.steps import STATUS_LABELS
from ..views import commit_change, file_response, render_form, show_user_error
from . import bp, checks, document, languages, pdfs, services
from .drafts import LETTER
from .forms import (
    ActionForm,
    GenerateForm,
    LanguageForm,
    letter_form,
)
from .generate import GENERATED
from .sections import SECTIONS_BY_KEY


def act(study, operation, done: str | None, *, target: str = "letters.overview", **values):
    """Run a change from a button: commit and say so, or roll back and say why."""
    db = get_session()
    form = ActionForm()
    if not form.validate_on_submit():
        flash(_("The form had expired. Send it again."), "error")
        return redirect(url_for(target, study_id=study.id, **values)), 303
    back = url_for(target, study_id=study.id, **values)
    return commit_change(lambda: operation(db, form), done, back)


def read_only_for(db, study, member, step: str) -> bool:
    """Tell whether a step's page is read only: for the supervisor, or while it waits."""
    return (
        member.role is not MemberRole.AUTHOR
        or review.step_state(db, study, step).waiting_for_review
    )


@bp.get("/studies/<int:study_id>/letter")
@login_required
def overview(study_id: int):
    """Show the letter: its languages and their checks, what the self-review adds, the next step."""
    study, member = study_for_member(study_id)
    db = get_session()
    current = document.letter_document(db, study)
    reports = {code: document.report(current, code) for code in current["languages"]}
    return render_template(
        "letters/overview.html",
        study=study,
        member=member,
        current=current,
        reports=reports,
        problems=document.letter_incomplete(current, reports) if reports else [],
        state=review.step_state(db, study, LETTER),
        status_labels=STATUS_LABELS,
        read_only=read_only_for(db, study, member, LETTER),
        generate_form=GenerateForm(),
        language_form=LanguageForm(),
        action=ActionForm(),
        names=languages.name,
        sections=SECTIONS_BY_KEY,
    )


@bp.post("/studies/<int:study_id>/letter/generate")
@login_required
def generate(study_id: int):
    """Generate the letter from the plan and the self-review."""
    study, _member = study_for_author(study_id)
    db = get_session()
    form = GenerateForm()
    if form.validate_on_submit():
        try:
            services.create(db, study, current_user, form.languages.data)
            db.commit()
        except (UserError, IntegrityError) as error:
            db.rollback()
            message = (
                error.message
                if isinstance(error, UserError)
                else _("The letter was just generated.")
            )
            flash(message, "error")
            return redirect(url_for("letters.overview", study_id=study.id)), 303
        flash(
            _(
                "The letter is written from your plan and self-review. Read it and make it your own."
            ),
            "success",
        )
        return redirect(url_for("letters.edit", study_id=study.id, code=form.languages.data[0]))
    flash(" ".join(str(m) for messages in form.errors.values() for m in messages), "error")
    return redirect(url_for("letters.overview", study_id=study.id)), 303


@bp.post("/studies/<int:study_id>/letter/languages")
@login_required
def add_language(study_id: int):
    """Add a language to the letter and the consent form."""
    study, _member = study_for_author(study_id)
    db = get_session()
    form = LanguageForm()
    if form.validate_on_submit() and form.code():
        try:
            code = services.add_language(db, study, current_user, form.code())
            db.commit()
        except UserError as error:
            db.rollback()
            flash(error.message, "error")
            return redirect(url_for("letters.overview", study_id=study.id)), 303
        flash(_("%(language)s is added.", language=languages.name(code)), "success")
        return redirect(url_for("letters.edit", study_id=study.id, code=code))
    flash(_("Choose a language from the list, or a language code such as “so”."), "error")
    return redirect(url_for("letters.overview", study_id=study.id)), 303


@bp.post("/studies/<int:study_id>/letter/languages/remove")
@login_required
def remove_language(study_id: int):
    """Remove a language from the letter and the consent form."""
    study, _member = study_for_author(study_id)
    return act(
        study,
        lambda db, form: services.remove_language(db, study, current_user, form.language.data),
        _("The language is removed."),
    )


@bp.post("/studies/<int:study_id>/letter/sections")
@login_required
def add_sections(study_id: int):
    """Add the sections the self-review calls for and the letter lacks."""
    study, _member = study_for_author(study_id)
    return act(
        study,
        lambda db, _form: services.add_missing_sections(db, study, current_user),
        _("The sections the self-review calls for are added."),
    )


@bp.post("/studies/<int:study_id>/letter/sections/remove")
@login_required
def remove_section(study_id: int):
    """Remove a section the self-review no longer calls for."""
    study, _member = study_for_author(study_id)
    return act(
        study,
        lambda db, form: services.remove_section(
            db, study, current_user, form.audience.data, form.section.data
        ),
        _("The section is removed."),
    )


def _language(db, study, code: str) -> dict:
    written = services.letter(db, study)
    if not written or code not in written["languages"]:
        abort(404)
    return written


@bp.route("/studies/<int:study_id>/letter/<code>", methods=["GET", "POST"])
@login_required
def edit(study_id: int, code: str):
    """Write one language's letter, with what each section must say and the checks beside it."""
    study, member = study_for_page(study_id)
    db = get_session()
    written = _language(db, study, code)
    keys = [
        (audience, key)
        for audience in ("main", "child")
        for key in written["letters"][code].get(audience, {})
    ]
    form = letter_form(written["letters"][code], keys)
    autosave = request.form.get("autosave") == "1"
    if form.validate_on_submit():
        try:
            services.save_language(
                db, study, current_user, code, form.title.data or "", form.sections(keys)
            )
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            if autosave:
                panels, summary = _panels(db, study, code)
                return jsonify(saved=True, checks=panels, summary=summary)
            flash(_("The letter is saved."), "success")
            return redirect(url_for("letters.edit", study_id=study.id, code=code))
    if autosave:
        errors = {k: [str(m) for m in v] for k, v in form.errors.items()}
        errors.update({"": [str(m) for m in form.form_errors]} if form.form_errors else {})
        return jsonify(saved=False, errors=errors), 400
    current = document.letter_document(db, study)
    return render_form(
        "letters/edit.html",
        form,
        study=study,
        member=member,
        code=code,
        direction=languages.direction(code),
        current=current,
        report=document.report(current, code),
        source=_source(current, code),
        generated=code in GENERATED,
        read_only=read_only_for(db, study, member, LETTER),
        action=ActionForm(),
        names=languages.name,
        sections=SECTIONS_BY_KEY,
    )


def _source(current: dict, code: str) -> tuple[str, dict] | None:
    """Return the generated language a translator works from, when writing another one."""
    if code in GENERATED:
        return None
    for other in current["languages"]:
        if other in GENERATED:
            return other, current["letters"][other]
    return None


def _panels(db, study, code: str) -> tuple[dict[str, str], str]:
    """Render each section's checks and the whole letter's, and say in short what is left."""
    current = document.letter_document(db, study)
    report = document.report(current, code)
    panels = {
        f"checks-{s.audience}-{s.key}": render_template(
            "letters/_section_checks.html", section=s, sections=SECTIONS_BY_KEY, code=code
        )
        for s in report.sections
    }
    panels["checks-letter"] = render_template(
        "letters/_letter_checks.html", report=report, names=languages.name, sections=SECTIONS_BY_KEY
    )
    left = len(report.problems) + sum(len(s.findings) for s in report.sections)
    summary = (
        ngettext(
            "%(num)d thing to look at in this language.",
            "%(num)d things to look at in this language.",
            left,
        )
        if left
        else _("Nothing left to look at in this language.")
    )
    return panels, summary


@bp.post("/studies/<int:study_id>/letter/<code>/regenerate")
@login_required
def regenerate(study_id: int, code: str):
    """Write one section again from the plan and the self-review."""
    study, _member = study_for_author(study_id)
    return act(
        study,
        lambda db, form: services.regenerate_section(
            db, study, current_user, code, *_section_named(form.section.data)
        ),
        _("The section is written again from your plan and self-review."),
        target="letters.edit",
        code=code,
    )


def _section_named(value: str | None) -> tuple[str, str]:
    """Return (audience, key) from a regenerate button's value, "main:request"."""
    audience, _colon, key = (value or "").partition(":")
    return audience, key


@bp.get("/studies/<int:study_id>/letter/<code>/preview")
@login_required
def preview(study_id: int, code: str):
    """Show one language's letter as respondents will read it (the draft, or ?version=N)."""
    study, member = study_for_member(study_id)
    db = get_session()
    shown, version, approved = pdfs.chosen(db, study, LETTER)
    if code not in shown["languages"]:
        abort(404)
    return render_template(
        "letters/preview.html",
        study=study,
        member=member,
        code=code,
        letter=pdfs.letter_context(shown, code),
        version=version,
        approved=approved,
        names=languages.name,
        direction=languages.direction(code),
    )


@bp.get("/studies/<int:study_id>/letter.pdf")
@login_required
def letter_pdf(study_id: int):
    """Render the letter as PDF: ?lang= (default the first), ?version=N or ?draft=1."""
    study, _member = study_for_member(study_id)
    return pdf_download(study, LETTER)


def pdf_download(study, step: str) -> Response:
    """Answer with the letter's or the form's PDF, its download audited."""
    db = get_session()
    printed = pdfs.render(db, study, step)
    pdfs.record_download(db, study, current_user, step, printed)
    db.commit()
    return file_response(printed.data, "application/pdf", printed.filename)


@bp.app_template_filter("lix_band")
def lix_band_filter(value: float):
    """Name the readability band of a LIX value."""
    return checks.lix_band(value)
