"""Interview guide pages."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required

from ..db import get_session
from ..studies.access import study_for_member
from . import bp
from .services import guide_for


@bp.get("/studies/<int:study_id>/guide")
@login_required
def show(study_id: int):
    """Show the study's interview guide."""
    study, member = study_for_member(study_id)
    return render_template(
        "guide/show.html", study=study, member=member, guide=guide_for(get_session(), study)
    )
