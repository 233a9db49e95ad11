"""Applying the code key: every key term replaced by its pseudonym, consistently."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .codekey import Category, CodeKey, KeyEntry
from .matcher import Term, genitive, matcher_for
from .patterns import Detection, find_birth_dates, find_identifiers
from .pseudonyms import assign_pseudonyms, describe
from .suggest import REPLACE, Suggestion, suggest
from .text import like_case, without_overlaps, words
from .words import Spans


@dataclass(frozen=True, slots=True)
class Replacement:
    """One replaced span: where it was, where it went, and what it became."""

    start: int
    end: int
    original: str
    pseudonym: str
    term: str
    category: Category
    out_start: int
    out_end: int


@dataclass(frozen=True, slots=True)
class Pseudonymized:
    """A pseudonymized text with the replacements made (offsets in both texts)."""

    text: str
    replacements: list[Replacement]


def key_terms(key: CodeKey) -> tuple[Term, ...]:
    """Return the key as hashable terms, so the matcher built from it can be cached."""
    return tuple(Term(e.term, e.category, e.pseudonym or "", known=True) for e in key)


def pseudonymize(text: str, key: CodeKey, accepted: Sequence[Suggestion] = ()) -> Pseudonymized:
    """Replace every key term in ``text``; entries still without a pseudonym get one first.

    ``accepted`` must-replace suggestions join the key and are replaced where they were found
    too: a name the context gave away ("hon heter saga") is replaced there even where the word
    alone reads as an ordinary one. Suggestions to consider generalising are left to the student.
    """
    accepted = [suggestion for suggestion in accepted if suggestion.action == REPLACE]
    accept_suggestions(key, accepted)
    if any(entry.pseudonym is None for entry in key):
        assign_pseudonyms(key, avoid=words(text))
    matches = list(matcher_for(key_terms(key)).find(text))
    # A key term inside an e-mail address, a web address or a number takes the whole of it:
    # "bodil@skola.goteborg.se" never keeps its school and town around a pseudonym.
    wholes = Spans([(m.start, m.end) for m in matches]).enclosing(_whole_identifiers(text))
    for whole in wholes:
        if key.get(text[whole.start : whole.end]) is None:
            key.add(text[whole.start : whole.end], whole.category)
    if any(entry.pseudonym is None for entry in key):
        assign_pseudonyms(key, avoid=words(text))
    planned = [_whole(key, text, whole) for whole in wholes]
    planned += [
        _Planned(m.start, m.end, m.variant.replacement, m.variant.term, m.variant.category)
        for m in matches
    ]
    planned += [_planned(key, suggestion) for suggestion in accepted]
    parts: list[str] = []
    replacements: list[Replacement] = []
    position = length = 0
    for span in without_overlaps(planned):
        original = text[span.start : span.end]
        pseudonym = like_case(original, span.replacement)
        parts.append(text[position : span.start])
        length += span.start - position
        parts.append(pseudonym)
        replacements.append(
            Replacement(
                span.start,
                span.end,
                original,
                pseudonym,
                span.term,
                span.category,
                length,
                length + len(pseudonym),
            )
        )
        length += len(pseudonym)
        position = span.end
    parts.append(text[position:])
    return Pseudonymized("".join(parts), replacements)


@dataclass(frozen=True, slots=True)
class _Planned:
    """A span to replace, with what replaces it."""

    start: int
    end: int
    replacement: str
    term: str
    category: Category


#: What is replaced whole, never in part: contact details and identity numbers.
WHOLE = (Category.CONTACT, Category.ID_NUMBER)


def _whole_identifiers(text: str) -> list[Detection]:
    return [d for d in find_identifiers(text) if d.category in WHOLE]


def _whole(key: CodeKey, text: str, whole: Detection) -> _Planned:
    term = text[whole.start : whole.end]
    entry = key.get(term)
    assert entry is not None and entry.pseudonym
    if entry.category is not whole.category:
        # Written like a name of the key ("@bodil_ek" and "Bodil Ek"): its own placeholder.
        pseudonym = describe(KeyEntry(term, whole.category))
        return _Planned(whole.start, whole.end, pseudonym, term, whole.category)
    return _Planned(whole.start, whole.end, entry.pseudonym, entry.term, entry.category)


def _planned(key: CodeKey, suggestion: Suggestion) -> _Planned:
    """Return an accepted suggestion as a span with its pseudonym, in its inflected form."""
    entry = key.get(suggestion.term)
    if entry is None or not entry.pseudonym:
        raise ValueError(f"no pseudonym for {suggestion.term!r}")
    pseudonym = entry.pseudonym
    surface, term = suggestion.text.lower(), suggestion.term.lower()
    if surface != term and surface.removesuffix(":s").removesuffix("s") == term:
        pseudonym = genitive(pseudonym)  # "storms" becomes the pseudonym's genitive
    return _Planned(suggestion.start, suggestion.end, pseudonym, entry.term, entry.category)


def apply(text: str, key: CodeKey) -> str:
    """Return ``text`` with every key term replaced by its pseudonym."""
    return pseudonymize(text, key).text


def accept_suggestions(key: CodeKey, suggestions: Iterable[Suggestion]) -> CodeKey:
    """Add the must-replace suggestions' terms to the key (known terms are left as they are)."""
    for suggestion in suggestions:
        if suggestion.action == REPLACE and key.get(suggestion.term) is None:
            key.add(suggestion.term, suggestion.category)
    return key


def apply_all(texts: Sequence[str], key: CodeKey, *, accept: bool = False) -> list[Pseudonymized]:
    """Pseudonymize several texts with one key: one term, one pseudonym across all of them.

    With ``accept`` every suggestion in every text joins the key first. New pseudonyms avoid
    every word of every text, so an invented name never collides with a real one.
    """
    accepted: list[list[Suggestion]] = []
    for text in texts:
        suggestions = [s for s in suggest(text, key) if s.action == REPLACE] if accept else []
        accept_suggestions(key, suggestions)
        accepted.append(suggestions)
    avoid: set[str] = set()
    for text in texts:
        avoid |= words(text)
    assign_pseudonyms(key, avoid=avoid)
    return [
        pseudonymize(text, key, suggestions)
        for text, suggestions in zip(texts, accepted, strict=True)
    ]


#: A run of eight or more digits, perhaps in groups: no pseudonym has one.
_DIGIT_RUN = re.compile(r"(?<![\d])\d(?:[ -]?\d){7,}(?![\d])")


def leftovers(text: str) -> list[tuple[int, int, str]]:
    """Return ``(line, column, what)`` for whatever still looks like an identifier.

    The final pass over a pseudonymized text, reported on the page and on the command line:
    every finder of identifiers and birth dates, and any long run of digits besides.
    """
    detected = find_identifiers(text) + find_birth_dates(text)
    found = [(d.start, d.reason) for d in detected]
    found += [
        (m.start(), "en lång sifferföljd")
        for m in _DIGIT_RUN.finditer(text)
        if not any(d.start < m.end() and m.start() < d.end for d in detected)
    ]
    result = []
    for start, what in sorted(found):
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        result.append((line, column, what))
    return result
