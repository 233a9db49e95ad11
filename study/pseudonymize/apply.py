"""Applying the code key: every key term replaced by its pseudonym, consistently."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .codekey import Category, CodeKey
from .matcher import Term, genitive, matcher_for
from .pseudonyms import assign_pseudonyms
from .suggest import REPLACE, Suggestion, suggest
from .text import like_case, words


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
    return tuple(Term(e.term, e.category, e.pseudonym or "") for e in key)


def pseudonymize(text: str, key: CodeKey, accepted: Sequence[Suggestion] = ()) -> Pseudonymized:
    """Replace every key term in ``text``; entries still without a pseudonym get one first.

    ``accepted`` suggestions are replaced where they were found too: a name the context gave
    away ("hon heter saga") is replaced there even where the word alone reads as an ordinary one.
    """
    if any(entry.pseudonym is None for entry in key):
        assign_pseudonyms(key, avoid=words(text))
    spans = [
        (m.start, m.end, m.variant.replacement, m.variant.term, m.variant.category)
        for m in matcher_for(key_terms(key)).find(text)
    ]
    spans += [_accepted_span(key, suggestion) for suggestion in accepted]
    parts: list[str] = []
    replacements: list[Replacement] = []
    position = length = 0
    for start, end, replacement, term, category in _longest_first(spans):
        original = text[start:end]
        pseudonym = like_case(original, replacement)
        parts.append(text[position:start])
        length += start - position
        parts.append(pseudonym)
        replacements.append(
            Replacement(
                start, end, original, pseudonym, term, category, length, length + len(pseudonym)
            )
        )
        length += len(pseudonym)
        position = end
    parts.append(text[position:])
    return Pseudonymized("".join(parts), replacements)


_Span = tuple[int, int, str, str, Category]


def _accepted_span(key: CodeKey, suggestion: Suggestion) -> _Span:
    """Return an accepted suggestion as a span with its pseudonym, in its inflected form."""
    entry = key.get(suggestion.term)
    pseudonym = (entry.pseudonym if entry else None) or ""
    found, term = suggestion.text.lower(), suggestion.term.lower()
    if found != term and found.removesuffix(":s").removesuffix("s") == term:
        pseudonym = genitive(pseudonym)  # "storms" becomes the pseudonym's genitive
    return suggestion.start, suggestion.end, pseudonym, suggestion.term, suggestion.category


def _longest_first(spans: list[_Span]) -> list[_Span]:
    """Keep the earliest, then longest, of overlapping spans, in text order."""
    kept: list[_Span] = []
    for span in sorted(spans, key=lambda span: (span[0], -span[1])):
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


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
    accepted: list[list[Suggestion]] = [[] for _ in texts]
    if accept:
        for found, text in zip(accepted, texts, strict=True):
            found += [s for s in suggest(text, key) if s.action == REPLACE]
            accept_suggestions(key, found)
    avoid: set[str] = set()
    for text in texts:
        avoid |= words(text)
    assign_pseudonyms(key, avoid=avoid)
    return [pseudonymize(text, key, found) for text, found in zip(texts, accepted, strict=True)]
