"""Benchmark: a 3-page document through render_pdf beside WeasyPrint alone on the same HTML.

Run as ``.venv/bin/python bench/pdf.py [--runs 15]``. Prints the median of --runs renders of
each, after one warm-up of each (the app's first render loads the fonts, and is shown too):
render_pdf in a request context, and ``weasyprint.HTML(string=html).write_pdf()`` on the
same HTML with the stylesheet inlined and the fonts as file URLs.
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
from jinja2 import ChoiceLoader, DictLoader  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from study import create_app, pdf  # noqa: E402

RATIO_TARGET = 1.2
SECONDS_TARGET = 1.0

DOCUMENT = """{% extends "pdf/base.html" %}{% block content %}
<h1>{{ title }}</h1>
<p class="meta">Relationell välfärd i en ideell organisation · Exempeluniversitetet</p>
<h2>Syfte</h2>
<p>{{ purpose }}</p>
{% for section, questions in sections %}
<h2>{{ section }}</h2>
<table>
  <thead><tr><th>Fråga</th><th>Svar</th></tr></thead>
  <tbody>
  {% for question, answer in questions %}
  <tr><th scope="row">{{ question }}</th><td>{{ answer }}</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endfor %}
{% endblock %}"""

PURPOSE = (
    "Studien undersöker hur socialarbetare i en ideell organisation beskriver relationen till "
    "de ungdomar de möter, och hur organisationens villkor formar det relationella arbetet. "
) * 4
ANSWER = (
    "Intervjupersonerna är anställda socialarbetare. De får skriftlig information om studien, "
    "om att deltagandet är frivilligt och att de när som helst kan avbryta utan att ange skäl."
)


def context() -> dict:
    """The plain values of a self-review summary of about three pages."""
    sections = [
        (
            f"Avsnitt {s}: {name}",
            [(f"Fråga {s}.{q}: hur hanteras detta i studien?", ANSWER) for q in range(1, 7)],
        )
        for s, name in enumerate(
            ["Informationskravet", "Samtyckeskravet", "Konfidentialitetskravet", "Nyttjandekravet"],
            start=1,
        )
    ]
    return {"purpose": PURPOSE, "sections": sections}


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="bench-pdf-")
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
    app.jinja_loader = ChoiceLoader([DictLoader({"pdf/_bench.html": DOCUMENT}), app.jinja_loader])
    values = {"title": "Etisk egengranskning", "draft": True, **context()}

    with app.test_request_context():
        started = time.perf_counter()
        first = pdf.render_pdf("_bench", **values)
        first_seconds = time.perf_counter() - started
        html = standalone(pdf.render_html("_bench", **values))

        def through_app() -> bytes:
            return pdf.render_pdf("_bench", **values)

        def weasyprint_alone() -> bytes:
            return weasyprint.HTML(string=html).write_pdf()

        pages = len(PdfReader(io.BytesIO(first)).pages)
        # The same document both ways: as many pages from WeasyPrint alone.
        assert len(PdfReader(io.BytesIO(weasyprint_alone())).pages) == pages
        app_seconds = median_seconds(through_app, args.runs)
        alone_seconds = median_seconds(weasyprint_alone, args.runs)

    ratio = app_seconds / alone_seconds
    print(f"PDF: a {pages}-page self-review summary, median of {args.runs} renders each")
    print(f"  render_pdf, first in the process  {first_seconds:6.3f} s  (loads the fonts)")
    print(
        f"  render_pdf                        {app_seconds:6.3f} s  target < {SECONDS_TARGET:g} s"
    )
    print(f"  WeasyPrint alone, same HTML       {alone_seconds:6.3f} s")
    print(f"  ratio                             {ratio:6.2f} ×  target ≤ {RATIO_TARGET:g}×")
    ok = ratio <= RATIO_TARGET and app_seconds < SECONDS_TARGET
    print("  targets met" if ok else "  TARGET MISSED")


if __name__ == "__main__":
    main()
