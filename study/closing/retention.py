"""Retention: on the date the approved self-review (and so the letter) names, the material goes.

The date is the one respondents were told: the `retention_date` answer of the approved
self-review. The day after it, `run` destroys every respondent's key and every file stored for
them (recordings, transcripts, consent scans), their sealed contact details, the reasons given
for withdrawals and the study's code key, and closes the study; one audit entry per study says what went, never what it held.
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
from ..consent.models import Withdrawal
from ..exports import services as exports
from ..models import utcnow
from ..pseudonymize.models import CodeKeyRow, CodeKeySettings
from ..respondents.locks import lock_respondent
from ..respondents.models import Respondent
from ..review import services as review
from ..review.models import Outcome
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
    """Return the earliest date any approved self-review keeps the data until, if one names it.

    The earliest: respondents who consented under a letter naming an earlier date were
    promised that date, whatever a later approval says.
    """
    dates = []
    for version, decision in review.history(session, study, "ethics"):
        if decision is None or decision.outcome is not Outcome.APPROVED:
            continue
        value = (version.content.get("answers", {}).get("retention_date") or {}).get("value")
        try:
            dates.append(date.fromisoformat(value))
        except (TypeError, ValueError):
            continue
    return min(dates, default=None)


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
    """Return the studies whose retention date has passed, still open or holding something."""
    return [
        study
        for study in session.exec(select(Study).order_by(col(Study.id)))
        if (kept := retention_date(session, study)) is not None
        and kept < today
        and (study.closed_at is None or remains(session, study).anything)
    ]


def undated(session: Session) -> list[Study]:
    """Return the open studies whose approved self-review names no retention date."""
    return [
        study
        for study in session.exec(
            select(Study).where(col(Study.closed_at).is_(None)).order_by(col(Study.id))
        )
        if retention_date(session, study) is None
        and review.step_state(session, study, "ethics").approved is not None
    ]


def destroy(session: Session, study: Study, today: date) -> dict[str, int]:
    """Destroy what the study holds of its respondents and its code key; close the study.

    One audit entry says what went. The files leave storage once the caller commits.
    """
    vault = get_vault(session)
    destroyed: Counter = Counter()
    ids = session.exec(
        select(Respondent.id).where(Respondent.study_id == study.id).order_by(col(Respondent.id))
    ).all()
    for respondent_id in ids:
        # Under the respondent's lock: an upload ending now is refused or is destroyed too.
        respondent = lock_respondent(session, respondent_id)
        assert respondent is not None
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
    destroyed["exports"] = exports.delete_for_study(session, study.id, reason="retention")
    for withdrawal in session.exec(
        select(Withdrawal).where(
            Withdrawal.study_id == study.id, col(Withdrawal.sealed_reason).is_not(None)
        )
    ):
        # A reason may say who the respondent is; the study key that seals it stays.
        withdrawal.sealed_reason = None
        session.add(withdrawal)
        destroyed["withdrawal_reasons"] += 1
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
