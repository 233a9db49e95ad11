"""The closing step's page: what the study still holds of its respondents, and when it goes."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from ..db import get_session
from ..studies.access import study_for_member
from . import bp, retention


@bp.get("/studies/<int:study_id>/closing")
@login_required
def show(study_id: int):
    """Show what remains (keys, files, contacts, code key) and the date it is destroyed."""
    study, _member = study_for_member(study_id)
    return render_template(
        "closing/show.html", study=study, remains=retention.remains(get_session(), study)
    )
