"""The interview guide as the thesis appendix ("Bilaga 1 Frågeguide"), as PDF.

The interviewer's notes are never printed. Questions are numbered through the whole guide,
probes are sub-items of their question, and a version that is not approved prints "Draft"
on every page. Its label and title ("Bilaga 1 Frågeguide") are the student's choice of
appendices (study/appendices/settings.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from sqlmodel import Session

from .. import audit
from ..accounts.models import User
from ..appendices import settings
from ..pdf import render_pdf
from ..review import services as review
from ..review.models import StepVersion
from ..studies.models import Study
from ..views import requested_version
from . import edits
from .services import STEP


@dataclass(frozen=True)
class Printed:
    """A rendered appendix and what it shows."""

    data: bytes
    filename: str
    version: StepVersion | None


def context(guide: dict) -> dict:
    """Return the plain values the appendix is rendered from: no notes, questions numbered."""
    number = 0
    sections = []
    for section in guide.get("sections", []):
        questions = []
        for question in section["questions"]:
            number += 1
            questions.append(
                {"number": number, "text": question["text"], "probes": question["probes"]}
            )
        sections.append({"title": section["title"], "questions": questions})
    return {
        "guide_title": guide.get("title", ""),
        "intro": edits.paragraphs(guide.get("intro_script", "")),
        "closing": edits.paragraphs(guide.get("closing_script", "")),
        "sections": sections,
    }


def render_guide(session: Session, study: Study) -> Printed:
    """Render the guide asked for by the request as its appendix PDF."""
    number, draft = requested_version()
    try:
        guide, version, approved = review.shown_version(
            session, study, STEP, number=number, draft=draft
        )
    except LookupError:
        abort(404)
    heading = settings.heading(session, study, "guide")
    data = render_pdf(
        "guide",
        title=study.title,
        draft=not approved,
        lang=guide.get("language") or "sv",
        heading=heading,
        **context(guide),
    )
    suffix = f"-v{version.number}" if version else "-draft"
    return Printed(data, f"guide-{study.id}{suffix}.pdf", version)


def record_download(session: Session, study: Study, actor: User, printed: Printed) -> None:
    """Write the download of the guide's appendix to the audit log."""
    audit.record(
        session,
        "guide.pdf_downloaded",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"step_version:{printed.version.id}" if printed.version else f"study:{study.id}",
        number=printed.version.number if printed.version else None,
    )
