"""The self-review's questions and the checks on their answers.

An answer is ``{"value": str | list[str], "explanation": str}``; a study's answers map
question keys to answers. The questions themselves are data in `catalogue.py`, their shapes
in `kinds.py`; the rules that read the answers are in `rules.py`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .catalogue import QUESTIONS, QUESTIONS_BY_KEY
from .kinds import (
    _ISO_DATE,
    MAX_TEXT,
    NOT_A_DATE,
    NOT_AN_OPTION,
    SECTIONS,
    SECTIONS_BY_KEY,
    TOO_LONG,
    UNREADABLE,
    YES_NO,
    YES_NO_UNSURE,
    YES_OR_UNSURE,
    Answers,
    Kind,
    Option,
    Question,
    Section,
    answer_is,
    answer_value,
)

__all__ = [
    "MAX_TEXT",
    "NOT_AN_OPTION",
    "NOT_A_DATE",
    "QUESTIONS",
    "QUESTIONS_BY_KEY",
    "SECTIONS",
    "SECTIONS_BY_KEY",
    "TOO_LONG",
    "UNREADABLE",
    "YES_NO",
    "YES_NO_UNSURE",
    "YES_OR_UNSURE",
    "Answers",
    "Kind",
    "Option",
    "Question",
    "Section",
    "answer_is",
    "answer_value",
    "clean_answer",
    "missing",
    "needs_explanation",
    "progress",
    "visible",
]


def visible(answers: Answers) -> list[Question]:
    """Return the questions shown for these answers, in order."""
    return [q for q in QUESTIONS if q.shown_when is None or q.shown_when(answers)]


def clean_answer(question: Question, value: Any, explanation: Any = "") -> dict[str, Any]:
    """Return the answer normalised; an explanation no value asks for is dropped.

    :raises ValueError: with a message for the user as its first argument, when the value
        is not one of the options, not a date or too long.
    """
    if question.kind is Kind.MULTI:
        cleaned: str | list[str] = _clean_options(question, value)
    else:
        cleaned = _clean_text(value)
        if cleaned and question.kind in (Kind.YES_NO_UNSURE, Kind.CHOICE):
            if cleaned not in {option.value for option in question.options}:
                raise ValueError(NOT_AN_OPTION)
        elif cleaned and question.kind is Kind.DATE:
            _check_date(cleaned)
    answer = {"value": cleaned, "explanation": ""}
    if needs_explanation(question, answer):
        answer["explanation"] = _clean_text(explanation)
    return answer


def needs_explanation(question: Question, answer: Mapping[str, Any] | None) -> bool:
    """Tell whether the answer's value is one the student must explain."""
    return bool(_chosen(answer) & question.explain_when)


def missing(answers: Answers) -> list[Question]:
    """Return the shown required questions not yet answered or lacking their explanation."""
    return [q for q in visible(answers) if q.required and not _complete(q, answers.get(q.key))]


def progress(answers: Answers) -> dict[str, tuple[int, int]]:
    """Return (answered, shown) questions per section key, in section order."""
    counts = {section.key: [0, 0] for section in SECTIONS}
    for question in visible(answers):
        counts[question.section][1] += 1
        counts[question.section][0] += _complete(question, answers.get(question.key))
    return {key: (done, total) for key, (done, total) in counts.items()}


def _complete(question: Question, answer: Mapping[str, Any] | None) -> bool:
    """Tell whether a question has a value and, where the value asks for one, an explanation."""
    if not _chosen(answer):
        return False
    if not needs_explanation(question, answer):
        return True
    explanation = (answer or {}).get("explanation")
    return isinstance(explanation, str) and bool(explanation.strip())


def _chosen(answer: Mapping[str, Any] | None) -> set[str]:
    """Return the non-blank values of an answer as a set (one for all but a multi)."""
    value = (answer or {}).get("value")
    values = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return {v for v in values if isinstance(v, str) and v.strip()}


def _clean_options(question: Question, value: Any) -> list[str]:
    """Return the chosen options of a multi, once each and in the options' order."""
    if value is None:
        value = []
    elif isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(UNREADABLE)
    chosen = {v.strip() for v in value} - {""}
    allowed = [option.value for option in question.options]
    if chosen - set(allowed):
        raise ValueError(NOT_AN_OPTION)
    return [v for v in allowed if v in chosen]


def _clean_text(value: Any) -> str:
    """Return text stripped, with one kind of line break and no NUL (PostgreSQL refuses it)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(UNREADABLE)
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "").strip()
    if len(text) > MAX_TEXT:
        raise ValueError(TOO_LONG)
    return text


def _check_date(text: str) -> None:
    """Refuse anything but a real date written yyyy-mm-dd.

    date.fromisoformat alone also takes "20270630" and week dates, which a person reading
    the stored answer would not recognise.
    """
    if not _ISO_DATE.fullmatch(text):
        raise ValueError(NOT_A_DATE)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ValueError(NOT_A_DATE) from None
