"""Quasi-identifiers: ages, exact dates and rare job titles, flagged "consider generalising"."""

from __future__ import annotations

import csv
import re
from functools import cache
from typing import TYPE_CHECKING

from . import lexicon, patterns
from .codekey import Category
from .text import previous_word

if TYPE_CHECKING:
    from .suggest import Suggestion

_UNITS = ("", "ett", "en", "två", "tre", "fyra", "fem", "sex", "sju", "åtta", "nio")
_TEENS = "tio elva tolv tretton fjorton femton sexton sjutton arton nitton".split()
_TENS = "tjugo trettio tretti fyrtio fyrti femtio sextio sjuttio åttio nittio".split()
_NUMBER_WORDS = sorted(
    {*_TEENS, *(tens + unit for tens in _TENS for unit in _UNITS)}, key=len, reverse=True
)
_NUMBER = rf"(?:\d{{1,2}}|{'|'.join(_NUMBER_WORDS)}|{'|'.join(_UNITS[1:])})"
_AGE = re.compile(
    rf"(?<![\w-]){_NUMBER}(?:[ -]?åring(?:en|ar|arna)?| år(?: gammal| gamla| fyllda)?)(?![\w-])",
    re.IGNORECASE,
)
_AGE_AFTER_VERB = re.compile(
    rf"(?<![\w-])(?:var|är|blev|blir|fyller|fyllde) ({'|'.join(_NUMBER_WORDS)})(?![\w-])",
    re.IGNORECASE,
)
# "i elva år", "sedan tre år": years of experience or duration, not an age.
_DURATION_MARKERS = frozenset("i på under sedan sen efter om varje per inom".split())
_RARE_TITLE_ZIPF = 3.0
_WORD = re.compile(r"(?<![\w-])[^\W\d_]{6,}(?![\w-])")


@cache
def _title_endings() -> dict[str, str]:
    """Job-title endings with the reason shown."""
    return dict(csv.reader(lexicon.data_lines("quasi_identifiers.csv")))


def find_quasi_identifiers(text: str) -> list[Suggestion]:
    """Return ages, exact non-birth dates and rare job titles found in ``text``."""
    from .suggest import GENERALISE, Suggestion

    def flag(start: int, end: int, reason: str) -> Suggestion:
        chunk = text[start:end]
        return Suggestion(start, end, chunk, Category.OTHER, reason, chunk, action=GENERALISE)

    found: list[Suggestion] = []
    for match in _AGE.finditer(text):
        if previous_word(text, match.start()) not in _DURATION_MARKERS:
            found.append(flag(match.start(), match.end(), "ålder"))
    for match in _AGE_AFTER_VERB.finditer(text):
        found.append(flag(match.start(1), match.end(1), "ålder"))
    for start, end, is_birth in patterns.find_dates(text):
        if not is_birth:
            found.append(flag(start, end, "exakt datum"))
    endings = _title_endings()
    for match in _WORD.finditer(text):
        lower = match.group().lower()
        for ending, reason in endings.items():
            stem = (
                lower.removesuffix("n").removesuffix("e") if lower.endswith(("n", "en")) else lower
            )
            if (lower.endswith(ending) or stem.endswith(ending)) and len(lower) > len(ending) + 2:
                if lexicon.zipf(lower) < _RARE_TITLE_ZIPF:
                    found.append(flag(match.start(), match.end(), reason))
                break
    found.sort(key=lambda s: (s.start, -s.end))
    kept: list[Suggestion] = []
    for item in found:
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept
