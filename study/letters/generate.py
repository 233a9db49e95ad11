"""The letter generated from the plan and the self-review, in Swedish and in English.

The words of each section live in templates/letter_text/<language>/<section>.txt (the
children's version under child/), rendered from the facts below: plain values that name
what the study's plan and self-review say, in the letter's language where the app can say it
(dates, the kinds of sensitive data). What the student wrote in the plan is given as written;
the editor reminds them to translate it in a letter in another language.
"""

from __future__ import annotations

from datetime import date

from flask import render_template
from flask_babel import force_locale, format_date
from sqlmodel import Session, select

from ..accounts.models import User
from ..ethics import questions
from ..ethics import services as ethics
from ..ethics.rules import consequences
from ..studies.models import MemberRole, Study, StudyMember
from .sections import CHILD, Facts, audiences, sections_for

#: The languages whose letter the app writes; any other the student writes.
GENERATED = ("sv", "en")


def needs(session: Session, study: Study) -> list[str]:
    """Return the consequences of the study's self-review that the letter and form follow."""
    found = consequences(
        ethics.answers(session, study), sensitive_data_forbidden=ethics.sensitive_data_forbidden()
    )
    return sorted(c.value for c in found)


def people(session: Session, study: Study) -> dict:
    """Return the study's authors, its supervisor (or None) and both as its contacts.

    Each person is a name and an e-mail address.
    """
    rows = session.exec(
        select(StudyMember, User)
        .join(User, User.id == StudyMember.user_id)
        .where(StudyMember.study_id == study.id)
        .order_by(StudyMember.joined_at, StudyMember.id)
    ).all()
    authors = [{"name": u.name, "email": u.email} for m, u in rows if m.role is MemberRole.AUTHOR]
    supervisors = [
        {"name": u.name, "email": u.email} for m, u in rows if m.role is MemberRole.SUPERVISOR
    ]
    supervisor = supervisors[0] if supervisors else None
    return {
        "authors": authors,
        "supervisor": supervisor,
        "contacts": authors + ([supervisor] if supervisor else []),
    }


def facts(session: Session, study: Study, lang: str) -> Facts:
    """Return what the letter's sections are written from, with dates in `lang`.

    Keys: title, university, department, level, purpose, method, sample, recruitment,
    research_questions (list), planned_interviews (int or None), interviews_from,
    interviews_to, retention_plan (the plan's retention text), controller,
    data_protection_officer, authors and supervisor ({name, email}; supervisor may be None),
    contacts (authors and supervisor), and from the self-review: respondents, contact_source
    (self / gatekeeper / register / own_network / other or ""), contact_source_text,
    recording (audio / video / notes or ""), risk (bool), risk_text, support, dependency
    (bool), dependency_text, minors (no / aged_15_17 / under_15 or ""), withdrawal (destroy /
    keep_analysed or ""), withdrawal_text, storage, access, publication (bool),
    publication_text, research_project (bool), research_project_text, sensitive (bool),
    sensitive_categories (labels in `lang`), criminal (bool), sensitive_text, legal_basis
    (public_interest / consent / other), legal_basis_text, transfer (bool), transfer_text,
    retention_date (in `lang`, or ""), destruction.
    """
    given = ethics.answers(session, study)

    def value(key: str):
        return (given.get(key) or {}).get("value") or ""

    def explained(key: str) -> str:
        """Return the explanation written beside an answer."""
        return ((given.get(key) or {}).get("explanation") or "").strip()

    def yes(key: str) -> bool:
        return value(key) in ("yes", "unsure")

    with force_locale(lang):
        labels = {
            o.value: str(o.label)
            for o in questions.QUESTIONS_BY_KEY["sensitive_categories"].options
        }
        retention = value("retention_date")
        shown = {
            "interviews_from": _date(study.interviews_from),
            "interviews_to": _date(study.interviews_to),
            "retention_date": _date(date.fromisoformat(retention)) if retention else "",
            "sensitive_categories": [
                labels[v]
                for v in value("sensitive_categories") or []
                if v in labels and v != "unsure"
            ],
        }
    team = people(session, study)
    return {
        "title": study.title,
        "university": study.university,
        "department": study.department,
        "level": study.level,
        "purpose": study.purpose.strip(),
        "method": study.method.strip(),
        "sample": study.sample.strip(),
        "recruitment": study.recruitment.strip(),
        "research_questions": study.question_list,
        "planned_interviews": study.planned_interviews,
        "retention_plan": study.retention.strip(),
        "controller": study.controller.strip(),
        "data_protection_officer": study.data_protection_officer.strip(),
        **team,
        "respondents": str(value("respondents")).strip(),
        "contact_source": value("contact_source"),
        "contact_source_text": explained("contact_source"),
        "recording": value("recording"),
        "risk": yes("risk_of_harm"),
        "risk_text": explained("risk_of_harm"),
        "support": str(value("support")).strip(),
        "dependency": yes("dependency"),
        "dependency_text": explained("dependency"),
        "minors": value("minors"),
        "withdrawal": value("withdrawal"),
        "withdrawal_text": explained("withdrawal"),
        "storage": str(value("storage")).strip(),
        "access": str(value("access")).strip(),
        "publication": yes("publication"),
        "publication_text": explained("publication"),
        "research_project": yes("phd_continuation"),
        "research_project_text": explained("phd_continuation"),
        "sensitive": yes("sensitive_data"),
        "criminal": yes("criminal_offences"),
        "sensitive_text": explained("sensitive_data"),
        "legal_basis": value("legal_basis") or "public_interest",
        "legal_basis_text": explained("legal_basis"),
        "transfer": yes("transfer_outside_eea"),
        "transfer_text": explained("transfer_outside_eea"),
        "destruction": str(value("destruction")).strip(),
        **shown,
    }


def _date(value: date | None) -> str:
    return format_date(value, "long") if value else ""


def section_text(key: str, audience: str, lang: str, given: Facts) -> str:
    """Return one generated section's text (a language in GENERATED)."""
    folder = f"letter_text/{lang}" + ("/child" if audience == CHILD else "")
    return render_template(f"{folder}/{key}.txt", **given).strip()


def heading(section, audience: str, lang: str) -> str:
    """Return a section's heading in a generated language."""
    with force_locale(lang):
        return str(section.child_heading if audience == CHILD else section.heading)


def generate(session: Session, study: Study, lang: str) -> dict:
    """Return a whole letter in a generated language: its title and each audience's sections.

    The summary is left empty: only the student can say briefly what matters most.
    """
    if lang not in GENERATED:
        raise ValueError(f"the app does not write letters in {lang!r}")
    given = facts(session, study, lang)
    found = needs(session, study)
    letter = {"title": study.title}
    for audience in audiences(found):
        letter[audience] = {
            section.key: {
                "heading": heading(section, audience, lang),
                "text": "" if section.written else section_text(section.key, audience, lang, given),
            }
            for section in sections_for(audience, found)
        }
    return letter
