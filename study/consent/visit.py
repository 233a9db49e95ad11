"""A respondent's visit: their link exchanged for a session, checked again on every page.

The token is in the address only for the first request; the browser then carries a session
naming the link (never the token). Every page looks the link up again, so a link revoked or
expired, or a respondent who withdrew, gets the same neutral page as an unknown link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import abort, current_app, g, request, session
from flask_babel import refresh
from sqlmodel import Session

from ..letters import languages
from ..models import utcnow
from ..respondents import services as recruitment
from ..respondents.models import Invitation, Respondent
from ..studies.models import Study
from . import services
from .services import Documents

#: The key of the respondent's visit in the session.
VISIT = "respondent"
#: Where a consent waits, sealed, between the form and its confirmation.
PENDING = "consent_pending"
#: Set for the one page after a withdrawal that confirms it.
WITHDRAWN = "respondent_withdrawn"


@dataclass
class Visit:
    """Who is visiting, through which link, and what the study asks them to consent to now."""

    invitation: Invitation
    respondent: Respondent
    study: Study
    documents: Documents | None
    language: str

    @property
    def languages(self) -> list[str]:
        """Return the languages the respondent can read the letter in."""
        return self.documents.languages if self.documents else []


def _usable(db: Session, invitation: Invitation | None) -> tuple[Respondent, Study] | None:
    if invitation is None or not invitation.valid(utcnow()):
        return None
    respondent = db.get(Respondent, invitation.respondent_id)
    study = db.get(Study, invitation.study_id)
    if respondent is None or respondent.withdrawn_at is not None or study is None:
        return None
    if study.closed_at is not None:
        return None
    return respondent, study


def begin(db: Session, token: str) -> bool:
    """Exchange a link's token for a visit; return False for a link that does not work."""
    invitation = recruitment.invitation_for_token(db, token)
    if _usable(db, invitation) is None:
        return False
    assert invitation is not None
    if invitation.first_used_at is None:
        invitation.first_used_at = utcnow()
        db.add(invitation)
        db.commit()
    session.pop(WITHDRAWN, None)
    session.pop(PENDING, None)
    visit = {"invitation": invitation.id, "at": utcnow().isoformat()}
    record = services.current_record(db, db.get(Respondent, invitation.respondent_id))
    if record is not None:
        # Coming back: the pages speak the language the respondent consented in.
        visit["lang"] = record.language
    session[VISIT] = visit
    return True


def current(db: Session) -> Visit:
    """Return the visit of this request, or answer with the neutral page (404)."""
    found = session.get(VISIT)
    if not isinstance(found, dict) or not isinstance(found.get("invitation"), int):
        abort(404)
    try:
        started = datetime.fromisoformat(str(found.get("at")))
    except ValueError:
        abort(404)
    hours = current_app.config["RESPONDENT_VISIT_HOURS"]
    if started.tzinfo is None or utcnow() - started > timedelta(hours=hours):
        end()
        abort(404)
    invitation = db.get(Invitation, found["invitation"])
    usable = _usable(db, invitation)
    if usable is None:
        end()
        abort(404)
    assert invitation is not None
    respondent, study = usable
    # Pages show approved versions; recording a consent checks the gate in full.
    documents = services.approved_documents(db, study, verified=False)
    visit = Visit(invitation, respondent, study, documents, "")
    visit.language = _language(visit, found)
    set_interface_language(visit.language)
    return visit


def _language(visit: Visit, found: dict) -> str:
    """Return the letter language the visitor asked for (?lang=), chose before, or reads."""
    offered = visit.languages
    asked = request.args.get("lang")
    if asked in offered:
        if found.get("lang") != asked:
            session[VISIT] = {**found, "lang": asked}
        return asked
    if found.get("lang") in offered:
        return found["lang"]
    best = request.accept_languages.best_match(offered) if offered else None
    if best or offered:
        return best or offered[0]
    # Nothing to consent to just now: keep speaking the language the respondent chose.
    chosen = found.get("lang")
    if isinstance(chosen, str) and languages.locale(chosen) is not None:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def set_interface_language(code: str) -> None:
    """Speak the letter's language on the page where the app has it, else English."""
    primary = code.split("-")[0]
    g.respondent_locale = primary if primary in current_app.config["LANGUAGES"] else "en"
    g.page_lang = code
    g.page_dir = languages.direction(code)
    refresh()


def bound_to(visit: Visit) -> str:
    """Name what a sealed value of this visit belongs to: the respondent's link."""
    return f"invitation:{visit.invitation.id}"


def end(withdrawn: bool = False) -> None:
    """End the visit; after a withdrawal, the next page may confirm it once."""
    session.pop(VISIT, None)
    session.pop(PENDING, None)
    if withdrawn:
        session[WITHDRAWN] = True
