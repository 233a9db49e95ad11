"""PDFs: the frame (title, page numbers, draft mark), the shipped fonts, and a fetcher that
reaches nothing but the package's own assets."""

from __future__ import annotations

import io
import logging
import socket
import urllib.request
from pathlib import Path

import pytest
from flask_babel import force_locale
from jinja2 import ChoiceLoader, DictLoader
from pypdf import PdfReader

from study import pdf
from study.studies.models import Study

ROOT = Path(__file__).resolve().parents[1]

DOCUMENT = """{% extends "pdf/base.html" %}{% block content %}
<h1>{{ title }}</h1>
{% for question, answer in answers %}
<h2>{{ question }}</h2><p>{{ answer }}</p>
{% endfor %}
{% endblock %}"""

# What no template should ever contain, and what a user's text must never become.
HOSTILE = """{% extends "pdf/base.html" %}{% block content %}
<link rel="stylesheet" href="http://example.org/x.css">
<img src="file:///etc/passwd" alt="">
<img src="https://example.org/pixel.png" alt="">
<p>{{ note }}</p>
{% endblock %}"""

PARAGRAPH = "Intervjupersonen berättar om sitt arbete och om hur det har förändrats. " * 8


@pytest.fixture
def pdf_app(app):
    """The app with test documents beside the real templates (and so the real pdf/base.html)."""
    app.jinja_loader = ChoiceLoader(
        [
            DictLoader({"pdf/_document.html": DOCUMENT, "pdf/_hostile.html": HOSTILE}),
            app.jinja_loader,
        ]
    )
    return app


def answers(count: int) -> list[tuple[str, str]]:
    return [(f"Fråga {n}", PARAGRAPH) for n in range(1, count + 1)]


def render(app, *, lang: str = "sv", count: int = 12, draft: bool = False, **context) -> PdfReader:
    with app.test_request_context(), force_locale(lang):
        data = pdf.render_pdf(
            "_document",
            title="Etisk egengranskning",
            draft=draft,
            answers=answers(count),
            **context,
        )
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def test_the_bytes_are_a_pdf_with_the_title_in_its_metadata(pdf_app):
    reader = render(pdf_app, count=1)
    assert len(reader.pages) == 1
    assert reader.metadata.title == "Etisk egengranskning"


def test_the_title_is_on_every_page(pdf_app):
    pages = texts(render(pdf_app))
    assert len(pages) >= 3
    for text in pages:
        # Once in the top margin; the first page has the heading as well.
        assert "Etisk egengranskning" in text


def test_pages_are_numbered_in_swedish(pdf_app):
    pages = texts(render(pdf_app, lang="sv"))
    for number, text in enumerate(pages, start=1):
        assert f"Sida {number} av {len(pages)}" in text


def test_pages_are_numbered_in_english(pdf_app):
    pages = texts(render(pdf_app, lang="en"))
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text


@pytest.mark.parametrize(("lang", "word"), [("sv", "Utkast"), ("en", "Draft")])
def test_a_draft_says_so_on_every_page(pdf_app, lang, word):
    pages = texts(render(pdf_app, lang=lang, draft=True))
    assert len(pages) >= 3
    for text in pages:
        assert word in text


def test_a_final_document_says_draft_nowhere(pdf_app):
    for lang in ("sv", "en"):
        for text in texts(render(pdf_app, lang=lang, draft=False)):
            assert "Utkast" not in text
            assert "Draft" not in text


def test_a_document_in_its_own_language_has_the_frame_in_it(pdf_app):
    # The interface is Swedish; the document (say, an information letter) is in English.
    with pdf_app.test_request_context(), force_locale("sv"):
        html = pdf.render_html("_document", title="Letter", draft=True, lang="en", answers=[])
        data = pdf.render_pdf("_document", title="Letter", draft=True, lang="en", answers=[])
    assert '<html lang="en" dir="ltr">' in html
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Draft" in text
    assert "Utkast" not in text
    assert "Page 1 of 1" in text


def test_a_right_to_left_language_sets_the_direction(pdf_app):
    with pdf_app.test_request_context(), force_locale("sv"):
        arabic = pdf.render_html("_document", title="رسالة", draft=False, lang="ar", answers=[])
        swedish = pdf.render_html("_document", title="Brev", draft=False, answers=[])
        data = pdf.render_pdf("_document", title="رسالة", draft=False, lang="ar", answers=[])
    assert '<html lang="ar" dir="rtl">' in arabic
    assert '<html lang="sv" dir="ltr">' in swedish
    # The app has no Arabic words for the frame, so they are Swedish, and left to right.
    assert 'class="pdf-page" lang="sv" dir="ltr"' in arabic
    assert "رسالة" in PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_only_the_shipped_fonts_are_used(pdf_app, caplog):
    # From scratch, as in a new process: the stylesheet and every font face load cleanly.
    pdf._engine.cache_clear()
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        reader = render(pdf_app, count=1, draft=True)
    assert caplog.records == []
    fonts = {
        font.get_object()["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    # The embedded name comes from the @font-face family, which only the shipped files have.
    assert fonts
    assert all("Intervjustudie-Sans" in name for name in fonts), fonts
    assert (ROOT / "study" / "static" / "fonts" / "LICENSE.txt").is_file()


def test_the_fetcher_serves_the_package_fonts_and_stylesheet():
    fetcher = pdf.AssetFetcher()
    for name in ("fonts/DejaVuSans.ttf", "pdf.css"):
        response = fetcher.fetch(pdf.ASSET_PREFIX + name)
        assert response.read() == (ROOT / "study" / "static" / name).read_bytes()
        response.close()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.org/x.css",
        "https://example.org/x.css",
        "data:text/css,body{}",
        "pdf-asset:../../config.py",
        "pdf-asset:fonts/../../config.py",
        "pdf-asset:fonts/../../../../../etc/passwd",
        "pdf-asset:%2e%2e/config.py",
        "pdf-asset:/etc/passwd",
        "pdf-asset:fonts//DejaVuSans.ttf",
        "pdf-asset:fonts\\DejaVuSans.ttf",
        "pdf-asset:fonts/DejaVuSans.ttf?x=1",
        "pdf-asset:favicon.svg",
        "pdf-asset:fonts/LICENSE.txt",
        "pdf-asset:missing.css",
        "PDF-ASSET:pdf.css",
        "//example.org/pdf.css",
        "pdf.css",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(pdf.AssetRefusedError):
        pdf.AssetFetcher().fetch(url)


@pytest.fixture
def no_outside_access(pdf_app):
    """Record every URL WeasyPrint asks for, and fail on any file or network access for it.

    Undone before the app's teardown, which may connect to the test database.
    """
    asked: list[tuple[str, bool]] = []
    fetch = pdf.AssetFetcher.fetch

    def spy(self, url, headers=None):
        try:
            response = fetch(self, url, headers)
        except pdf.AssetRefusedError:
            asked.append((url, False))
            raise
        asked.append((url, True))
        return response

    def forbidden(*args, **kwargs):
        raise AssertionError(f"outside access attempted: {args!r}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf.AssetFetcher, "fetch", spy)
        patch.setattr(urllib.request.OpenerDirector, "open", forbidden)
        patch.setattr(socket.socket, "connect", forbidden)
        patch.setattr(socket, "create_connection", forbidden)
        yield asked


def test_outside_urls_in_a_document_neither_fail_the_render_nor_are_fetched(
    pdf_app, no_outside_access
):
    with pdf_app.test_request_context():
        data = pdf.render_pdf("_hostile", title="Titel", draft=False, note="Hej")
    assert "Hej" in PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert sorted(no_outside_access) == [
        ("file:///etc/passwd", False),
        ("http://example.org/x.css", False),
        ("https://example.org/pixel.png", False),
    ]


def test_what_a_user_types_stays_text(pdf_app, no_outside_access):
    typed = '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://example.org/x.css">'
    with pdf_app.test_request_context():
        data = pdf.render_pdf("_document", title=typed, draft=False, answers=[(typed, typed)])
    assert typed in PdfReader(io.BytesIO(data)).pages[0].extract_text().replace("\n", "")
    assert no_outside_access == []


def test_documents_are_rendered_from_plain_values_not_orm_objects(pdf_app):
    with pdf_app.test_request_context(), pytest.raises(TypeError, match="ORM"):
        pdf.render_html("_document", title="T", draft=False, answers=[], study=Study(title="S"))
    with pdf_app.test_request_context(), pytest.raises(TypeError, match=r"\['answers'\]\[0\]\[1\]"):
        pdf.render_html("_document", title="T", draft=False, answers=[("Q", Study(title="S"))])


@pytest.mark.parametrize("name", ["../base", "pdf/base", "Base", ""])
def test_only_templates_under_pdf_are_rendered(pdf_app, name):
    with pdf_app.test_request_context(), pytest.raises(ValueError, match="template name"):
        pdf.render_pdf(name, title="T", draft=False)
