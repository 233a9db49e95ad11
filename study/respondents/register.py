"""The consent register: who was invited, who consented to what and when, who withdrew.

Read by the study's students and its supervisor, and exported as CSV and PDF. It shows
codes; names appear only when an author asks for them (an audited decryption).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlmodel import Session, col, select

from .. import audit
from ..accounts.models import User
from ..consent.models import ConsentRecord, Withdrawal
from ..consent.services import Documents, is_current
from ..letters import consent
from ..models import utcnow
from ..pdf import render_pdf
from ..review import services as review
from ..studies.models import Study
from .models import Invitation, Respondent
from .services import Contact, contact, respondents


@dataclass
class Row:
    """One respondent as the register shows them."""

    respondent: Respondent
    link: Invitation | None
    records: list[ConsentRecord] = field(default_factory=list)
    withdrawal: Withdrawal | None = None
    up_to_date: bool = False
    contact: Contact | None = None

    @property
    def record(self) -> ConsentRecord | None:
        """Return the consent in force (or the last one, once withdrawn)."""
        current = [r for r in self.records if r.superseded_at is None]
        return current[0] if current else None

    @property
    def link_state(self) -> str:
        """Return "none", "valid", "revoked" or "expired"."""
        if self.link is None:
            return "none"
        if self.link.revoked_at is not None:
            return "revoked"
        return "valid" if self.link.valid(utcnow()) else "expired"

    @property
    def status(self) -> str:
        """Return "withdrawn", "consented", "earlier_version", "invited" or "added"."""
        if self.withdrawal is not None:
            return "withdrawn"
        if self.record is not None:
            return "consented" if self.up_to_date else "earlier_version"
        return "invited" if self.link is not None else "added"


def rows(
    session: Session,
    study: Study,
    documents: Documents | None,
    *,
    names_for: User | None = None,
) -> list[Row]:
    """Return the register's rows; with names_for, each row's contact is opened (audited once).

    :raises UserError: when names_for does not write the study.
    """
    found = respondents(session, study)
    ids = [r.id for r in found]
    links: dict[int, Invitation] = {}
    for link in session.exec(
        select(Invitation)
        .where(col(Invitation.respondent_id).in_(ids))
        .order_by(col(Invitation.id))
    ):
        links[link.respondent_id] = link
    records: dict[int, list[ConsentRecord]] = {}
    for record in session.exec(
        select(ConsentRecord)
        .where(col(ConsentRecord.respondent_id).in_(ids))
        .order_by(col(ConsentRecord.id))
    ):
        records.setdefault(record.respondent_id, []).append(record)
    withdrawals = {
        w.respondent_id: w
        for w in session.exec(select(Withdrawal).where(col(Withdrawal.respondent_id).in_(ids)))
    }
    result = []
    for respondent in found:
        row = Row(
            respondent,
            links.get(respondent.id),
            records.get(respondent.id, []),
            withdrawals.get(respondent.id),
        )
        row.up_to_date = row.record is not None and is_current(row.record, documents)
        result.append(row)
    if names_for is not None:
        review.require_author(session, study, names_for)
    if names_for is not None and found:
        audit.record(
            session,
            "respondents.names_shown",
            actor_id=names_for.id,
            study_id=study.id,
            subject=f"study:{study.id}",
            respondents=len([r for r in found if r.sealed_contact is not None]),
        )
        for row in result:
            row.contact = contact(session, row.respondent, names_for, purpose="register")
    return result


def _when(value) -> str:
    return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""


def table(rows_: list[Row]) -> tuple[list[str], list[list[str]]]:
    """Return the register as a header and rows of text, one row per consent or state."""
    header = [
        _("Code"),
        _("Status"),
        _("Invited"),
        _("Consent given"),
        _("Channel"),
        _("Language"),
        _("Letter version"),
        _("Letter hash"),
        _("Form version"),
        _("Form hash"),
        _("Items agreed to"),
        _("Superseded"),
        _("Withdrawn"),
    ]
    lines = []
    for row in rows_:
        status = _status_label(row.status)
        invited = _when(row.link.created_at) if row.link else ""
        withdrawn = _when(row.withdrawal.withdrawn_at) if row.withdrawal else ""
        if not row.records:
            lines.append([row.respondent.code, status, invited, *[""] * 9, withdrawn])
        for record in row.records:
            lines.append(
                [
                    row.respondent.code,
                    status,
                    invited,
                    _when(record.given_at),
                    _channel_label(record.channel),
                    record.language,
                    str(record.letter_number),
                    record.letter_hash,
                    str(record.form_number),
                    record.form_hash,
                    "; ".join(_item_name(key) for key, yes in record.items.items() if yes),
                    _when(record.superseded_at),
                    withdrawn,
                ]
            )
    return header, lines


def _channel_label(channel: str) -> str:
    labels = {"link": _("personal link"), "paper": _("paper form")}
    return labels.get(channel, channel)


def _item_name(key: str) -> str:
    """Name an item in short (taking part, audio recording …); an item the student added by its key."""
    template = consent.ITEMS_BY_KEY.get(key)
    return str(template.name) if template is not None else key


def _status_label(status: str) -> str:
    labels = {
        "withdrawn": _("withdrawn"),
        "consented": _("consented"),
        "earlier_version": _("consented to an earlier version"),
        "invited": _("invited"),
        "added": _("added"),
    }
    return labels[status]


def to_csv(rows_: list[Row]) -> str:
    """Return the register as CSV (UTF-8 with a byte-order mark, for spreadsheet programs)."""
    header, lines = table(rows_)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for line in lines:
        # A cell a spreadsheet would take for a formula is quoted as text.
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@") else c for c in line])
    return "\ufeff" + out.getvalue()


def to_pdf(study: Study, rows_: list[Row]) -> bytes:
    """Return the register as a PDF table."""
    header, lines = table(rows_)
    return render_pdf(
        "consent_register",
        title=_("Consent register"),
        draft=False,
        study_title=study.title,
        made_at=_when(utcnow()),
        header=header,
        lines=lines,
    )


def record_export(session: Session, study: Study, actor: User, kind: str) -> None:
    """Write the register's export to the audit log."""
    audit.record(
        session,
        "register.exported",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"study:{study.id}",
        format=kind,
    )
