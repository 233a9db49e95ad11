"""The receipt of a consent: what was agreed to, the exact versions, when; and the letter shown.

Made from the consent record and the frozen versions it names, so the same receipt can be
produced at any later time, for the respondent or for the register.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from .. import audit, mail
from ..letters import languages
from ..letters.pdfs import letter_context
from ..pdf import render_pdf
from ..respondents.models import Respondent
from ..respondents.services import contact
from ..review.models import StepVersion
from .forms import NAME_LABELS
from .models import ConsentRecord
from .services import signed_names

CHANNELS = {"link": _l("through the personal link"), "paper": _l("on the paper form")}


def receipt_context(
    session: Session,
    respondent: Respondent,
    record: ConsentRecord,
    *,
    names: bool = True,
    link_until: datetime | None = None,
) -> dict:
    """Return the plain values a receipt is shown from (the typed names only with `names`).

    Opening the names is an audit entry in the caller's transaction: commit it.
    """
    letter = session.get(StepVersion, record.letter_version_id)
    form = session.get(StepVersion, record.form_version_id)
    assert letter is not None and form is not None
    code = record.language
    facts = form.content.get("facts", {})
    labels = form.content.get("labels", {}).get(code, {})
    opened = signed_names(session, respondent, record, actor=None) if names else {}
    return {
        "study_title": facts.get("title", ""),
        "university": facts.get("university", ""),
        "department": facts.get("department", ""),
        "code": respondent.code,
        "given_at": format_datetime(record.given_at, "yyyy-MM-dd HH:mm") + " UTC",
        "channel": str(CHANNELS.get(record.channel, record.channel)),
        "language": code,
        "language_name": languages.native_name(code),
        "direction": languages.direction(code),
        "letter_number": record.letter_number,
        "letter_hash": record.letter_hash,
        "form_number": record.form_number,
        "form_hash": record.form_hash,
        "items": [
            {
                "text": item["texts"].get(code, ""),
                "ticked": bool(record.items.get(item["key"])),
                "required": item["required"],
            }
            for item in form.content.get("items", [])
        ],
        "names": [
            {"label": str(NAME_LABELS[key][0]), "name": name}
            for key, name in opened.items()
            if key in NAME_LABELS
        ],
        "withdraw": labels.get("withdraw", ""),
        "contacts": letter.content.get("facts", {}).get("contacts", []),
        "letter": letter_context(letter.content, code),
        "withdrawn": record.withdrawn_at is not None,
        "link_until": format_datetime(link_until, "yyyy-MM-dd") if link_until else "",
    }


def render_receipt(context: dict) -> bytes:
    """Render the receipt, with the letter as it was shown after it, as PDF."""
    return render_pdf(
        "consent_receipt",
        title=context["study_title"],
        draft=False,
        lang=context["language"],
        receipt=context,
        letter=context["letter"],
    )


def mail_receipt(
    session: Session, respondent: Respondent, record: ConsentRecord, link_until: datetime
) -> bool:
    """Mail the receipt, with its PDF, to the address the invitation went to; return if it went.

    Never to an address typed on the page: the link would otherwise send the study's
    words anywhere. The sending is an audit entry; the decryptions are too, sent or not.
    """
    address = contact(session, respondent, None, purpose="receipt_mail").email
    if not address:
        return False
    context = receipt_context(session, respondent, record, link_until=link_until)
    data = render_receipt(context)
    subject, body = mail.compose("consent_receipt", receipt=context)
    sent = mail.send_mail(
        address, subject, body, attachments=[(filename(record), "application/pdf", data)]
    )
    if sent:
        audit.record(
            session,
            "consent.receipt_sent",
            study_id=respondent.study_id,
            subject=f"respondent:{respondent.id}",
            record=record.id,
        )
    return sent


def filename(record: ConsentRecord) -> str:
    """Return the receipt's file name."""
    return f"consent-receipt-{record.given_at:%Y%m%d}-{record.id}.pdf"


def record_download(
    session: Session, respondent: Respondent, record: ConsentRecord, actor_id: int | None
) -> None:
    """Write the receipt's download to the audit log."""
    audit.record(
        session,
        "consent.receipt_downloaded",
        actor_id=actor_id,
        study_id=respondent.study_id,
        subject=f"respondent:{respondent.id}",
        record=record.id,
    )
