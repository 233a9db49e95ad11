"""How the interview guide reads on the review path: one item per question, what it lacks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..review.documents import Item, StepDocument, register
from . import services


def items(document: dict) -> list[Item]:
    """Return the guide part by part, in order, each with all that can change in it.

    A question's item holds its wording, its probes and the interviewer's notes, so that the
    review's comparison with the last reviewed version shows a question reworded.
    """
    found = [
        Item("title", _l("Title of the guide"), document.get("title", "")),
        Item("intro", _l("Introduction"), document.get("intro_script", "")),
    ]
    number = 0
    for position, section in enumerate(document.get("sections", []), 1):
        group = section["title"] or _l("Section without a title")
        details = [section["title"]]
        if section.get("minutes") is not None:
            details.append(str(_l("%(n)d min", n=section["minutes"])))
        details += [f"→ {covered}" for covered in section.get("covers", [])]
        found.append(
            Item(section["id"], _l("Section %(n)d", n=position), "\n".join(details), group=group)
        )
        for question in section["questions"]:
            number += 1
            lines = [question["text"], *(f"– {probe}" for probe in question["probes"])]
            if question["notes"]:
                lines.append(
                    str(_l("Notes for the interviewer: %(notes)s", notes=question["notes"]))
                )
            found.append(
                Item(
                    # By the question's own id: a comment follows it into another section.
                    question["id"],
                    _l("Question %(n)d", n=number),
                    "\n".join(lines),
                    group=group,
                )
            )
    found.append(Item("closing", _l("Closing"), document.get("closing_script", "")))
    return found


def incomplete(document: dict) -> list:
    """Return what must be written before the guide can be submitted."""
    sections = document.get("sections", [])
    if not sections:
        return [_l("write at least one section with questions")]
    found = []
    for number, section in enumerate(sections, 1):
        if not section["title"]:
            found.append(_l("give section %(n)d a title", n=number))
        if not section["questions"]:
            found.append(_l("add a question to section %(n)d", n=number))
        if any(not question["text"] for question in section["questions"]):
            found.append(_l("write every question of section %(n)d", n=number))
    return found


GUIDE = register(
    StepDocument(
        step=services.STEP,
        edit_endpoint="guide.show",
        current=services.document,
        items=items,
        incomplete=incomplete,
        pdf_endpoint="guide.appendix_pdf",
        pdf_label=_l("The guide as an appendix (PDF)"),
    )
)
