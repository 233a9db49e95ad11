"""Appendix pages: choose the appendices, download them as one PDF, the guide as DOCX."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import audit
from ..db import get_session
from ..errors import UserError
from ..review import services as review
from ..studies.access import study_for_member, study_for_page
from ..studies.models import MemberRole
from ..views import file_response, render_form, show_user_error
from . import bp, bundle, settings, word
from .forms import PART_NAMES, appendix_form

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@bp.route("/studies/<int:study_id>/appendices", methods=["GET", "POST"])
@login_required
def show(study_id: int):
    """Choose the appendices, their order, labels and titles; see what each will show."""
    study, member = study_for_page(study_id)
    db = get_session()
    plan = settings.plan(db, study)
    form = appendix_form(plan)
    if form.validate_on_submit():
        chosen = form.chosen()
        # Words left as the old language's defaults follow the language chosen now.
        old = {p["part"]: p for p in settings.defaults(plan["language"])["parts"]}
        for p in chosen["parts"]:
            for key in ("label", "title"):
                if p[key] == old[p["part"]][key]:
                    p[key] = ""
        try:
            settings.save(db, study, current_user, chosen)
        except UserError as error:
            db.rollback()
            show_user_error(form, error)
        else:
            db.commit()
            flash(_("The appendices are saved."), "success")
            return redirect(url_for("appendices.show", study_id=study.id))
    return render_form(
        "appendices/show.html",
        form,
        study=study,
        member=member,
        plan=plan,
        parts=bundle.parts(db, study),
        names=PART_NAMES,
        read_only=member.role is not MemberRole.AUTHOR,
    )


@bp.get("/studies/<int:study_id>/appendices.pdf")
@login_required
def bundle_pdf(study_id: int):
    """Download the chosen appendices as one PDF, or one of them (?part=guide|letter|…)."""
    study, _member = study_for_member(study_id)
    only = request.args.get("part")
    if only is not None and only not in settings.PARTS:
        abort(404)
    db = get_session()
    if not bundle.parts(db, study, only):
        flash(
            _("Nothing to show yet: write the guide, the letter or the consent form first."),
            "error",
        )
        return redirect(url_for("appendices.show", study_id=study.id)), 303
    data, shown = bundle.render(db, study, only)
    audit.record(
        db,
        "appendices.pdf_downloaded",
        actor_id=current_user.id,
        study_id=study.id,
        subject=f"study:{study.id}",
        parts=[f"{p.part}:{p.version or 'draft'}" for p in shown],
    )
    db.commit()
    name = f"appendix-{only}" if only else "appendices"
    return file_response(data, "application/pdf", f"{name}-{study.id}.pdf", attachment=True)


@bp.get("/studies/<int:study_id>/guide.docx")
@login_required
def guide_docx(study_id: int):
    """Download the guide's appendix as a Word document (the newest version, or the draft)."""
    study, _member = study_for_member(study_id)
    db = get_session()
    guide, version, approved = review.shown_version(db, study, "guide")
    with force_locale(settings.plan(db, study)["language"]):
        mark = None if approved else _("Draft")
    data = word.guide_docx(guide, settings.heading(db, study, "guide"), draft_mark=mark)
    number = version.number if version else None
    audit.record(
        db,
        "guide.docx_downloaded",
        actor_id=current_user.id,
        study_id=study.id,
        subject=f"step_version:{version.id}" if version else f"study:{study.id}",
        number=number,
    )
    db.commit()
    suffix = f"-v{number}" if number else "-draft"
    return file_response(data, DOCX, f"guide-{study.id}{suffix}.docx", attachment=True)
