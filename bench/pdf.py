"""Benchmark: the app's PDFs through the app beside WeasyPrint alone on the same HTML.

Run as ``.venv/bin/python bench/pdf.py [--runs 15]``. Builds a study whose self-review has
every question answered at length, two versions and two decisions, whose information letter
is generated in Swedish and whose guide is the demo's. For the self-review summary, the letter
and the guide's appendix, and the three appendices in one PDF, it prints the
median of --runs of each, after one warm-up (the app's first render loads the fonts): a
logged-in GET of the PDF through the app (routing, database, document, template, PDF), and
``weasyprint.HTML(string=html).write_pdf()`` on the same HTML with the stylesheet inlined and
the fonts as file URLs.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

import weasyprint  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from study import create_app, db, pdf  # noqa: E402
from study.accounts import services as accounts  # noqa: E402
from study.accounts.models import Role  # noqa: E402
from study.appendices import bundle  # noqa: E402
from study.demo import load_demo_document  # noqa: E402
from study.ethics import questions  # noqa: E402
from study.ethics import services as ethics  # noqa: E402
from study.ethics.document import summary_context  # noqa: E402
from study.guide import appendix as guide_appendix  # noqa: E402
from study.guide import services as guides  # noqa: E402
from study.letters import consent_form  # noqa: E402
from study.letters import document as letters_document  # noqa: E402
from study.letters import pdfs as letters_pdfs  # noqa: E402
from study.letters import services as letters  # noqa: E402
from study.review import services as review  # noqa: E402
from study.review.models import Outcome  # noqa: E402
from study.studies import services as studies  # noqa: E402
from study.studies.models import MemberRole, Study  # noqa: E402

RATIO_TARGET = 1.2
SECONDS_TARGET = 1.0
PASSWORD = "ett långt och ovanligt lösen"
ANSWER = (
    "Intervjupersonerna är anställda socialarbetare. De får skriftlig information om studien, "
    "om att deltagandet är frivilligt och att de när som helst kan avbryta utan att ange skäl."
)


def full_answers() -> dict:
    """Answer every question: sensitive data and minors (warnings), long texts elsewhere."""
    answers = {
        "sensitive_data": {"value": "yes", "explanation": ANSWER},
        "sensitive_categories": {"value": ["health"], "explanation": ""},
        "minors": {"value": "aged_15_17", "explanation": ANSWER},
    }
    while missing := questions.missing(answers):
        question = missing[0]
        if question.key in answers:
            answers[question.key]["explanation"] = ANSWER
            continue
        values = [o.value for o in question.options]
        if question.kind is questions.Kind.DATE:
            value = "2027-06-30"
        elif question.kind is questions.Kind.MULTI:
            value = values[:1]
        elif values:
            value = question.default or ("no" if "no" in values else values[0])
        else:
            value = ANSWER
        answers[question.key] = {"value": value, "explanation": ANSWER}
    return answers


def build_study(app) -> int:
    """Create a student, a supervisor and a study with two reviewed versions; return its id."""
    with app.test_request_context(), db.session_scope() as session:
        student, supervisor = (
            accounts.create_user(
                session, email=e, name=n, password=PASSWORD, role=r, confirmed=True
            )
            for e, n, r in (
                ("student@example.org", "Sara Student", Role.STUDENT),
                ("handledare@example.org", "Hanna Handledare", Role.SUPERVISOR),
            )
        )
        study = studies.create_study(
            session,
            student,
            {
                "title": "Relationell välfärd",
                "university": "Exempeluniversitetet",
                "department": "Institutionen för socialt arbete",
                "controller": "Exempeluniversitetet",
                "data_protection_officer": "dataskyddsombud@exempeluniversitetet.se",
                "purpose": ANSWER,
                "method": ANSWER,
            },
        )
        invitation, _token = studies.invite_member(
            session, study, student, supervisor.email, MemberRole.SUPERVISOR
        )
        studies.accept_invitation(session, invitation, supervisor)
        answers = full_answers()
        ethics.save_answers(
            session, study, student, {k: (a["value"], a["explanation"]) for k, a in answers.items()}
        )
        review.submit(session, study, student, "ethics")
        review.decide(
            session, study, supervisor, "ethics", outcome=Outcome.CHANGES_REQUESTED, comment=ANSWER
        )
        ethics.save_answers(session, study, student, {"storage": (ANSWER + " Krypterat.", "")})
        review.submit(session, study, student, "ethics")
        letters.create(session, study, student, ["sv"])
        consent_form.create(session, study, student)
        guides.save_guide(session, study, student, load_demo_document("interview_guide.json"))
        return study.id


def standalone(html: str) -> str:
    """Return the same HTML with the stylesheet inlined and the fonts as file URLs."""
    css = (pdf.STATIC_ROOT / "pdf.css").read_text(encoding="utf-8")
    css = css.replace("pdf-asset:fonts/", (pdf.STATIC_ROOT / "fonts").as_uri() + "/")
    return html.replace("</head>", f"<style>{css}</style>\n</head>", 1)


def median_seconds(render, runs: int) -> float:
    """Return the median wall time of runs calls."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        render()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(
    client, name: str, path: str, html: str, runs: int, seconds_target: float = SECONDS_TARGET
) -> bool:
    """Time one PDF both ways, print the figures, and tell whether the targets are met."""

    def through_app() -> bytes:
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        return response.get_data()

    def weasyprint_alone() -> bytes:
        return weasyprint.HTML(string=html).write_pdf()

    started = time.perf_counter()
    first = through_app()
    first_seconds = time.perf_counter() - started
    pages = len(PdfReader(io.BytesIO(first)).pages)
    # The same document both ways: as many pages from WeasyPrint alone.
    assert len(PdfReader(io.BytesIO(weasyprint_alone())).pages) == pages
    app_seconds = median_seconds(through_app, runs)
    alone_seconds = median_seconds(weasyprint_alone, runs)
    ratio = app_seconds / alone_seconds
    print(f"PDF: the {pages}-page {name}, median of {runs} each")
    print(f"  through the app, first request    {first_seconds:6.3f} s")
    print(
        f"  through the app                   {app_seconds:6.3f} s  target < {seconds_target:g} s"
    )
    print(f"  WeasyPrint alone, same HTML       {alone_seconds:6.3f} s")
    print(f"  ratio                             {ratio:6.2f} ×  target ≤ {RATIO_TARGET:g}×")
    return ratio <= RATIO_TARGET and app_seconds < seconds_target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-pdf-"))
    os.environ["INSTANCE_PATH"] = str(folder / "instance")
    url = f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url, "WTF_CSRF_ENABLED": False}
    )
    db.upgrade(url)
    study_id = build_study(app)
    client = app.test_client()
    client.post("/login", data={"email": "student@example.org", "password": PASSWORD})

    def summary_html(session, study) -> str:
        history = list(reversed(review.history(session, study, "ethics")))
        version = history[-1][0]
        values = summary_context(session, study, version, version.content, history)
        return pdf.render_html("ethics_summary", title=study.title, draft=True, **values)

    def letter_html(session, study) -> str:
        values = letters_pdfs.letter_context(letters_document.letter_document(session, study), "sv")
        return pdf.render_html(
            "letter", title=values["title"], draft=True, lang="sv", letter=values
        )

    def guide_html(session, study) -> str:
        values = guide_appendix.context(guides.document(session, study))
        heading = {"label": "Bilaga 1", "title": "Frågeguide"}
        return pdf.render_html(
            "guide", title=study.title, draft=True, lang="sv", heading=heading, **values
        )

    def bundle_html(session, study) -> str:
        shown = bundle.parts(session, study)
        return pdf.render_html("bundle", title=study.title, draft=True, lang="sv", parts=shown)

    results = []
    for name, path, make_html in (
        ("self-review summary", f"/studies/{study_id}/ethics/summary.pdf", summary_html),
        ("information letter (sv)", f"/studies/{study_id}/letter.pdf?lang=sv&draft=1", letter_html),
        ("demo guide appendix", f"/studies/{study_id}/guide/appendix.pdf?draft=1", guide_html),
    ):
        with app.test_request_context(), db.session_scope() as session:
            html = standalone(make_html(session, session.get(Study, study_id)))
        results.append(measure(client, name, path, html, args.runs))
    with app.test_request_context(), db.session_scope() as session:
        html = standalone(bundle_html(session, session.get(Study, study_id)))
    path = f"/studies/{study_id}/appendices.pdf"
    results.append(measure(client, "bundle of three appendices", path, html, args.runs, 2.0))
    print("  all targets met" if all(results) else "  TARGET MISSED")
    app.extensions["db_engine"].dispose()


if __name__ == "__main__":
    main()
