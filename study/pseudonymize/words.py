"""The shapes of words: names, surnames, definite nouns, nouns for people, and spans to avoid."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol, TypeVar

from . import lexicon
from .codekey import Category

#: Capitals of the Latin alphabets names in Sweden come in ("Łódź", "Ánde", "Šejla", "Çelik").
UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"


#: Below this Zipf frequency a compound is taken as a coined name ("Tallbergsskolan").
RARE_ZIPF = 1.5


#: From this Zipf frequency a word is too common to be taken for a name by context alone.
VERY_COMMON_ZIPF = 5.0


#: From this Zipf frequency the stem of a definite form counts as an ordinary noun.
DEFINITE_STEM_ZIPF = 2.5


@dataclass(frozen=True, slots=True)
class Candidate:
    """A name-like span: where, the term to put in the key, its category and why."""

    start: int
    end: int
    term: str
    category: Category
    reason: str


class _HasSpan(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...


_Spanned = TypeVar("_Spanned", bound=_HasSpan)


class Spans:
    """Sorted, non-overlapping spans that candidates must not touch (found patterns, labels)."""

    def __init__(self, spans: list[tuple[int, int]]):
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        self._starts = [start for start, _ in merged]
        self._spans = merged

    def enclosing(self, items: Iterable[_Spanned]) -> list[_Spanned]:
        """Return the items (with start and end) that overlap any of these spans."""
        return [item for item in items if self.overlaps(item.start, item.end)]

    def free(self, spans: Iterable[tuple[int, int]]) -> Iterator[tuple[int, int]]:
        """Yield the spans, given in text order, that overlap none of these (one pass)."""
        k = 0
        for start, end in spans:
            while k < len(self._spans) and self._spans[k][1] <= start:
                k += 1
            if k == len(self._spans) or self._spans[k][0] >= end:
                yield start, end

    def overlaps(self, start: int, end: int) -> bool:
        """Tell whether ``start:end`` overlaps one of the spans."""
        i = bisect_right(self._starts, end - 1) - 1
        return i >= 0 and self._spans[i][1] > start


def listed(word: str) -> bool:
    """Tell whether a word is a listed name, place or well-known organisation."""
    return lexicon.in_name_lists(word) or word.lower() in lexicon.known_organisations()


def base_form(word: str) -> tuple[str, bool]:
    """Return the word without a genitive -s when only the base form is listed."""
    if not listed(word) and word.endswith("s") and listed(word[:-1]):
        return word[:-1], True
    return word, False


def surname_like(word: str) -> bool:
    """Tell whether a word is a listed surname or has a typical surname ending."""
    lower = word.lower()
    return lower in lexicon.surnames() or (
        lower.endswith(lexicon.surname_endings()) and lower not in lexicon.places()
    )


def place_name(word: str) -> bool:
    """Tell whether a word, no ordinary one, ends like a place or water name ("Munksjön").

    Not a compound of ordinary words on a settlement ending: "ursprungsland", "fiskeby".
    """
    lower = word.lower()
    if lower.endswith(("et", "en")) and lexicon.zipf(lower[:-2]) >= lexicon.ORDINARY_ZIPF:
        return False  # "missbruket": the definite form of an ordinary noun
    if lexicon.zipf(lower) >= lexicon.ORDINARY_ZIPF or surname_like(word):
        return False
    for ending in lexicon.word_list("place_endings.txt"):
        if lower.endswith(ending) and len(lower) >= len(ending) + 3:
            return not (ending in _COMMON_ENDINGS and _ordinary_first_part(lower[: -len(ending)]))
    return False


#: From this Zipf frequency the first part of such a compound is a common word ("fiske",
#: "grann"); "Näs" in "Näsby" is rarer.
COMMON_PART_ZIPF = 3.5
#: Settlement endings that are ordinary words too ("land", "by"): a word on one of them is a
#: place only when its first part is no ordinary word ("Knalleland", not "ursprungsland").
_COMMON_ENDINGS = frozenset({"land", "by", "byn", "vik"})


def _ordinary_first_part(part: str) -> bool:
    """Tell whether the first part of a compound is an ordinary word ("ursprungs", "fiske")."""
    return any(lexicon.zipf(form) >= COMMON_PART_ZIPF for form in (part, part.removesuffix("s")))


@lru_cache(maxsize=65536)
def person_noun(word: str) -> bool:
    """Tell whether a word is a noun for a person ("kuratorn", "familjehemsmamman")."""
    lower = word.lower()
    cues = lexicon.word_list("person_cues.txt")
    # A compound ends in a cue of five letters or more, with at least three letters before it.
    return lower in cues or any(lower[-length:] in cues for length in range(5, len(lower) - 2))


def organisation_word(word: str) -> bool:
    """Tell whether a word ends in an organisation's head noun ("förskolan", "föreningens")."""
    return lexicon.organisation_head(word) is not None


def definite_noun(word: str) -> bool:
    """Tell whether a word is the definite form of an ordinary noun ("Ankaret", "Lyktan").

    Capitalised mid-sentence, such a word names something: a home, a club, a project.
    """
    lower = word.lower()
    if lower.endswith("s") and not lower.endswith("ss"):
        lower = lower[:-1]  # "Lyktans"
    if lower.endswith(("arna", "erna", "orna")) and len(lower) > 7:
        return True  # "Brobyggarna", "Läxhjälparna": a group by what its members do
    for ending, stem_end in (("et", -1), ("et", -2), ("en", -2), ("an", -1), ("n", -1)):
        if lower.endswith(ending) and len(lower) > len(ending) + 2:
            if _ordinary_noun(lower[:stem_end]):
                return True
    return False


def _ordinary_noun(stem: str) -> bool:
    """Tell whether a stem is an ordinary word, or a compound ending in one ("vänskaps|bro")."""
    if lexicon.zipf(stem) >= DEFINITE_STEM_ZIPF:
        return True
    return len(stem) >= 7 and any(
        lexicon.zipf(stem[i:]) >= lexicon.ORDINARY_ZIPF for i in range(3, len(stem) - 2)
    )


def pronoun_like(word: str) -> bool:
    """Tell whether a word is a pronoun, article or other word too common to be a name."""
    return word in lexicon.small_words() or lexicon.zipf(word) >= VERY_COMMON_ZIPF


#: Endings of inflected nouns and of nouns for people and things ("familjehemmen", "fältare",
#: "legitimation"): a word with one of them is no unlisted name, whatever verb follows.
NOUN_ENDINGS = (
    "en",
    "et",
    "na",
    "ar",
    "er",
    "or",
    "ing",
    "het",
    "else",
    "ande",
    "ende",
    "are",
    "ist",
    "tion",
    "sion",
    "itet",
    "ism",
    "team",
    "log",
    "loger",
)
