"""The appendices together: one PDF in the student's order, and the guide as a Word document."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from sqlmodel import select

from study.accounts.models import Role, User
from study.appendices import settings
from study.guide import services as guides
from study.letters import consent_form
from study.letters import services as letters
from study.review import services as review
from study.review.models import Outcome
from study.studies.models import Study

from ..conftest import require

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = Path(os.environ.get("TEST_ARTEFACTS", ROOT / "test-artefacts")) / "appendices"


@pytest.fixture
def study(app, runner, session):
    """The demo study with its guide, a letter and a consent form; the guide approved."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    study = session.exec(select(Study)).one()
    student = session.exec(select(User).where(User.role == Role.STUDENT)).one()
    supervisor = session.exec(select(User).where(User.role == Role.SUPERVISOR)).one()
    with app.test_request_context():
        letters.create(session, study, student, ["sv"])
        consent_form.create(session, study, student)
        review.submit(session, study, student, "guide")
        review.decide(session, study, supervisor, "guide", outcome=Outcome.APPROVED)
        session.commit()
    return study


def login(client):
    client.post("/login", data={"email": "student@example.org", "password": "demo-student-1"})


def page_texts(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_the_bundle_holds_each_part_from_a_new_page_in_the_chosen_order(
    app, session, client, study
):
    student = session.exec(select(User).where(User.role == Role.STUDENT)).one()
    with app.test_request_context():
        settings.save(
            session,
            study,
            student,
            {
                "language": "sv",
                "parts": [
                    {"part": "letter", "include": True, "label": "Bilaga A", "title": ""},
                    {"part": "guide", "include": True, "label": "Bilaga B", "title": ""},
                    {"part": "consent_form", "include": True, "label": "Bilaga C", "title": ""},
                ],
            },
        )
        session.commit()
    login(client)
    response = client.get(f"/studies/{study.id}/appendices.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-")
    pages = page_texts(response.data)
    starts = [
        next(i for i, text in enumerate(pages) if title in text)
        for title in (
            "Bilaga A Informationsbrev",
            "Bilaga B Frågeguide",
            "Bilaga C Samtyckesblankett",
        )
    ]
    assert starts[0] == 0 and starts == sorted(starts)
    # Each part begins on a page of its own: the page before holds none of its heading.
    for start, title in zip(starts[1:], ("Bilaga B", "Bilaga C"), strict=True):
        assert title not in pages[start - 1]
    # The letter and form are drafts: every page says so.
    assert all("Utkast" in text for text in pages)
    with app.test_request_context():
        guide = guides.document(session, study)
    guide_text = " ".join(pages[starts[1] : starts[2]])
    assert all(
        " ".join(q["text"].split()) in guide_text for s in guide["sections"] for q in s["questions"]
    )
    require(
        shutil.which("pdftoppm") is not None, "pdftoppm not found (apt-get install poppler-utils)"
    )
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-", str(ARTEFACTS / "bundle")],
        input=response.data,
        check=True,
        timeout=120,
    )


def test_a_part_left_out_is_not_in_the_bundle(app, session, client, study):
    student = session.exec(select(User).where(User.role == Role.STUDENT)).one()
    with app.test_request_context():
        settings.save(
            session,
            study,
            student,
            {
                "language": "en",
                "parts": [{"part": "letter", "include": False, "label": "", "title": ""}],
            },
        )
        session.commit()
    login(client)
    text = " ".join(page_texts(client.get(f"/studies/{study.id}/appendices.pdf").data))
    assert "Appendix 1 Interview guide" in text and "Appendix 3 Consent form" in text
    assert "Information letter" not in text


def test_the_guide_opens_in_word_with_headings_and_one_numbered_list(app, session, client, study):
    login(client)
    response = client.get(f"/studies/{study.id}/guide.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    with app.test_request_context():
        guide = guides.document(session, study)
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Bilaga 1 Frågeguide"] + [s["title"] for s in guide["sections"]]
    numbered = [p.text for p in document.paragraphs if p.style.name == "List Number"]
    assert numbered == [q["text"] for s in guide["sections"] for q in s["questions"]]
    probes = [p.text for p in document.paragraphs if p.style.name == "List Bullet 2"]
    assert probes == [p for s in guide["sections"] for q in s["questions"] for p in q["probes"]]
    # The numbered list is one Word list: every question has the same numbering.
    ids = {
        p._p.pPr.numPr.numId.val if p._p.pPr is not None and p._p.pPr.numPr is not None else None
        for p in document.paragraphs
        if p.style.name == "List Number"
    }
    assert len(ids) == 1


def test_one_appendix_alone_carries_its_label(app, session, client, study):
    login(client)
    response = client.get(f"/studies/{study.id}/appendices.pdf?part=letter")
    text = " ".join(page_texts(response.data))
    assert "Bilaga 2 Informationsbrev" in text and "Frågeguide" not in text
    assert client.get(f"/studies/{study.id}/appendices.pdf?part=nothing").status_code == 404
