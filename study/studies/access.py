"""Loading a study for the current user, or refusing without revealing that it exists."""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

from ..db import get_session
from .models import MemberRole, Study, StudyMember
from .services import membership


def study_for_member(study_id: int) -> tuple[Study, StudyMember]:
    """Return a study the current user works on; anyone else gets 404."""
    db = get_session()
    study = db.get(Study, study_id)
    member = membership(db, study_id, current_user) if study is not None else None
    if member is None:
        abort(404)
    return study, member


def study_for_author(study_id: int) -> tuple[Study, StudyMember]:
    """Return a study the current user writes; its supervisor gets 403, anyone else 404."""
    study, member = study_for_member(study_id)
    if member.role is not MemberRole.AUTHOR:
        abort(403)
    return study, member


def study_for_page(study_id: int) -> tuple[Study, StudyMember]:
    """Return a study for a page that members read and authors send (GET and POST)."""
    if request.method == "POST":
        return study_for_author(study_id)
    return study_for_member(study_id)
