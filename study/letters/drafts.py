"""Storing the letter's and the consent form's drafts: one row per step, changed whole.

Both steps share the letter's languages: adding or removing a language changes both
drafts in one transaction, so that a form never offers a language its letter lacks.
"""

from __future__ import annotations

from sqlmodel import Session, select

from .. import audit
from ..accounts.models import User
from ..canonical import canonical_json
from ..errors import UserError
from ..models import utcnow
from ..review import services as review
from ..studies.models import Study
from .models import LetterDraft

LETTER, CONSENT_FORM = "letter", "consent_form"


def row(session: Session, study: Study, step: str, *, lock: bool = False) -> LetterDraft | None:
    """Return a step's stored draft, if the student has begun it.

    :param lock: hold the row until the transaction ends (PostgreSQL), so that two changes
        at once (two tabs, two co-authors) follow each other instead of one undoing the other.
    """
    query = select(LetterDraft).where(LetterDraft.study_id == study.id, LetterDraft.step == step)
    return session.exec(query.with_for_update() if lock else query).first()


def content(session: Session, study: Study, step: str) -> dict:
    """Return a step's draft document, or {} before it is begun."""
    found = row(session, study, step)
    return found.content if found is not None else {}


def for_change(session: Session, study: Study, step: str) -> dict:
    """Return a step's draft document to change, its row held; {} before it is begun."""
    found = row(session, study, step, lock=True)
    return found.content if found is not None else {}


def check_writable(session: Session, study: Study, actor: User, *steps: str) -> None:
    """Refuse anyone but an author, and any change while a step waits for review.

    :raises UserError: saying why the change is refused.
    """
    review.require_author(session, study, actor)
    for step in steps:
        review.check_editable(session, study, step)


def store(
    session: Session, study: Study, actor: User, step: str, document: dict, action: str, **details
) -> bool:
    """Store a step's new draft, bring its status up to date and audit the change.

    :returns: False when the document did not change (nothing is stored then).
    """
    found = row(session, study, step) or LetterDraft(study_id=study.id, step=step)
    serialized = canonical_json(document)
    if found.id is not None and found.content_json == serialized:
        return False
    found.content_json = serialized
    found.updated_by, found.updated_at = actor.id, utcnow()
    session.add(found)
    session.flush()
    review.record_edit(session, study, step)
    audit.record(
        session,
        action,
        actor_id=actor.id,
        study_id=study.id,
        subject=f"study:{study.id}",
        step=step,
        **details,
    )
    return True


def require(session: Session, study: Study, step: str, message) -> dict:
    """Return a step's draft document to change (its row held), or refuse when it is not begun.

    :raises UserError: when there is no draft yet.
    """
    found = for_change(session, study, step)
    if not found:
        raise UserError(message)
    return found
