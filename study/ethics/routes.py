"""Self-review pages: the overview with what the answers imply, one page per section, the PDF."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..db import get_session
from ..errors import UserError
from ..pdf import render_pdf
from ..review import services as review
from ..review.models import Outcome
from ..studies.access import study_for_member, study_for_page
from ..studies.models import MemberRole
from ..studies.steps import STATUS_LABELS
from ..views import file_response, render_form, show_user_error
from . import bp, questions, rules, services
from .document import ROUTE_LABELS, SEVERITY_LABELS, summary_context
from .forms import section_form

SECTION_KEYS = [section.key for section in questions.SECTIONS]


def _section(key: str) -> questions.Section:
    found = next((s for s in questions.SECTIONS if s.key == key), None)
    if found is None:
        abort(404)
    return found


def _next_section(key: str) -> str | None:
    """Return the key of the section after this one, or None after the last."""
    following = SECTION_KEYS.index(key) + 1
    return SECTION_KEYS[following] if following < len(SECTION_KEYS) else None


def _nothing_to_save(form, shown: list, given: dict) -> bool:
    """Tell whether a section was sent empty where nothing was answered before (and say so)."""
    sent = any(value or explanation for value, explanation in form.changes(shown).values())
    if sent or any(question.key in given for question in shown):
        return False
    form.form_errors.append(_("Answer at least one question before you save."))
    return True


def _implications(given: dict):
    """Return the warnings, the review route and the progress the answers lead to."""
    forbidden = services.sensitive_data_forbidden()
    return (
        rules.triggered(given, sensitive_data_forbidden=forbidden),
        rules.outcome(given, sensitive_data_forbidden=forbidden),
        questions.progress(given),
    )


@bp.get("/studies/<int:study_id>/ethics")
@login_required
def overview(study_id: int):
    """Show the self-review: progress per section, the warnings, the route, the next action."""
    study, member = study_for_member(study_id)
    db = get_session()
    given = services.answers(db, study)
    warnings, outcome, progress = _implications(given)
    return render_template(
        "ethics/overview.html",
        study=study,
        member=member,
        sections=questions.SECTIONS,
        progress=progress,
        warnings=warnings,
        outcome=outcome,
        missing=questions.missing(given),
        state=review.step_state(db, study, services.STEP),
        status_labels=STATUS_LABELS,
        route_labels=ROUTE_LABELS,
        severity_labels=SEVERITY_LABELS,
    )


@bp.route("/studies/<int:study_id>/ethics/<section>", methods=["GET", "POST"])
@login_required
def section(study_id: int, section: str):
    """Answer one section's questions; each change is saved as it is made."""
    study, member = study_for_page(study_id)
    current = _section(section)
    db = get_session()
    given = services.answers(db, study)
    form, shown = section_form(current.key, given)
    autosave = request.form.get("autosave") == "1"
    if form.validate_on_submit() and not _nothing_to_save(form, shown, given):
        try:
            given = services.save_answers(db, study, current_user, form.changes(shown))
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            if autosave:
                done, total = questions.progress(given)[current.key]
                shown = [q.key for q in questions.visible(given) if q.section == current.key]
                return jsonify(saved=True, answered=done, total=total, visible=shown)
            flash(_("Your answers are saved."), "success")
            following = _next_section(current.key)
            if following and request.form.get("next"):
                return redirect(url_for("ethics.section", study_id=study.id, section=following))
            return redirect(url_for("ethics.overview", study_id=study.id))
    if autosave and form.errors:
        return jsonify(
            saved=False, errors={k: [str(m) for m in v] for k, v in form.errors.items()}
        ), 400
    warnings, _outcome, progress = _implications(given)
    return render_form(
        "ethics/section.html",
        form,
        study=study,
        member=member,
        section=current,
        sections=questions.SECTIONS,
        questions=shown,
        visible={q.key for q in questions.visible(given)},
        warnings_at={q.key: [w for w in warnings if q.key in w.questions] for q in shown},
        progress=progress,
        read_only=member.role is not MemberRole.AUTHOR
        or review.step_state(db, study, services.STEP).waiting_for_review,
        next_section=_next_section(current.key),
    )


@bp.get("/studies/<int:study_id>/ethics/summary.pdf")
@login_required
def summary_pdf(study_id: int):
    """Render the self-review as PDF: a version (?version=N, default the newest), or the draft.

    The draft is what the student is editing now (?draft=1, or while nothing is submitted).

    Every page of a version that is not approved, and of the draft, says "Draft".
    """
    study, _member = study_for_member(study_id)
    db = get_session()
    history = review.history(db, study, services.STEP)
    asked = request.args.get("version")
    if asked is not None and not asked.isdigit():
        abort(404)
    number = int(asked) if asked else None
    if request.args.get("draft"):
        chosen = []
    else:
        chosen = [(v, d) for v, d in history if number is None or v.number == number][:1]
        if number is not None and not chosen:
            abort(404)
    version, decision = chosen[0] if chosen else (None, None)
    document = version.content if version else services.document(db, study)
    approved = decision is not None and decision.outcome is Outcome.APPROVED
    shown = [(v, d) for v, d in reversed(history) if version is None or v.number <= version.number]
    pdf = render_pdf(
        "ethics_summary",
        title=study.title,
        draft=not approved,
        **summary_context(db, study, version, document, shown),
    )
    name = f"self-review-{study.id}" + (f"-v{version.number}" if version else "-draft")
    return file_response(pdf, "application/pdf", f"{name}.pdf")
