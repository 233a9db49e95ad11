"""Name, place and organisation candidates from capitalisation, context and the word lists."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from . import lexicon
from .codekey import Category
from .matcher import Term, TermMatcher
from .text import is_sentence_start, next_word, previous_word

_CAPITALISED = r"[A-ZÅÄÖÉÜÆØ][^\W\d_]*(?:-[^\W\d_]+)*"
_SEQUENCE = re.compile(rf"(?<![\w-]){_CAPITALISED}(?: {_CAPITALISED})*(?![\w-])")
_TOKEN = re.compile(r"\S+")
SPEAKER_LABEL = re.compile(r"^\[[\d:.,]+\][ \t]*[^\s:]{1,15}:|^[^\s:]{1,15}:(?=\s)", re.MULTILINE)
#: Below this Zipf frequency a compound is taken as a coined name ("Tallbergsskolan").
RARE_ZIPF = 1.5


@dataclass(frozen=True, slots=True)
class Candidate:
    """A name-like span: where, the term to put in the key, its category and why."""

    start: int
    end: int
    term: str
    category: Category
    reason: str


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

    def overlaps(self, start: int, end: int) -> bool:
        """Tell whether ``start:end`` overlaps one of the spans."""
        i = bisect_right(self._starts, end - 1) - 1
        return i >= 0 and self._spans[i][1] > start


def _listed(word: str) -> bool:
    """Tell whether a word is a listed name, place or well-known organisation."""
    return lexicon.in_name_lists(word) or word.lower() in lexicon.known_organisations()


def _base(word: str) -> tuple[str, bool]:
    """Return the word without a genitive -s when only the base form is listed."""
    if not _listed(word) and word.endswith("s") and _listed(word[:-1]):
        return word[:-1], True
    return word, False


def _is_surname_like(word: str) -> bool:
    """Tell whether a word is a listed surname or has a typical surname ending."""
    lower = word.lower()
    return lower in lexicon.surnames() or (
        lower.endswith(lexicon.surname_endings()) and lower not in lexicon.places()
    )


def _coined_compound(word: str) -> str | None:
    """Return the head's placeholder when ``word`` is a rare compound on an organisation noun."""
    head = lexicon.organisation_head(word)
    if head and len(word) > len(head[0]) and lexicon.zipf(word) < RARE_ZIPF:
        return head[2]
    return None


def _classify_word(text: str, start: int, word: str, at_start: bool) -> tuple[str, Category, str]:
    """Classify one capitalised word; an empty term means "not a candidate"."""
    lower = word.lower()
    if len(word) < 2 or lower in lexicon.neutral_terms():
        return "", Category.OTHER, ""
    if word.isupper():
        if lower in lexicon.known_organisations():
            return word, Category.ORGANISATION, "känd organisation"
        return "", Category.OTHER, ""  # other acronyms name methods and systems (BBIC, NPM)
    base, _ = _base(word)
    if at_start and lexicon.is_ordinary_word(base):
        return "", Category.OTHER, ""  # "Per vecka", "Rosa lappar": evidence must come elsewhere
    if base.lower() in lexicon.known_organisations():
        return base, Category.ORGANISATION, "känd organisation"
    if base.lower() in lexicon.places():
        return base, Category.PLACE, "ort i ortlistan"
    if base.lower() in lexicon.first_names():
        return base, Category.PERSON, "förnamn i namnlistan"
    if base.lower() in lexicon.surnames():
        return base, Category.PERSON, "efternamn i namnlistan"
    if _coined_compound(word):
        return word, Category.ORGANISATION, "namn på en organisation"
    street = lexicon.word_list("street_suffixes.txt")
    if any(lower.endswith(s) and len(lower) > len(s) for s in street) and lexicon.zipf(word) < 2:
        return word, Category.PLACE, "gatunamn"
    if at_start:
        return "", Category.OTHER, ""
    before = previous_word(text, start)
    if before in lexicon.word_list("person_cues.txt"):
        return base, Category.PERSON, f"namn efter ”{before}”"
    if before and before.islower() and lexicon.organisation_head(before):
        return word, Category.ORGANISATION, f"namn efter ”{before}”"
    if before in lexicon.word_list("place_prepositions.txt"):
        return word, Category.PLACE, f"versalt ord efter ”{before}”"
    if lexicon.zipf(word) >= lexicon.ORDINARY_ZIPF:
        return "", Category.OTHER, ""
    if _is_surname_like(word):
        return word, Category.PERSON, "ser ut som ett efternamn"
    return word, Category.PERSON, "versalt ord mitt i en mening, inte ett vanligt ord"


def _classify_sequence(text: str, words: list[tuple[int, str]]) -> tuple[str, Category, str]:
    """Classify a run of two or more capitalised words ("Per Lindahl", "Nordost Boxning")."""
    phrase = " ".join(word for _, word in words)
    lower = phrase.lower()
    if lower in lexicon.neutral_terms():
        return "", Category.OTHER, ""
    if lower in lexicon.known_organisations():
        return phrase, Category.ORGANISATION, "känd organisation"
    if lower in lexicon.places():
        return phrase, Category.PLACE, "ort i ortlistan"
    if any(lexicon.organisation_head(word) for _, word in words):
        return phrase, Category.ORGANISATION, "namn på en organisation"
    first, last = words[0][1], words[-1][1]
    last_base, genitive = _base(last)
    if first.lower() in lexicon.first_names() or _is_surname_like(last_base):
        term = phrase[:-1] if genitive else phrase
        return term, Category.PERSON, "för- och efternamn"
    if all(word.lower() in lexicon.places() for _, word in words):
        return phrase, Category.PLACE, "ort i ortlistan"
    return phrase, Category.ORGANISATION, "flerordigt namn"


def capitalised_candidates(text: str, blocked: Spans, lowercase_doc: bool) -> list[Candidate]:
    """Return candidates from runs of capitalised words, classified by lists and context."""
    found: list[Candidate] = []
    for match in _SEQUENCE.finditer(text):
        if blocked.overlaps(match.start(), match.end()):
            continue
        words = [(m.start() + match.start(), m.group()) for m in _TOKEN.finditer(match.group())]
        at_start = not lowercase_doc and is_sentence_start(text, words[0][0])
        # A sentence-initial word that is no name ("Tack Emelie") is not part of the name.
        while words and at_start and len(words) > 1 and not _listed(words[0][1]):
            words.pop(0)
            at_start = False
        while words and words[0][1].lower() in lexicon.neutral_terms():
            words.pop(0)
        if not words:
            continue
        start, end = words[0][0], words[-1][0] + len(words[-1][1])
        after = next_word(text, end)
        opener = at_start and len(words) == 1 and not _listed(_base(words[0][1])[0])
        if after and after.islower() and lexicon.organisation_head(after) and not opener:
            # "Lerums gymnasium", "Spånga-Tensta stadsdelsförvaltning"
            end = text.index(after, end) + len(after)
            term, category, reason = (
                text[start:end],
                Category.ORGANISATION,
                "namn på en organisation",
            )
        elif len(words) == 1:
            term, category, reason = _classify_word(text, start, words[0][1], at_start)
        else:
            term, category, reason = _classify_sequence(text, words)
        if term:
            found.append(Candidate(start, end, term, category, reason))
    return found


@cache
def _gazetteer() -> TermMatcher:
    """Matcher for listed names and places that are not also ordinary words."""
    terms: list[Term] = []
    for names, category in (
        (lexicon.first_names(), Category.PERSON),
        (lexicon.surnames(), Category.PERSON),
        (lexicon.places(), Category.PLACE),
    ):
        terms.extend(
            Term(name, category)
            for name in names
            if name not in lexicon.name_words() and name not in lexicon.neutral_terms()
        )
    return TermMatcher(terms)


def lowercase_candidates(text: str, blocked: Spans) -> list[Candidate]:
    """Return listed names and places written in lowercase (for all-lowercase transcripts)."""
    found: list[Candidate] = []
    for match in _gazetteer().find(text):
        if text[match.start].isupper() or blocked.overlaps(match.start, match.end):
            continue
        reason = "namn i namnlistan" if match.variant.category is Category.PERSON else "ort"
        term = " ".join(word[:1].upper() + word[1:] for word in match.variant.term.split())
        previous = found[-1] if found else None
        if (
            previous is not None
            and previous.category is Category.PERSON is match.variant.category
            and text[previous.end : match.start] == " "
            and previous.term.lower() in lexicon.first_names()
            and term.lower() in lexicon.surnames()
        ):
            found[-1] = Candidate(
                previous.start, match.end, f"{previous.term} {term}", Category.PERSON, reason
            )
            continue
        found.append(Candidate(match.start, match.end, term, match.variant.category, reason))
    return found


def speaker_labels(text: str) -> list[tuple[int, int]]:
    """Spans of timestamps and speaker labels ("[00:01:02] R:") that hold no identifiers."""
    return [(m.start(), m.end()) for m in SPEAKER_LABEL.finditer(text)]
