"""Which appendices a thesis has and what they are called, with defaults per language.

The choice: {"language": "sv" or "en", "parts": [{"part": "guide" | "letter" |
"consent_form", "include": bool, "label": "Bilaga 1", "title": "Frågeguide"}, …]}, in the
order they appear. Until the student chooses, every part is included, in that order, with the
words of the language; a label or title left empty takes the default again.
"""

from __future__ import annotations

from flask_babel import force_locale, lazy_pgettext
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from .. import audit
from ..accounts.models import User
from ..canonical import canonical_json
from ..errors import UserError
from ..models import utcnow
from ..review import services as review
from ..studies.models import Study
from .models import AppendixPlan

LANGUAGES = ("sv", "en")
PARTS = ("guide", "letter", "consent_form")
LABEL = _l("Appendix %(n)s")
TITLES = {
    "guide": lazy_pgettext("appendix", "Interview guide"),
    "letter": lazy_pgettext("appendix", "Information letter"),
    "consent_form": lazy_pgettext("appendix", "Consent form"),
}
MAX_WORDS = 200


def defaults(language: str) -> dict:
    """Return the choice before the student makes one: every part, numbered in order."""
    with force_locale(language):
        return {
            "language": language,
            "parts": [
                {
                    "part": part,
                    "include": True,
                    "label": str(LABEL % {"n": n}),
                    "title": str(TITLES[part]),
                }
                for n, part in enumerate(PARTS, 1)
            ],
        }


def plan(session: Session, study: Study) -> dict:
    """Return the study's choice of appendices, defaults filled in."""
    row = _row(session, study)
    chosen = row.content if row is not None else {}
    language = chosen.get("language") if chosen.get("language") in LANGUAGES else "sv"
    fallback = {p["part"]: p for p in defaults(language)["parts"]}
    parts = []
    for given in chosen.get("parts", []):
        if given.get("part") in fallback and given["part"] not in {p["part"] for p in parts}:
            base = fallback[given["part"]]
            parts.append(
                {
                    "part": given["part"],
                    "include": bool(given.get("include", True)),
                    "label": given.get("label") or base["label"],
                    "title": given.get("title") or base["title"],
                }
            )
    parts += [p for part, p in fallback.items() if part not in {x["part"] for x in parts}]
    return {"language": language, "parts": parts}


def _row(session: Session, study: Study) -> AppendixPlan | None:
    return session.exec(select(AppendixPlan).where(AppendixPlan.study_id == study.id)).first()


def save(session: Session, study: Study, actor: User, chosen: dict) -> dict:
    """Store the choice of appendices (any author may; it is not reviewed); return it.

    :raises UserError: when the actor is not an author or a word is too long.
    """
    review.require_author(session, study, actor)
    for part in chosen.get("parts", []):
        if len(part.get("label", "")) > MAX_WORDS or len(part.get("title", "")) > MAX_WORDS:
            raise UserError(_l("A label or title may be at most %(n)d characters.", n=MAX_WORDS))
    row = _row(session, study) or AppendixPlan(study_id=study.id)
    row.content_json = canonical_json(chosen)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    audit.record(
        session,
        "appendices.saved",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"study:{study.id}",
    )
    return plan(session, study)


def heading(session: Session, study: Study, part: str) -> dict:
    """Return the label and title a part's appendix carries."""
    found = next(p for p in plan(session, study)["parts"] if p["part"] == part)
    return {"label": found["label"], "title": found["title"]}
