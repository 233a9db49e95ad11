"""Retention: on the date the approved self-review (and so the letter) names, the material goes.

The date is the one respondents were told: the `retention_date` answer of the approved
self-review. The day after it, `run` destroys every respondent's key and every file stored for
them (recordings, transcripts, consent scans), their sealed contact details, and the study's
code key, and closes the study; one audit entry per study says what went, never what it held.
The consent register (codes, versions, dates) stays, as the record that consent was given.
Running it again destroys nothing twice: it is safe to run from cron every night.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete
from sqlmodel import Session, col, func, select

from .. import audit
from ..models import utcnow
from ..pseudonymize.models import CodeKeyRow, CodeKeySettings
from ..respondents.models import Respondent
from ..review import services as review
from ..studies.models import Study
from ..vault.models import RespondentKey, VaultObject
from ..vault.respondents import shred_respondent
from ..vault.service import get_vault


@dataclass
class Remains:
    """What a study still holds, and when it goes."""

    retention_date: date | None
    files: Counter = field(default_factory=Counter)
    keys: int = 0
    contacts: int = 0
    code_key_entries: int = 0

    @property
    def anything(self) -> bool:
        """Tell whether anything is left to destroy."""
        return bool(self.files or self.keys or self.contacts or self.code_key_entries)


def retention_date(session: Session, study: Study) -> date | None:
    """Return the date the approved self-review keeps the data until, if it names one."""
    approved = review.step_state(session, study, "ethics").approved
    if approved is None:
        return None
    value = (approved.content.get("answers", {}).get("retention_date") or {}).get("value")
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def remains(session: Session, study: Study) -> Remains:
    """Return what the study still holds of its respondents, and its retention date."""
    found = Remains(retention_date(session, study))
    for kind, count in session.exec(
        select(VaultObject.kind, func.count())
        .where(VaultObject.study_id == study.id)
        .group_by(VaultObject.kind)
    ):
        found.files[kind] = count
    found.keys = session.exec(
        select(func.count())
        .select_from(RespondentKey)
        .where(RespondentKey.study_id == study.id, col(RespondentKey.sealed_identity).is_not(None))
    ).one()
    found.contacts = session.exec(
        select(func.count())
        .select_from(Respondent)
        .where(Respondent.study_id == study.id, col(Respondent.sealed_contact).is_not(None))
    ).one()
    found.code_key_entries = session.exec(
        select(func.count()).select_from(CodeKeyRow).where(CodeKeyRow.study_id == study.id)
    ).one()
    return found


def due(session: Session, today: date) -> list[Study]:
    """Return the studies whose retention date has passed and that still hold something."""
    return [
        study
        for study in session.exec(select(Study).order_by(col(Study.id)))
        if (kept := retention_date(session, study)) is not None
        and kept < today
        and remains(session, study).anything
    ]


def destroy(session: Session, study: Study, today: date) -> dict[str, int]:
    """Destroy what the study holds of its respondents and its code key; close the study.

    One audit entry says what went. The files leave storage once the caller commits.
    """
    vault = get_vault(session)
    destroyed: Counter = Counter()
    for respondent in session.exec(
        select(Respondent).where(Respondent.study_id == study.id).order_by(col(Respondent.id))
    ):
        shredded = shred_respondent(vault, respondent)
        destroyed.update({k: v for k, v in shredded.items()})
        if respondent.sealed_contact is not None:
            respondent.sealed_contact = None
            respondent.has_email = False
            session.add(respondent)
            destroyed["contacts"] += 1
    entries = session.exec(
        select(func.count()).select_from(CodeKeyRow).where(CodeKeyRow.study_id == study.id)
    ).one()
    session.execute(delete(CodeKeyRow).where(col(CodeKeyRow.study_id) == study.id))
    session.execute(delete(CodeKeySettings).where(col(CodeKeySettings.study_id) == study.id))
    destroyed["code_key_entries"] = entries
    if study.closed_at is None:
        study.closed_at = utcnow()
        session.add(study)
    session.flush()
    counts = {k: int(v) for k, v in destroyed.items() if v}
    audit.record(
        session,
        "retention.destroyed",
        study_id=study.id,
        subject=f"study:{study.id}",
        retention_date=str(retention_date(session, study)),
        run_on=str(today),
        **counts,
    )
    return counts


def run(session: Session, today: date) -> list[tuple[Study, dict[str, int]]]:
    """Destroy what every study past its retention date still holds; return what went."""
    return [(study, destroy(session, study, today)) for study in due(session, today)]
