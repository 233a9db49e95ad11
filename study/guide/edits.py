"""The interview guide as a document, and the changes the editor makes to it.

A guide document: {"title", "language", "intro_script", "closing_script", "last_id",
"sections": [{"id", "title", "minutes", "covers": [research question, …], "questions":
[{"id", "text", "probes": [str, …], "notes"}]}]}. Sections and questions keep ids ("s3",
"q12") numbered from `last_id`, the highest ever given, so that no id comes back after a
deletion and a supervisor's comment on a question still names it in the next version.
Every function here is pure: it takes a document and returns a new one, or raises ValueError
with a message for the student.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from flask_babel import lazy_gettext as _l

from ..letters import languages

MAX_SECTIONS = 30
MAX_QUESTIONS = 60
MAX_PROBES = 20
MAX_TEXT = 5000
MAX_TITLE = 300
MAX_MINUTES = 600

NOT_A_GUIDE = _l("The interview guide is not in the expected form.")
NO_SUCH_PART = _l("That part of the guide is no longer there. Reload the page.")

#: The editor's buttons; each acts on the section or question it stands beside.
ACTIONS = (
    "add_section",
    "add_question",
    "delete_section",
    "delete_question",
    "duplicate_section",
    "duplicate_question",
    "section_up",
    "section_down",
    "question_up",
    "question_down",
    "move_question",
    "move_section",
)


def empty(title: str = "", language: str = "sv") -> dict:
    """Return a guide with nothing in it yet."""
    return {
        "title": title,
        "language": language,
        "intro_script": "",
        "closing_script": "",
        "last_id": 0,
        "sections": [],
    }


def clean(raw: Any) -> dict:
    """Return a guide document in canonical form from what an import or a save gives.

    Ids are kept where they are well formed and unique, and given where they are missing
    (a guide written by hand or exported from elsewhere).

    :raises ValueError: when the input does not have the shape of a guide.
    """
    if not isinstance(raw, dict):
        raise ValueError(NOT_A_GUIDE)
    raw_sections = _list(
        raw.get("sections"),
        MAX_SECTIONS,
        _l("A guide can have at most %(n)d sections.", n=MAX_SECTIONS),
    )
    guide = {
        "title": _text(raw.get("title"), MAX_TITLE),
        "language": languages.tag(_text(raw.get("language"), 16) or "sv") or "sv",
        "intro_script": _text(raw.get("intro_script"), MAX_TEXT),
        "closing_script": _text(raw.get("closing_script"), MAX_TEXT),
        "last_id": _whole(raw.get("last_id"), 10**6) or 0,
        "sections": [],
    }
    seen: set[str] = set()
    for section in raw_sections:
        if not isinstance(section, dict):
            raise ValueError(NOT_A_GUIDE)
        raw_questions = _list(
            section.get("questions"),
            MAX_QUESTIONS,
            _l("A section can have at most %(n)d questions.", n=MAX_QUESTIONS),
        )
        questions = []
        for question in raw_questions:
            if isinstance(question, str):
                question = {"text": question}
            if not isinstance(question, dict):
                raise ValueError(NOT_A_GUIDE)
            probes = _list(
                question.get("probes"),
                MAX_PROBES,
                _l("A question can have at most %(n)d probes.", n=MAX_PROBES),
            )
            questions.append(
                {
                    "id": _id(question.get("id"), "q", seen),
                    "text": _text(question.get("text"), MAX_TEXT),
                    "probes": [p for p in (_text(p, MAX_TEXT) for p in probes) if p],
                    "notes": _text(question.get("notes"), MAX_TEXT),
                }
            )
        covers = _list(section.get("covers"), 100, NOT_A_GUIDE)
        guide["sections"].append(
            {
                "id": _id(section.get("id"), "s", seen),
                "title": _text(section.get("title"), MAX_TITLE),
                "minutes": _minutes(section.get("minutes")),
                "covers": [c for c in (_text(c, MAX_TEXT) for c in covers) if c],
                "questions": questions,
            }
        )
    return _number_new_ids(guide, seen)


def _list(value: Any, limit: int, too_many) -> list:
    """Return a list from the input (None is empty), refusing any other shape or a long one."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(NOT_A_GUIDE)
    if len(value) > limit:
        raise ValueError(too_many)
    return value


#: Characters no text keeps: controls other than tab and line breaks (PostgreSQL and Word
#: refuse some), and the replacement character broken text decodes to.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")


def _text(value: Any, limit: int) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(NOT_A_GUIDE)
    text = str(value).replace("\r\n", "\n").strip()
    if len(text) > limit:
        raise ValueError(_l("A text in the guide may be at most %(n)d characters.", n=limit))
    if _FORBIDDEN.search(text):
        raise ValueError(_l("The text contains characters that are not allowed."))
    return text


def _whole(value: Any, limit: int) -> int | None:
    """Return a whole number from 0 to limit, or None when there is none."""
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(_l("Write the minutes as a whole number, for example 10."))
    text = str(value).strip()
    if not (text.isascii() and text.isdigit()) or int(text) > limit:
        raise ValueError(_l("A section takes from 0 to %(n)d minutes.", n=MAX_MINUTES))
    return int(text)


def _minutes(value: Any) -> int | None:
    return _whole(value, MAX_MINUTES)


_ID = re.compile(r"[sq][0-9]{1,6}")


def _id(value: Any, prefix: str, seen: set[str]) -> str:
    """Return a well-formed unused id, or "" for one to be numbered afterwards."""
    if isinstance(value, str) and _ID.fullmatch(value) and value[0] == prefix and value not in seen:
        seen.add(value)
        return value
    return ""


def _number_new_ids(guide: dict, seen: set[str]) -> dict:
    """Give every part without an id the next number above any ever given."""
    guide["last_id"] = max([guide["last_id"], *(int(i[1:]) for i in seen)])
    for section in guide["sections"]:
        section["id"] = section["id"] or _next_id(guide, "s")
        for question in section["questions"]:
            question["id"] = question["id"] or _next_id(guide, "q")
    return guide


def _next_id(guide: dict, prefix: str) -> str:
    """Return a new id: one above the highest ever given in this guide, which it becomes."""
    guide["last_id"] = guide.get("last_id", 0) + 1
    return f"{prefix}{guide['last_id']}"


def _find(guide: dict, section_id: str, question_id: str | None = None) -> tuple[list, int]:
    """Return the list that holds a section (or a question) and its place there."""
    for index, section in enumerate(guide["sections"]):
        if section["id"] != section_id:
            continue
        if question_id is None:
            return guide["sections"], index
        for position, question in enumerate(section["questions"]):
            if question["id"] == question_id:
                return section["questions"], position
    raise ValueError(NO_SUCH_PART)


def apply(
    guide: dict, action: str, section_id: str = "", question_id: str = "", to: str = ""
) -> dict:
    """Return the guide with one editor action done on the section or question named.

    :param to: where a dragged part goes: "<section id>/<position>" for a question (into
        any section), "<position>" for a section; positions count from 0.
    :raises ValueError: when the action or its target is unknown, or a limit is reached.
    """
    changed = copy.deepcopy(guide)
    if action in ("move_question", "move_section"):
        return _move(changed, action, section_id, question_id, to)
    if action == "add_section":
        if len(changed["sections"]) >= MAX_SECTIONS:
            raise ValueError(_l("A guide can have at most %(n)d sections.", n=MAX_SECTIONS))
        new_id = _next_id(changed, "s")
        question = {"id": _next_id(changed, "q"), "text": "", "probes": [], "notes": ""}
        changed["sections"].append(
            {"id": new_id, "title": "", "minutes": None, "covers": [], "questions": [question]}
        )
        return changed
    if action not in ACTIONS:
        raise ValueError(NO_SUCH_PART)
    on_question = action.endswith("question") or action.startswith("question")
    if action == "add_question":
        holder, index = _find(changed, section_id)
        questions = holder[index]["questions"]
        if len(questions) >= MAX_QUESTIONS:
            raise ValueError(_l("A section can have at most %(n)d questions.", n=MAX_QUESTIONS))
        questions.append({"id": _next_id(changed, "q"), "text": "", "probes": [], "notes": ""})
        return changed
    holder, index = _find(changed, section_id, question_id if on_question else None)
    if action.startswith("delete"):
        del holder[index]
    elif action.startswith("duplicate"):
        if len(holder) >= (MAX_QUESTIONS if on_question else MAX_SECTIONS):
            raise ValueError(_l("The guide cannot hold another copy here."))
        copied = copy.deepcopy(holder[index])
        copied["id"] = _next_id(changed, "q" if on_question else "s")
        if not on_question:
            for question in copied["questions"]:
                question["id"] = _next_id(changed, "q")
        holder.insert(index + 1, copied)
    else:
        step = -1 if action.endswith("_up") else 1
        target = index + step
        if 0 <= target < len(holder):
            holder[index], holder[target] = holder[target], holder[index]
    return changed


def _move(guide: dict, action: str, section_id: str, question_id: str, to: str) -> dict:
    """Move a dragged question or section to the place it was dropped on."""
    target_section, _slash, position = to.rpartition("/")
    if not (position.isascii() and position.isdigit()):
        raise ValueError(NO_SUCH_PART)
    if action == "move_section":
        holder, index = _find(guide, section_id)
        moved = holder.pop(index)
        holder.insert(min(int(position), len(holder)), moved)
        return guide
    holder, index = _find(guide, section_id, question_id)
    destination, at = _find(guide, target_section)
    questions = destination[at]["questions"]
    if questions is not holder and len(questions) >= MAX_QUESTIONS:
        raise ValueError(_l("A section can have at most %(n)d questions.", n=MAX_QUESTIONS))
    moved = holder.pop(index)
    questions.insert(min(int(position), len(questions)), moved)
    return guide


# Matched on lines without trailing space, so that no pattern backtracks over a long run of it.
_NUMBERED = re.compile(r"^\s*(?:\d{1,3}[.)]|[-•*–])\s+(\S.*)$")
_PROBE = re.compile(r"^\s*(?:[a-z][.)]|\d{1,3}\.\d{1,3}[.)]?|[-•*–])\s+(\S.*)$")


def from_list(text: str) -> list[dict]:
    """Return the questions of a numbered list pasted from a word processor.

    "1. A question" starts a question; an indented line, or one marked "a)", "1.1" or "-"
    under a numbered question, is a probe of it; a line that is neither indented nor marked
    begins a new section (its title).

    :raises ValueError: when the text holds no question.
    """
    sections: list[dict] = []
    current: dict | None = None
    last: dict | None = None
    for raw in text.replace("\r\n", "\n").split("\n"):
        raw = raw.rstrip()
        if not raw:
            continue
        indented = raw[:1] in (" ", "\t")
        numbered = re.match(r"^\s*\d{1,3}[.)]\s+(\S.*)$", raw)
        probe = _PROBE.match(raw)
        if numbered and not indented:
            if current is None:
                current = {"title": "", "questions": []}
                sections.append(current)
            last = {"text": numbered.group(1), "probes": []}
            current["questions"].append(last)
        elif last is not None and (indented or probe):
            marked = probe or _NUMBERED.match(raw)
            last["probes"].append(marked.group(1) if marked else raw.strip())
        else:
            current = {"title": raw.strip(), "questions": []}
            sections.append(current)
            last = None
    sections = [s for s in sections if s["questions"]]
    if not sections:
        raise ValueError(_l("No numbered questions were found: number them 1., 2., 3. …"))
    return sections


def field_after(guide: dict, action: str, section_id: str, question_id: str) -> str | None:
    """Return the id of the editor's field to open at after an action (None: the top).

    The part acted on, where it is now; a part just added or copied; after a removal, the
    section it was in.
    """
    sections = {s["id"]: s for s in guide["sections"]}
    section = sections.get(section_id)
    if action == "add_section" and guide["sections"]:
        return f"{guide['sections'][-1]['id']}-title"
    if section is None:
        return None
    ids = [q["id"] for q in section["questions"]]
    if action == "add_question" and ids:
        return f"{ids[-1]}-text"
    if action == "duplicate_question" and question_id in ids[:-1]:
        return f"{ids[ids.index(question_id) + 1]}-text"
    if action == "duplicate_section":
        order = [s["id"] for s in guide["sections"]]
        following = order.index(section_id) + 1
        return f"{order[following]}-title" if following < len(order) else f"{section_id}-title"
    if any(question_id == q["id"] for s in guide["sections"] for q in s["questions"]):
        return f"{question_id}-text"
    return f"{section_id}-title"


def paragraphs(text: str) -> list[str]:
    """Return a script's paragraphs (separated by a blank line), each on one line."""
    return [" ".join(part.split()) for part in text.split("\n\n") if part.strip()]


def total_minutes(guide: dict) -> int:
    """Return the estimated length of the interview: the sections' minutes summed."""
    return sum(section.get("minutes") or 0 for section in guide.get("sections", []))


def uncovered(guide: dict, research_questions: list[str]) -> list[str]:
    """Return the research questions that no section of the guide is linked to."""
    covered = {c for section in guide.get("sections", []) for c in section.get("covers", [])}
    return [question for question in research_questions if question not in covered]
