"""The letter and the blank consent form as PDF and as a preview page, from a draft or a version.

Which document: ?version=N a submitted version, ?draft=1 the draft being written; without
either the newest version, or the draft while nothing is submitted. Every page of what is
not an approved version says "Draft". Each download is written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request
from flask_babel import force_locale
from sqlmodel import Session

from .. import audit
from ..accounts.models import User
from ..pdf import render_pdf
from ..review import services as review
from ..review.models import StepVersion
from ..studies.models import Study
from ..views import requested_version
from . import consent
from .document import AUDIENCE_LABELS
from .drafts import LETTER
from .generate import GENERATED
from .sections import CHILD, MAIN, in_order


def chosen(session: Session, study: Study, step: str) -> tuple[dict, StepVersion | None, bool]:
    """Return the document the request asks for, its version (None: the draft), if approved."""
    number, draft = requested_version()
    try:
        return review.shown_version(session, study, step, number=number, draft=draft)
    except LookupError:
        abort(404)


def letter_context(shown: dict, code: str) -> dict:
    """Return the plain values a letter in one language is shown from (all from the document)."""
    written = shown["letters"][code]
    printed = shown.get("facts", {})
    audiences = []
    for audience in (MAIN, CHILD):
        sections = [
            {"heading": s["heading"], "paragraphs": _paragraphs(s["text"])}
            for _key, s in in_order(written.get(audience, {}))
            if s["text"].strip()
        ]
        if sections:
            audiences.append({"audience": audience, "sections": sections})
    title = written.get("title", "").strip() or printed.get("title", "")
    if code in GENERATED:
        with force_locale(code):
            child_title = f"{title} – {AUDIENCE_LABELS[CHILD]}"
    else:
        # In a language the app does not write, the student's title stands for both versions.
        child_title = title
    return {
        "title": title,
        "child_title": child_title,
        "university": printed.get("university", ""),
        "department": printed.get("department", ""),
        "audiences": audiences,
        "contacts": shown.get("facts", {}).get("contacts", []),
    }


def _paragraphs(text: str) -> list[dict]:
    """Split a section's text into paragraphs and lists ("- " lines) for the page."""
    blocks: list[dict] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        prose: list[str] = []
        for line in (line.strip() for line in block.split("\n")):
            if not line:
                continue
            if line.startswith(("- ", "• ", "* ")):
                if prose:
                    blocks.append({"text": " ".join(prose)})
                    prose = []
                if not blocks or "items" not in blocks[-1]:
                    blocks.append({"items": []})
                blocks[-1]["items"].append(line[2:].strip())
            else:
                prose.append(line)
        if prose:
            blocks.append({"text": " ".join(prose)})
    return blocks


def form_context(shown: dict, code: str) -> dict:
    """Return the plain values a blank consent form in one language is shown from."""
    printed = shown.get("facts", {})
    return {
        "labels": shown["labels"][code],
        "items": [
            {"text": item["texts"].get(code, ""), "required": item["required"]}
            for item in shown["items"]
        ],
        "guardians": shown["signatures"] == consent.Signatures.GUARDIANS,
        "university": printed.get("university", ""),
        "department": printed.get("department", ""),
        "study_title": printed.get("title", ""),
    }


@dataclass(frozen=True)
class Printed:
    """A rendered PDF and what it shows."""

    data: bytes
    filename: str
    language: str
    version: StepVersion | None


def render(session: Session, study: Study, step: str) -> Printed:
    """Render the letter or the blank form as PDF, in ?lang= (by default the first language)."""
    shown, version, approved = chosen(session, study, step)
    codes = shown.get("languages", [])
    code = request.args.get("lang") or (codes[0] if codes else "")
    if code not in codes:
        abort(404)
    if step == LETTER:
        context = letter_context(shown, code)
        data = render_pdf(
            "letter", title=context["title"], draft=not approved, lang=code, letter=context
        )
    else:
        context = form_context(shown, code)
        data = render_pdf(
            "consent_form",
            title=context["labels"].get("title") or context["study_title"],
            draft=not approved,
            lang=code,
            **context,
        )
    number = f"-v{version.number}" if version else "-draft"
    return Printed(data, f"{step.replace('_', '-')}-{study.id}-{code}{number}.pdf", code, version)


def record_download(session: Session, study: Study, actor: User, step: str, printed: Printed):
    """Write the download of a letter's or form's PDF to the audit log."""
    audit.record(
        session,
        f"{step}.pdf_downloaded",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"step_version:{printed.version.id}" if printed.version else f"study:{study.id}",
        language=printed.language,
        number=printed.version.number if printed.version else None,
    )
