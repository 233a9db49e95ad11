"""The appendices as PDFs: each part's plain values, and all chosen parts in one document.

Each part shows its newest submitted version (the draft while none is submitted); the
bundle is marked "Draft" on every page unless every part in it is an approved version.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from ..guide import appendix as guide_appendix
from ..letters import languages
from ..letters import pdfs as letter_pdfs
from ..pdf import render_pdf
from ..review import services as review
from ..studies.models import Study
from . import settings


@dataclass(frozen=True)
class Part:
    """One appendix as the bundle shows it."""

    part: str
    heading: dict
    lang: str
    dir: str
    values: dict
    approved: bool
    version: int | None


def part(session: Session, study: Study, chosen: dict, language: str) -> Part | None:
    """Return one chosen part with its values, or None when it has nothing to show yet."""
    document, version, approved = review.shown_version(session, study, chosen["part"])
    heading = {"label": chosen["label"], "title": chosen["title"]}
    number = version.number if version else None
    if chosen["part"] == "guide":
        if not document.get("sections"):
            return None
        lang = document.get("language") or language
        values = guide_appendix.context(document)
    else:
        codes = document.get("languages", [])
        if not codes:
            return None
        lang = language if language in codes else codes[0]
        values = (
            letter_pdfs.letter_context(document, lang)
            if chosen["part"] == "letter"
            else letter_pdfs.form_context(document, lang)
        )
    return Part(chosen["part"], heading, lang, languages.direction(lang), values, approved, number)


def parts(session: Session, study: Study, only: str | None = None) -> list[Part]:
    """Return the included parts that have something to show, in the student's order.

    :param only: just this part (guide, letter or consent_form), included or not.
    """
    chosen = settings.plan(session, study)
    wanted = [p for p in chosen["parts"] if (p["part"] == only if only else p["include"])]
    found = (part(session, study, p, chosen["language"]) for p in wanted)
    return [p for p in found if p is not None]


def render(session: Session, study: Study, only: str | None = None) -> tuple[bytes, list[Part]]:
    """Render the chosen appendices (or `only` one) as one PDF; return it and its parts."""
    shown = parts(session, study, only)
    language = settings.plan(session, study)["language"]
    data = render_pdf(
        "bundle",
        title=study.title,
        draft=not all(p.approved for p in shown),
        lang=language,
        parts=shown,
    )
    return data, shown
