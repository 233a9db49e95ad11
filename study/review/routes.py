"""Review pages: a step's versions and decisions, submitting, deciding, the supervisor's list."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Role
from ..authz import role_required
from ..db import get_session
from ..errors import UserError
from ..studies.access import study_for_author, study_for_member
from ..studies.models import MemberRole
from ..studies.steps import STATUS_LABELS, STEPS_BY_KEY
from ..views import show_user_error
from . import bp, notices, services, supervision
from .diff import compare
from .documents import provider
from .forms import SubmitForm, decision_form
from .models import Outcome


def _source(step: str):
    """Return the step's document, or 404 for a step that is not reviewed."""
    source = provider(step)
    if source is None:
        abort(404)
    return source


@bp.route("/studies/<int:study_id>/steps/<step>", methods=["GET"])
@login_required
def show(study_id: int, step: str):
    """Show a step under review: its latest version, the decisions, and what to do next."""
    study, member = study_for_member(study_id)
    source = _source(step)
    db = get_session()
    state = services.step_state(db, study, step)
    form = None
    changes = None
    if member.role is MemberRole.SUPERVISOR and state.waiting_for_review:
        document = state.latest.content
        form = decision_form(source.items(document), source.blockers(document))
        changes = _changes(db, study, step, source, document)
    return _render(study, member, step, state, form, changes)


def _changes(db, study, step, source, document):
    """Compare a waiting version with the one the supervisor reviewed last, if any."""
    previous = services.last_reviewed(db, study, step)
    return (
        compare(source, previous.content if previous else None, document),
        previous.number if previous else None,
    )


def _render(study, member, step, state, form, changes, status_code: int = 200):
    source = _source(step)
    db = get_session()
    draft = source.current(db, study) if member.role is MemberRole.AUTHOR else None
    shown = state.latest.content if state.latest is not None else draft
    return render_template(
        "review/show.html",
        study=study,
        member=member,
        step=STEPS_BY_KEY[step],
        source=source,
        state=state,
        status_labels=STATUS_LABELS,
        items=source.items(shown) if shown is not None else [],
        blockers=source.blockers(shown) if shown is not None else [],
        incomplete=source.incomplete(draft) if draft is not None else [],
        history=services.history(db, study, step),
        form=form,
        submit_form=SubmitForm(),
        changes=changes[0] if changes else None,
        compared_with=changes[1] if changes else None,
    ), status_code


@bp.post("/studies/<int:study_id>/steps/<step>/submit")
@login_required
def submit(study_id: int, step: str):
    """Freeze the step's draft as a new version and tell the supervisor."""
    study, _member = study_for_author(study_id)
    _source(step)
    db = get_session()
    try:
        version = services.submit(db, study, current_user, step)
        db.commit()
    except UserError as error:
        db.rollback()
        flash(error.message, "error")
        return redirect(url_for("review.show", study_id=study.id, step=step)), 303
    except IntegrityError:
        # Two submissions at once (a double click, two co-authors): the other one counts.
        db.rollback()
        flash(_("This step was just submitted."), "info")
        return redirect(url_for("review.show", study_id=study.id, step=step)), 303
    notices.notify_submitted(db, study, version, current_user)
    flash(_("Version %(n)d is submitted to your supervisor.", n=version.number), "success")
    return redirect(url_for("review.show", study_id=study.id, step=step))


@bp.post("/studies/<int:study_id>/steps/<step>/decide")
@login_required
def decide(study_id: int, step: str):
    """Record the supervisor's decision on the waiting version (the service checks who)."""
    study, member = study_for_member(study_id)
    source = _source(step)
    db = get_session()
    state = services.step_state(db, study, step)
    if not state.waiting_for_review:
        flash(_("No version of this step waits for review."), "error")
        return redirect(url_for("review.show", study_id=study.id, step=step)), 303
    document = state.latest.content
    form = decision_form(source.items(document), source.blockers(document))
    if form.validate_on_submit():
        try:
            decision = services.decide(
                db,
                study,
                current_user,
                step,
                outcome=Outcome(form.outcome.data),
                comment=form.comment.data or "",
                item_comments=form.item_comments(),
                acknowledged=form.acknowledged(),
                version_number=form.version.data,
            )
            db.commit()
        except IntegrityError:
            # The same decision sent twice: the first one counts.
            db.rollback()
            flash(_("This version was just decided."), "info")
            return redirect(url_for("review.show", study_id=study.id, step=step)), 303
        except UserError as error:
            db.rollback()
            if member.role is not MemberRole.SUPERVISOR:
                flash(error.message, "error")
                return redirect(url_for("review.show", study_id=study.id, step=step)), 303
            show_user_error(form, error)
        else:
            notices.notify_decided(db, study, state.latest, decision, current_user)
            flash(_("Your decision is recorded and the authors are told."), "success")
            return redirect(url_for("review.show", study_id=study.id, step=step))
    elif member.role is not MemberRole.SUPERVISOR:
        flash(_("Only the study's supervisor decides on its ethics steps."), "error")
        return redirect(url_for("review.show", study_id=study.id, step=step)), 303
    return _render(
        study, member, step, state, form, _changes(db, study, step, source, document), 400
    )


@bp.get("/supervision")
@role_required(Role.SUPERVISOR)
def overview():
    """List the studies the supervisor supervises, with each step's state, waiting first."""
    return render_template(
        "review/overview.html",
        rows=supervision.supervised(get_session(), current_user),
        steps=STEPS_BY_KEY,
        status_labels=STATUS_LABELS,
    )
