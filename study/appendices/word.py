"""The interview guide as a Word document, for theses written in Word (python-docx).

The only module that imports python-docx. Headings are Word's own heading styles and the
questions one numbered list through the guide, so that a thesis template's styles and its
table of contents take them as they are; probes are bulleted under their question and the
interviewer's notes are left out.
"""

from __future__ import annotations

import io

from docx import Document

from ..guide.edits import paragraphs


def guide_docx(guide: dict, heading: dict, *, draft_mark: str | None = None) -> bytes:
    """Return the guide's appendix as DOCX bytes (`guide` as guide/edits.py shapes it).

    :param draft_mark: the word ("Utkast") every page's header carries for a version the
        supervisor has not approved; None for an approved one.
    """
    document = Document()
    document.core_properties.title = f"{heading['label']} {heading['title']}"
    document.core_properties.language = guide.get("language") or "sv"
    if draft_mark:
        document.sections[0].header.paragraphs[0].text = draft_mark
    document.add_heading(f"{heading['label']} {heading['title']}", level=1)
    if guide.get("title"):
        document.add_paragraph(guide["title"], style="Subtitle")
    for paragraph in paragraphs(guide.get("intro_script", "")):
        document.add_paragraph(paragraph)
    for section in guide.get("sections", []):
        if section["title"]:
            document.add_heading(section["title"], level=2)
        for question in section["questions"]:
            if not question["text"]:
                continue
            document.add_paragraph(question["text"], style="List Number")
            for probe in question["probes"]:
                document.add_paragraph(probe, style="List Bullet 2")
    for paragraph in paragraphs(guide.get("closing_script", "")):
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
