"""Interview guide operations: save the draft, edit it part by part, undo, import.

The guide is an ethics step: each change goes through the review path's checks (only
authors, nothing while a version waits for review) and brings the step's status up to date;
the draft before the last change is kept so that it can be undone.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from .. import audit
from ..accounts.models import User
from ..canonical import canonical_json
from ..errors import UserError
from ..models import utcnow
from ..review import services as review
from ..studies.models import Study
from . import edits
from .models import InterviewGuide

STEP = "guide"


def guide_for(session: Session, study: Study, *, lock: bool = False) -> InterviewGuide | None:
    """Return the study's interview guide, if it has one (its row held, with `lock`)."""
    query = select(InterviewGuide).where(InterviewGuide.study_id == study.id)
    return session.exec(query.with_for_update() if lock else query).first()


def document(session: Session, study: Study) -> dict:
    """Return the guide as a version freezes it (an empty guide before one is written)."""
    guide = guide_for(session, study)
    return guide.document if guide is not None else edits.empty(study.title)


def save_guide(session: Session, study: Study, actor: User, raw: dict[str, Any]) -> dict:
    """Store the whole guide from its document form; return the stored document.

    :raises UserError: when the actor is not an author, the guide waits for review, or the
        document does not have the shape of a guide.
    """
    try:
        cleaned = edits.clean(raw)
    except ValueError as error:
        raise UserError(error.args[0]) from None
    return _store(session, study, actor, cleaned, "guide.saved")


def change(
    session: Session,
    study: Study,
    actor: User,
    action: str,
    section: str = "",
    question: str = "",
    to: str = "",
) -> dict:
    """Do one editor action (add, delete, duplicate, move) on the draft; return it.

    :raises UserError: when the action cannot be done (the message says why).
    """
    current = _current_for_change(session, study, actor)
    try:
        changed = edits.apply(current, action, section, question, to)
    except ValueError as error:
        raise UserError(error.args[0]) from None
    return _store(session, study, actor, changed, "guide.changed", change=action)


def undo(session: Session, study: Study, actor: User) -> dict:
    """Bring back the draft as it was before the last change; return it.

    :raises UserError: when there is nothing to undo.
    """
    _current_for_change(session, study, actor)
    guide = guide_for(session, study, lock=True)
    previous = json.loads(guide.previous_json) if guide is not None and guide.previous_json else {}
    # A submitted version ends what can be undone: nothing goes back behind it.
    if not previous or previous.get("version") != _latest_number(session, study):
        raise UserError(_l("There is nothing to undo."))
    return _store(session, study, actor, previous["document"], "guide.undone")


def _latest_number(session: Session, study: Study) -> int:
    latest = review.step_state(session, study, STEP).latest
    return latest.number if latest is not None else 0


def can_undo(session: Session, study: Study) -> bool:
    """Tell whether there is a change to undo since the last submitted version."""
    guide = guide_for(session, study)
    if guide is None or not guide.previous_json:
        return False
    return json.loads(guide.previous_json).get("version") == _latest_number(session, study)


def import_list(session: Session, study: Study, actor: User, text: str) -> dict:
    """Add the sections and questions of a numbered list to the end of the guide.

    :raises UserError: when the text holds no numbered question.
    """
    current = _current_for_change(session, study, actor)
    try:
        pasted = edits.from_list(text)
        changed = edits.clean({**current, "sections": current["sections"] + pasted})
    except ValueError as error:
        raise UserError(error.args[0], field="pasted") from None
    return _store(session, study, actor, changed, "guide.imported", sections=len(pasted))


def _current_for_change(session: Session, study: Study, actor: User) -> dict:
    """Return the draft to change, its row held, once the actor may change it."""
    review.require_author(session, study, actor)
    review.check_editable(session, study, STEP)
    guide = guide_for(session, study, lock=True)
    return guide.document if guide is not None else edits.empty(study.title)


def _store(session: Session, study: Study, actor: User, new: dict, event: str, **details) -> dict:
    """Store a new draft (the one before kept for undo), update the status, audit it."""
    review.require_author(session, study, actor)
    review.check_editable(session, study, STEP)
    guide = guide_for(session, study, lock=True) or InterviewGuide(study_id=study.id, title="")
    before = guide.document if guide.id is not None else None
    if before == new:
        return new
    guide.previous_json = (
        canonical_json({"document": before, "version": _latest_number(session, study)})
        if before is not None
        else None
    )
    guide.title = new["title"]
    guide.language = new["language"]
    guide.intro_script = new["intro_script"]
    guide.closing_script = new["closing_script"]
    guide.sections_json = canonical_json(new["sections"])
    guide.updated_at = utcnow()
    session.add(guide)
    session.flush()
    review.record_edit(session, study, STEP)
    audit.record(
        session,
        event,
        actor_id=actor.id,
        study_id=study.id,
        subject=f"study:{study.id}",
        **details,
    )
    return new
