"""Text helpers: matching form, sentence starts, neighbouring words and case style."""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import Protocol, TypeVar

_NON_WORD = re.compile(r"[\W_]")
_BLANK = re.compile(r"[^\r\n]")
_SENTENCE_START = re.compile(
    r"(?:^|[.!?…]\s+)(?:\[[\d:.,]+\]\s*)?(?:[^\W\d_]{1,15}:\s+)?([^\W\d_])", re.MULTILINE
)
_NEXT_WORD = re.compile(r"[ \t]+([\w:]+)")
_NEXT_MARK = re.compile(r"[ \t]*(\S?)")
_WORD = re.compile(r"[^\W\d_]+")
_OPENERS = frozenset(" \t\"'”“«»(–—-")
# ")" and "]" close a note such as "(skratt)" or "[paus]": what follows starts anew.
_TERMINATORS = frozenset(".!?…:)]")


def matching_form(text: str) -> str:
    """Return ``text`` lowercased with every non-word character as a space, same length.

    Whole-word matching then needs no per-character checks: a term padded with spaces can
    only match where the text has word boundaries.
    """
    lowered = text.lower()
    if len(lowered) != len(text):
        # "İ" lowercases to two characters: read it as "i" so offsets hold ("İzmir", "Izmir").
        lowered = text.replace("\u0130", "I").lower()
        if len(lowered) != len(text):  # another such character: keep each as it is
            lowered = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
    return _NON_WORD.sub(" ", lowered)


@lru_cache(maxsize=65536)
def term_form(term: str) -> str:
    """Return the matching form of a term with runs of spaces collapsed."""
    return " ".join(matching_form(term).split())


def _is_lowercase_line(line: str) -> bool:
    """Tell whether most of a line's sentences start in lowercase (and at least one does)."""
    initials = [match.group(1) for match in _SENTENCE_START.finditer(line)]
    lower = sum(1 for initial in initials if initial.islower())
    return lower >= 1 and lower > len(initials) - lower


class LineStyle:
    """Which lines of a transcript are written in lowercase style.

    Transcribers differ per line: the interviewer's questions may be typed all lowercase while
    the answers have capitals. Capitalisation is evidence only where the line uses it.
    """

    def __init__(self, text: str):
        self._starts: list[int] = []
        self._lowercase: list[bool] = []
        self._lines = text.splitlines(keepends=True)
        position = 0
        for line in self._lines:
            self._starts.append(position)
            self._lowercase.append(_is_lowercase_line(line))
            position += len(line)

    def lowercase_lines(self) -> str:
        """Return the text with every line not in lowercase style blanked, offsets kept."""
        return "".join(
            line if lowercase else _BLANK.sub(" ", line)
            for line, lowercase in zip(self._lines, self._lowercase, strict=True)
        )

    @property
    def any_lowercase(self) -> bool:
        """Tell whether any line is in lowercase style."""
        return any(self._lowercase)

    def lowercase_at(self, position: int) -> bool:
        """Tell whether the line holding ``position`` is in lowercase style."""
        i = bisect_right(self._starts, position) - 1
        return i >= 0 and self._lowercase[i]


def is_sentence_start(text: str, pos: int) -> bool:
    """Tell whether the word at ``pos`` starts a sentence or an utterance."""
    i = pos - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    return i < 0 or text[i] == "\n" or text[i] in _TERMINATORS


def previous_word(text: str, pos: int) -> str | None:
    """Return the lowercased word just before ``pos`` within its sentence, if any."""
    end = pos
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    if end == pos:
        return None
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_:"):
        start -= 1
    if start == end or text[end - 1] == ":":
        return None  # a speaker label ("R:") or a list opens the sentence
    return text[start:end].lower()


def word_before_word(text: str, start: int) -> str | None:
    """Return the word before the word before ``start`` ("hette" in "hette också bror")."""
    return previous_word(text, text.rfind(" ", 0, start - 1) + 1)


_WORD_AND_COMMA_BEFORE = re.compile(r"(\w+),? $")


def word_before_comma(text: str, start: int) -> str | None:
    """Return the lowercased word before ``start``, with or without a comma between."""
    match = _WORD_AND_COMMA_BEFORE.search(text, max(0, start - 40), start)
    return match.group(1).lower() if match else None


def next_word(text: str, end: int) -> str | None:
    """Return the word just after ``end`` (separated by spaces only), if any."""
    match = _NEXT_WORD.match(text, end)
    return match.group(1) if match else None


def next_word_end(text: str, end: int) -> int | None:
    """Return where the word just after ``end`` ends, if there is one."""
    match = _NEXT_WORD.match(text, end)
    return match.end(1) if match else None


def next_mark(text: str, end: int) -> str:
    """Return the next non-blank character after ``end`` ("" at a line or text end)."""
    match = _NEXT_MARK.match(text, end)
    return match.group(1) if match else ""


def words(text: str) -> set[str]:
    """Return the set of lowercased words in ``text``."""
    return set(_WORD.findall(text.lower()))


def like_case(original: str, replacement: str) -> str:
    """Give ``replacement`` the case style of ``original`` where that makes sense."""
    if replacement.startswith("["):
        return replacement
    if original.islower():
        return replacement.lower()
    if len(original) > 1 and original.isupper() and not replacement.isupper():
        return replacement.upper()
    return replacement


class _Located(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


_Item = TypeVar("_Item", bound=_Located)


def without_overlaps(items: list[_Item]) -> list[_Item]:
    """Keep the earliest, then longest, of overlapping spans; earlier-listed wins ties."""
    ordered = sorted(enumerate(items), key=lambda pair: (pair[1].start, -pair[1].end, pair[0]))
    kept: list[_Item] = []
    for _, item in ordered:
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept
