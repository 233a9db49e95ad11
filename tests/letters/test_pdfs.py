"""The letter and the blank consent form as PDF: headings in order, frame, fonts, right-to-left.

Each PDF's first page is also drawn to PNG (pdftoppm) under test-artefacts/letters/, so that a
person can look at what the tests read.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import select

from study.accounts.models import Role, User
from study.audit import AuditEvent
from study.letters import consent_form, document, sections, services
from study.letters.sections import MAIN
from study.studies.models import Study

from ..conftest import require

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = Path(os.environ.get("TEST_ARTEFACTS", ROOT / "test-artefacts")) / "letters"

#: An Arabic letter as a translator would write it: a heading and a sentence per section.
ARABIC_HEADINGS = {
    "request": "طلب المشاركة",
    "background": "الخلفية والهدف",
    "procedure": "كيف تتم الدراسة؟",
    "risks": "العواقب والمخاطر المحتملة",
    "voluntary": "المشاركة طوعية",
    "data_handling": "التعامل مع البيانات والسرية",
    "controller": "المسؤول عن البيانات",
    "dpo": "مسؤول حماية البيانات",
    "legal_basis": "الأغراض والأساس القانوني",
    "recipients": "المستلمون",
    "retention": "مدة الحفظ والإتلاف",
    "rights": "حقوقك",
    "withdrawal": "سحب موافقتك",
    "complaint": "الشكاوى إلى IMY",
    "results": "النتائج",
    "responsible": "المسؤولون",
}
ARABIC_TEXT = "نطلب منك المشاركة في مقابلة حول عملك. المشاركة طوعية ويمكنك التوقف في أي وقت."


@pytest.fixture
def letter(app, runner, session):
    """The demo study with its letter in Swedish, English and Arabic, and its consent form."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    study = session.exec(select(Study)).one()
    student = session.exec(select(User).where(User.role == Role.STUDENT)).one()
    with app.test_request_context():
        services.create(session, study, student, ["sv", "en"])
        services.add_language(session, study, student, "ar")
        sections = {
            (MAIN, key): (
                ARABIC_HEADINGS.get(key, "ملخص"),
                ARABIC_TEXT
                + {
                    "controller": f" {study.controller}",
                    "dpo": f" {study.data_protection_officer}",
                    "responsible": " student@example.org handledare@example.org",
                }.get(key, ""),
            )
            for key in document.letter_document(session, study)["letters"]["ar"][MAIN]
            if key != "summary"
        }
        services.save_language(session, study, student, "ar", "رسالة معلومات", sections)
        consent_form.create(session, study, student)
        session.commit()
    return study, student


def fetch(client, study, path: str, **query) -> PdfReader:
    response = client.get(f"/studies/{study.id}/{path}", query_string=query)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    return PdfReader(io.BytesIO(response.data)), response.data


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def keep_first_page(data: bytes, name: str) -> Path:
    """Draw the first page to PNG for a person to look at; return the file."""
    require(
        shutil.which("pdftoppm") is not None, "pdftoppm not found (apt-get install poppler-utils)"
    )
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTEFACTS / name
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile", "-", str(stem)],
        input=data,
        check=True,
        timeout=60,
    )
    png = stem.with_suffix(".png")
    assert png.stat().st_size > 1000
    return png


def appear_in_order(text: str, words: list[str]) -> bool:
    position = 0
    for word in words:
        found = text.find(word, position)
        if found < 0:
            return False
        position = found + len(word)
    return True


@pytest.mark.parametrize(
    ("code", "page_word", "draft_word"), [("sv", "Sida", "Utkast"), ("en", "Page", "Draft")]
)
def test_the_letter_pdf_has_its_headings_in_order_on_numbered_draft_pages(
    app, client, auth, letter, code, page_word, draft_word
):
    study, student = letter
    auth.login(student, "demo-student-1")
    reader, data = fetch(client, study, "letter.pdf", lang=code, draft=1)
    text = " ".join(text_of(reader).split())
    headings = [
        s["heading"]
        for _key, s in sections.in_order(document_of(app, study)["letters"][code][MAIN])
        if s["text"].strip()
    ]
    assert len(headings) >= 15
    assert appear_in_order(text, headings), (headings, text[:2000])
    assert f"{page_word} 1 " in text and draft_word in text
    assert "Exempeluniversitetet" in text and "handledare@example.org" in text
    for page in reader.pages:
        assert draft_word in page.extract_text()
    keep_first_page(data, f"letter-{code}")


def document_of(app, study):
    from study.db import get_session

    with app.test_request_context():
        return document.letter_document(get_session(), study)


def test_the_arabic_letter_is_right_to_left_in_a_real_arabic_font(app, client, auth, letter):
    study, student = letter
    auth.login(student, "demo-student-1")
    reader, data = fetch(client, study, "letter.pdf", lang="ar", draft=1)
    fonts = {
        str(font.get_object()["/BaseFont"])
        for page in reader.pages
        for font in (page["/Resources"].get("/Font") or {}).values()
    }
    assert any("Intervjustudie-Arabic" in name for name in fonts), fonts
    # The extracted words are the Arabic ones (joined forms folded back), in either reading
    # direction: no heading fell back to a box or to another script.
    text = unicodedata.normalize("NFKC", text_of(reader))
    for heading in ("طلب المشاركة", "حقوقك", "النتائج"):
        assert heading in text or heading[::-1] in text, heading
    page = client.get(f"/studies/{study.id}/letter/ar/preview?draft=1").get_data(as_text=True)
    assert 'lang="ar" dir="rtl"' in page
    keep_first_page(data, "letter-ar")


def test_the_shipped_fonts_cover_the_scripts_respondents_read():
    from fontTools.ttLib import TTFont

    fonts = ROOT / "study" / "static" / "fonts"
    samples = {
        "NotoSansArabic-Regular.ttf": ARABIC_TEXT.replace(" ", "") + "پچژگکی",  # Persian too
        "NotoSansEthiopic-Regular.ttf": "ሰላምእንዴትነህትግርኛ",
        "DejaVuSans.ttf": "Hej åäö ÅÄÖ Привіт Γειά",
    }
    for name, sample in samples.items():
        cmap = TTFont(fonts / name).getBestCmap()
        missing = [c for c in sample if not c.isspace() and ord(c) not in cmap]
        assert not missing, (name, missing)


@pytest.mark.parametrize("code", ["sv", "en", "ar"])
def test_the_blank_consent_form_has_each_item_and_signature_lines(app, client, auth, letter, code):
    study, student = letter
    auth.login(student, "demo-student-1")
    reader, data = fetch(client, study, "consent-form.pdf", lang=code, draft=1)
    text = " ".join(text_of(reader).split())
    with app.test_request_context():
        from study.db import get_session

        form = document.form_document(get_session(), study)
    if code != "ar":
        items = [" ".join(item["texts"][code].split())[:40] for item in form["items"]]
        assert appear_in_order(text, items), (items, text)
        assert form["labels"][code]["signature"] in text
    keep_first_page(data, f"consent-form-{code}")


def test_an_approved_version_prints_without_the_draft_mark_and_downloads_are_audited(
    app, client, auth, letter, session
):
    from study.review import services as review

    study, student = letter
    supervisor = session.exec(select(User).where(User.role == Role.SUPERVISOR)).one()
    with app.test_request_context():
        review.submit(session, study, student, "letter")
        review.decide(session, study, supervisor, "letter", outcome=review.Outcome.APPROVED)
        session.commit()
    auth.login(student, "demo-student-1")
    reader, _data = fetch(client, study, "letter.pdf", lang="sv", version=1)
    assert "Utkast" not in text_of(reader)
    entries = session.exec(
        select(AuditEvent).where(AuditEvent.action == "letter.pdf_downloaded")
    ).all()
    assert entries and entries[-1].study_id == study.id


def test_the_pdf_of_an_unknown_language_or_version_is_not_found(client, auth, letter):
    study, student = letter
    auth.login(student, "demo-student-1")
    assert client.get(f"/studies/{study.id}/letter.pdf?lang=fi").status_code == 404
    assert client.get(f"/studies/{study.id}/letter.pdf?version=9").status_code == 404
    assert client.get(f"/studies/{study.id}/consent-form.pdf?version=x").status_code == 404
