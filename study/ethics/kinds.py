"""The shapes of the self-review's questions and answers, its sections, and conditions on answers."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

#: The longest text or explanation kept; a longer one is refused, not cut.
MAX_TEXT = 5000

Answers = Mapping[str, Mapping[str, Any]]

NOT_AN_OPTION = _l("Choose among the options shown.")
NOT_A_DATE = _l("Enter the date as YYYY-MM-DD, for example 2027-06-30.")
TOO_LONG = _l("An answer may be at most %(n)d characters long.", n=MAX_TEXT)
UNREADABLE = _l("The answer could not be read. Please try again.")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Kind(StrEnum):
    """How a question is answered."""

    YES_NO_UNSURE = "yes_no_unsure"
    TEXT = "text"
    #: One of the options.
    CHOICE = "choice"
    #: Any number of the options.
    MULTI = "multi"
    DATE = "date"


@dataclass(frozen=True)
class Section:
    """A group of questions: one of the four requirements, or data protection."""

    key: str
    title: LazyString
    summary: LazyString


@dataclass(frozen=True)
class Option:
    """One answer a choice offers."""

    value: str
    label: LazyString


@dataclass(frozen=True)
class Question:
    """One question of the self-review."""

    key: str
    section: str
    text: LazyString
    #: What the requirement means and why it is asked.
    help: LazyString
    kind: Kind
    options: tuple[Option, ...] = ()
    #: The answer values that must be explained (any of them, for a multi).
    explain_when: frozenset[str] = frozenset()
    explain_label: LazyString | None = None
    required: bool = True
    #: A follow-up is shown only when this says an earlier answer makes it relevant.
    shown_when: Callable[[Answers], bool] | None = None
    #: The value a new self-review starts from; the student still confirms it.
    default: str | None = None


YES_NO_UNSURE = (
    Option("yes", _l("Yes")),
    Option("no", _l("No")),
    Option("unsure", _l("Not sure")),
)
YES_NO = YES_NO_UNSURE[:2]
#: "Not sure" must be explained as "yes" would: the student does not yet know it is "no".
YES_OR_UNSURE = frozenset({"yes", "unsure"})


def answer_value(answers: Answers, key: str) -> str | list[str]:
    """Return the value answered to a question, or "" when there is none."""
    answer = answers.get(key) or {}
    return answer.get("value") or ""


def answer_is(key: str, *values: str) -> Callable[[Answers], bool]:
    """Return a condition on answers: the question was answered with one of the values."""
    wanted = frozenset(values)

    def condition(answers: Answers) -> bool:
        value = answer_value(answers, key)
        return isinstance(value, str) and value in wanted

    return condition


SECTIONS: tuple[Section, ...] = (
    Section(
        "informationskravet",
        _l("The information requirement"),
        _l(
            "Respondents are told the purpose, their role and conditions, that taking part is "
            "voluntary and can be stopped at any time, and who is responsible."
        ),
    ),
    Section(
        "samtyckeskravet",
        _l("The consent requirement"),
        _l(
            "Respondents decide for themselves: consent is voluntary, explicit, specific and "
            "documented, and can be withdrawn at any time without giving a reason."
        ),
    ),
    Section(
        "konfidentialitetskravet",
        _l("The confidentiality requirement"),
        _l(
            "Data are stored and reported so that no outsider can identify anyone: pseudonyms, "
            "a code key kept apart, and access limited to those who need it."
        ),
    ),
    Section(
        "nyttjandekravet",
        _l("The use requirement"),
        _l(
            "Data are used only for this research purpose, never for decisions about the "
            "individual or for commercial ends."
        ),
    ),
    Section(
        "gdpr",
        _l("Data protection (GDPR)"),
        _l(
            "Personal data are processed on a legal basis, for a stated purpose and no longer "
            "than needed, and respondents are told their rights."
        ),
    ),
)

SECTIONS_BY_KEY = {section.key: section for section in SECTIONS}
