"""The interview guide: editing part by part, undo, import, review, and the appendix PDF."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlmodel import select

from study.accounts.models import Role, User
from study.appendices import settings
from study.errors import UserError
from study.guide import edits, services
from study.review import services as review
from study.review.models import Outcome
from study.studies.models import StepStatus, Study

from ..conftest import require

ROOT = Path(__file__).resolve().parents[2]
ARTEFACTS = Path(os.environ.get("TEST_ARTEFACTS", ROOT / "test-artefacts")) / "guide"

PASTED = """Bakgrund
1. Berätta om dig själv.
   a) Hur länge har du arbetat här?
   - Vilken utbildning har du?
2) Hur ser en vanlig dag ut?
Arbetet
1. Vad betyder relationer i ditt arbete?
1.1 Kan du ge ett exempel?
"""


# --- the document and its edits (pure) ------------------------------------------------------


def test_a_numbered_list_becomes_sections_questions_and_probes():
    sections = edits.from_list(PASTED)
    assert [s["title"] for s in sections] == ["Bakgrund", "Arbetet"]
    assert [q["text"] for q in sections[0]["questions"]] == [
        "Berätta om dig själv.",
        "Hur ser en vanlig dag ut?",
    ]
    assert sections[0]["questions"][0]["probes"] == [
        "Hur länge har du arbetat här?",
        "Vilken utbildning har du?",
    ]
    assert sections[1]["questions"][0]["probes"] == ["Kan du ge ett exempel?"]
    with pytest.raises(ValueError):
        edits.from_list("Bara en rubrik\noch text utan nummer")


def test_ids_are_given_once_and_never_reused():
    guide = edits.clean({"title": "G", "sections": edits.from_list(PASTED)})
    ids = [p["id"] for s in guide["sections"] for p in [s, *s["questions"]]]
    assert len(ids) == len(set(ids))
    copied = edits.apply(guide, "duplicate_section", guide["sections"][0]["id"])
    new_ids = [p["id"] for s in copied["sections"] for p in [s, *s["questions"]]]
    assert len(new_ids) == len(set(new_ids)) and set(ids) < set(new_ids)
    removed = edits.apply(copied, "delete_section", copied["sections"][-1]["id"])
    added = edits.apply(removed, "add_section")
    assert added["sections"][-1]["id"] not in ids
    assert edits.clean(added) == added  # canonical: cleaning again changes nothing


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("question_down", ["Hur ser en vanlig dag ut?", "Berätta om dig själv."]),
        ("question_up", ["Berätta om dig själv.", "Hur ser en vanlig dag ut?"]),  # first stays
        ("delete_question", ["Hur ser en vanlig dag ut?"]),
        (
            "duplicate_question",
            ["Berätta om dig själv.", "Berätta om dig själv.", "Hur ser en vanlig dag ut?"],
        ),
    ],
)
def test_question_actions(action, expected):
    guide = edits.clean({"title": "G", "sections": edits.from_list(PASTED)})
    first = guide["sections"][0]
    changed = edits.apply(guide, action, first["id"], first["questions"][0]["id"])
    assert [q["text"] for q in changed["sections"][0]["questions"]] == expected
    assert guide == edits.clean({"title": "G", "sections": edits.from_list(PASTED)})  # pure


def test_unknown_targets_and_limits_are_refused():
    guide = edits.clean({"title": "G", "sections": edits.from_list(PASTED)})
    with pytest.raises(ValueError):
        edits.apply(guide, "delete_section", "s999")
    with pytest.raises(ValueError):
        edits.apply(guide, "format_disk", guide["sections"][0]["id"])
    with pytest.raises(ValueError):
        edits.clean({"sections": [{"questions": [{"text": "x" * 6000}]}]})
    with pytest.raises(ValueError):
        edits.clean({"sections": "nej"})


def test_minutes_and_research_questions_covered():
    guide = edits.clean(
        {
            "sections": [
                {"title": "A", "minutes": 10, "covers": ["RQ1"], "questions": ["Q"]},
                {"title": "B", "minutes": "15", "questions": ["Q"]},
            ]
        }
    )
    assert edits.total_minutes(guide) == 25
    assert edits.uncovered(guide, ["RQ1", "RQ2"]) == ["RQ2"]


# --- through the services and the review path ----------------------------------------------


@pytest.fixture
def demo(app, runner, session):
    assert runner.invoke(args=["demo"]).exit_code == 0
    study = session.exec(select(Study)).one()
    student = session.exec(select(User).where(User.role == Role.STUDENT)).one()
    supervisor = session.exec(select(User).where(User.role == Role.SUPERVISOR)).one()
    return study, student, supervisor


def test_changes_are_audited_undone_and_reviewed_per_question(app, session, demo):
    study, student, supervisor = demo
    with app.test_request_context():
        before = services.document(session, study)
        first = before["sections"][0]
        services.change(
            session, study, student, "question_down", first["id"], first["questions"][0]["id"]
        )
        assert services.document(session, study) != before
        services.undo(session, study, student)
        assert services.document(session, study) == before
        with pytest.raises(UserError):
            services.change(session, study, supervisor, "add_section")
        version = review.submit(session, study, student, "guide")
        with pytest.raises(UserError):
            services.change(session, study, student, "add_section")
        key = first["questions"][1]["id"]
        review.decide(
            session,
            study,
            supervisor,
            "guide",
            outcome=Outcome.CHANGES_REQUESTED,
            item_comments={key: "Ställ frågan öppnare."},
        )
        assert version.content["sections"][0]["questions"][1]["id"] == first["questions"][1]["id"]
        opened = services.document(session, study)
        opened["sections"][0]["questions"][1]["text"] = "Hur ser dina dagar ut?"
        services.save_guide(session, study, student, opened)
        review.submit(session, study, student, "guide")
        review.decide(session, study, supervisor, "guide", outcome=Outcome.APPROVED)
        session.commit()
        assert review.step_state(session, study, "guide").status is StepStatus.APPROVED
        services.change(session, study, student, "add_section")
        state = review.step_state(session, study, "guide")
    assert state.status is StepStatus.DRAFT and state.changed_since_approval


def test_the_editor_saves_what_the_page_sends_and_its_buttons_act(app, session, client, demo):
    study, _student, _supervisor = demo
    client.post("/login", data={"email": "student@example.org", "password": "demo-student-1"})
    page = client.get(f"/studies/{study.id}/guide")
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    form = soup.select_one("form.guide-editor")
    fields = {
        i["name"]: i.get("value", "")
        for i in form.select("input[name]")
        if i.get("type") != "checkbox"
    }
    fields.update({t["name"]: t.get_text() for t in form.select("textarea[name]")})
    guide = services.document(session, study)
    sid, qid = guide["sections"][0]["id"], guide["sections"][0]["questions"][0]["id"]
    fields[f"{qid}-notes"] = "Fråga om hela yrkeslivet."
    fields["action"] = f"question_down:{sid}:{qid}"
    response = client.post(f"/studies/{study.id}/guide", data=fields)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#{qid}-text")
    session.expire_all()
    with app.test_request_context():
        changed = services.document(session, study)
    moved = changed["sections"][0]["questions"][1]
    assert moved["id"] == qid and moved["notes"] == "Fråga om hela yrkeslivet."
    exported = client.get(f"/studies/{study.id}/guide.json")
    assert json.loads(exported.data) == changed


def test_a_pasted_list_is_added_and_a_json_guide_replaces(app, session, client, demo):
    study, _student, _supervisor = demo
    client.post("/login", data={"email": "student@example.org", "password": "demo-student-1"})
    with app.test_request_context():
        sections_before = len(services.document(session, study)["sections"])
    response = client.post(f"/studies/{study.id}/guide/import", data={"pasted": PASTED})
    assert response.status_code == 302
    session.expire_all()
    with app.test_request_context():
        assert len(services.document(session, study)["sections"]) == sections_before + 2
    replacement = {"title": "Ny", "sections": [{"title": "Enda", "questions": ["Hur?"]}]}
    client.post(f"/studies/{study.id}/guide/import", data={"pasted": json.dumps(replacement)})
    session.expire_all()
    with app.test_request_context():
        assert [s["title"] for s in services.document(session, study)["sections"]] == ["Enda"]
    refused = client.post(f"/studies/{study.id}/guide/import", data={"pasted": "{inte json"})
    assert refused.status_code == 400


# --- the appendix ---------------------------------------------------------------------------


def keep_pages(data: bytes, name: str) -> None:
    require(
        shutil.which("pdftoppm") is not None, "pdftoppm not found (apt-get install poppler-utils)"
    )
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-", str(ARTEFACTS / name)],
        input=data,
        check=True,
        timeout=60,
    )
    assert list(ARTEFACTS.glob(f"{name}*.png"))


@pytest.mark.parametrize(
    ("lang", "label", "page"),
    [("sv", "Bilaga 1 Frågeguide", "Sida 1 av"), ("en", "Appendix 1 Interview guide", "Sida 1 av")],
)
def test_the_appendix_has_every_question_and_probe_in_order_and_no_notes(
    app, session, client, demo, lang, label, page
):
    study, student, _supervisor = demo
    with app.test_request_context():
        guide = services.document(session, study)
        guide["sections"][0]["questions"][0]["notes"] = "HEMLIG ANTECKNING"
        services.save_guide(session, study, student, guide)
        settings.save(session, study, student, {"language": lang, "parts": []})
        session.commit()
    client.post("/login", data={"email": "student@example.org", "password": "demo-student-1"})
    response = client.get(f"/studies/{study.id}/guide/appendix.pdf?draft=1")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    expected = [label] + [
        " ".join(part.split())
        for section in guide["sections"]
        for question in section["questions"]
        for part in [question["text"], *question["probes"]]
    ]
    position = 0
    for part in expected:
        found = text.find(part, position)
        assert found >= 0, (part, text[position : position + 300])
        position = found + len(part)
    assert "HEMLIG ANTECKNING" not in text
    assert page in text and "Utkast" in text
    keep_pages(response.data, f"guide-{lang}")


def test_a_dragged_question_or_section_lands_where_it_was_dropped():
    guide = edits.clean(
        {
            "sections": [
                {"title": "A", "questions": ["a1", "a2"]},
                {"title": "B", "questions": ["b1"]},
            ]
        }
    )
    a, b = guide["sections"]
    into_b = edits.apply(guide, "move_question", a["id"], a["questions"][0]["id"], f"{b['id']}/0")
    assert [[q["text"] for q in s["questions"]] for s in into_b["sections"]] == [
        ["a2"],
        ["a1", "b1"],
    ]
    down = edits.apply(guide, "move_question", a["id"], a["questions"][0]["id"], f"{a['id']}/1")
    assert [q["text"] for q in down["sections"][0]["questions"]] == ["a2", "a1"]
    first = edits.apply(guide, "move_section", b["id"], "", "0")
    assert [s["title"] for s in first["sections"]] == ["B", "A"]
    assert edits.field_after(into_b, "move_question", a["id"], a["questions"][0]["id"]) == (
        f"{a['questions'][0]['id']}-text"
    )
    with pytest.raises(ValueError):
        edits.apply(guide, "move_question", a["id"], a["questions"][0]["id"], "s999/0")
    with pytest.raises(ValueError):
        edits.apply(guide, "move_section", b["id"], "", "först")


def test_an_id_never_comes_back_after_its_part_is_removed():
    guide = edits.clean({"sections": [{"title": "A", "questions": ["a1", "a2"]}]})
    last = guide["sections"][0]["questions"][-1]["id"]
    removed = edits.apply(guide, "delete_question", guide["sections"][0]["id"], last)
    added = edits.apply(removed, "add_question", guide["sections"][0]["id"])
    assert added["sections"][0]["questions"][-1]["id"] != last


@pytest.mark.parametrize(
    "raw",
    [
        {"sections": {"title": "A"}},
        {"sections": [{"title": "A", "covers": 5, "questions": []}]},
        {"sections": [{"title": "A", "covers": "RQ", "questions": []}]},
        {"sections": [{"title": "A", "minutes": 1e400, "questions": []}]},
        {"sections": [{"title": "A", "minutes": True, "questions": []}]},
        {"sections": [{"title": "A", "minutes": "²", "questions": []}]},
        {"sections": [{"title": True, "questions": []}]},
        {"sections": [{"title": "A", "questions": [{"text": "Q", "probes": "p"}]}]},
        {"sections": [{"title": "A\x00", "questions": []}]},
        {"sections": [{"title": "A", "questions": [{"text": "Q\x0bR"}]}]},
    ],
)
def test_an_import_of_the_wrong_shape_is_refused_with_a_message(raw):
    with pytest.raises(ValueError):
        edits.clean(raw)


def test_an_unknown_language_becomes_swedish_and_long_blank_runs_are_read_at_once():
    assert edits.clean({"language": "zz-Latn!", "sections": []})["language"] == "sv"
    assert edits.clean({"language": "EN", "sections": []})["language"] == "en"
    # A line of spaces after a marker: read in one pass, not by backtracking.
    assert edits.from_list("1. q\na)" + " " * 50_000 + "\n2. r")[-1]["questions"][-1]["text"] == "r"


def test_undo_does_not_reach_behind_a_submitted_version(app, session, demo):
    study, student, _supervisor = demo
    with app.test_request_context():
        services.change(session, study, student, "add_section")
        guide = services.document(session, study)
        guide["sections"] = guide["sections"][:-1]
        services.save_guide(session, study, student, guide)
        review.submit(session, study, student, "guide")
        session.commit()
        assert not services.can_undo(session, study)
        with pytest.raises(UserError):
            services.undo(session, study, student)
