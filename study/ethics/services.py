"""Self-review operations: save answers as they are typed, and the document a version freezes."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from .. import audit
from ..accounts.models import User
from ..canonical import canonical_json
from ..errors import UserError
from ..models import utcnow
from ..review import services as review
from ..studies.models import Study
from . import questions, rules
from .models import EthicsAnswers

STEP = "ethics"


def sensitive_data_forbidden() -> bool:
    """Tell whether this university forbids sensitive personal data in student theses."""
    return bool(current_app.config["SENSITIVE_DATA_FORBIDDEN"])


def answers(session: Session, study: Study) -> dict:
    """Return the study's current answers (question key → answer)."""
    row = _row(session, study)
    return row.content if row is not None else {}


def _row(session: Session, study: Study) -> EthicsAnswers | None:
    return session.exec(select(EthicsAnswers).where(EthicsAnswers.study_id == study.id)).first()


def save_answers(
    session: Session, study: Study, actor: User, changes: dict[str, tuple[object, str]]
) -> dict:
    """Store answers to some questions (value and explanation each); return all answers.

    An empty value removes the answer. Nothing is stored unless every change is valid.

    :raises UserError: when the actor is not an author of the study, the step waits for
        review, or an answer is not acceptable (the error names the question's key).
    """
    review.require_author(session, study, actor)
    review.check_editable(session, study, STEP)
    current = answers(session, study)
    for key, (value, explanation) in changes.items():
        question = questions.QUESTIONS_BY_KEY.get(key)
        if question is None:
            raise UserError(_l("There is no such question."))
        try:
            cleaned = questions.clean_answer(question, value, explanation or "")
        except ValueError as error:
            raise UserError(error.args[0], field=key) from None
        if cleaned["value"] in ("", [], None):
            current.pop(key, None)
        else:
            current[key] = cleaned
    row = _row(session, study) or EthicsAnswers(study_id=study.id)
    if canonical_json(current) == (row.answers if row.id is not None else "{}"):
        return current
    row.answers = canonical_json(current)
    row.updated_by, row.updated_at = actor.id, utcnow()
    session.add(row)
    session.flush()
    review.record_edit(session, study, STEP)
    # The letter and the consent form are made from these answers too.
    review.refresh_approvals(session, study)
    audit.record(
        session,
        "ethics.saved",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"study:{study.id}",
        questions=sorted(changes),
    )
    return current


def document(session: Session, study: Study) -> dict:
    """Return the self-review as a version freezes it: the answers and what they imply.

    Only answers to questions that are shown count; the warnings and the review route are
    part of the document, so that a version shows what the supervisor saw.
    """
    return document_from(answers(session, study))


def document_from(given: dict) -> dict:
    """Build the self-review document from answers."""
    shown = {q.key for q in questions.visible(given)}
    kept = {key: value for key, value in given.items() if key in shown}
    forbidden = sensitive_data_forbidden()
    outcome = rules.outcome(kept, sensitive_data_forbidden=forbidden)
    return {
        "answers": kept,
        "warnings": [r.key for r in rules.triggered(kept, sensitive_data_forbidden=forbidden)],
        "route": outcome.route.value,
    }
