"""Interview guide operations."""

from __future__ import annotations

import json
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from .. import audit
from ..accounts.models import User
from ..errors import UserError
from ..models import utcnow
from ..studies.models import StepStatus, Study
from ..studies.services import set_step_status
from .models import InterviewGuide


def guide_for(session: Session, study: Study) -> InterviewGuide | None:
    """Return the study's interview guide, if it has one."""
    return session.exec(select(InterviewGuide).where(InterviewGuide.study_id == study.id)).first()


def save_guide(
    session: Session, study: Study, actor: User, document: dict[str, Any]
) -> InterviewGuide:
    """Store the guide from its document form (title, scripts, sections with questions).

    :raises UserError: when the document does not have the shape of a guide.
    """
    sections = _clean_sections(document.get("sections", []))
    guide = guide_for(session, study) or InterviewGuide(study_id=study.id, title="")
    guide.title = str(document.get("title") or study.title)[:300]
    guide.language = str(document.get("language") or "sv")[:16]
    guide.intro_script = str(document.get("intro_script") or "")
    guide.closing_script = str(document.get("closing_script") or "")
    guide.sections_json = json.dumps(sections, ensure_ascii=False)
    guide.updated_at = utcnow()
    session.add(guide)
    set_step_status(session, study, "guide", StepStatus.DRAFT)
    audit.record(
        session, "guide.saved", actor_id=actor.id, study_id=study.id, subject=f"study:{study.id}"
    )
    return guide


def _clean_sections(raw: Any) -> list[dict[str, Any]]:
    """Keep only titles, question texts and probes, all as text.

    :raises UserError: when the sections are not a list of sections with questions.
    """
    if not isinstance(raw, list):
        raise UserError(_l("The interview guide is not in the expected form."))
    sections = []
    for section in raw:
        if not isinstance(section, dict) or not isinstance(section.get("questions", []), list):
            raise UserError(_l("The interview guide is not in the expected form."))
        questions = []
        for question in section.get("questions", []):
            if not isinstance(question, dict) or not str(question.get("text", "")).strip():
                raise UserError(_l("Every question needs a text."))
            probes = question.get("probes", [])
            questions.append(
                {
                    "text": str(question["text"]).strip(),
                    "probes": [str(p).strip() for p in probes if str(p).strip()],
                }
            )
        sections.append({"title": str(section.get("title", "")).strip(), "questions": questions})
    return sections
