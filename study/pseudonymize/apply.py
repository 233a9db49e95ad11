"""Applying the code key: every key term replaced by its pseudonym, consistently."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .codekey import Category, CodeKey
from .matcher import Term, matcher_for
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


def pseudonymize(text: str, key: CodeKey) -> Pseudonymized:
    """Replace every key term in ``text``; entries still without a pseudonym get one first."""
    if any(entry.pseudonym is None for entry in key):
        assign_pseudonyms(key, avoid=words(text))
    parts: list[str] = []
    replacements: list[Replacement] = []
    position = length = 0
    for match in matcher_for(key_terms(key)).find(text):
        original = text[match.start : match.end]
        pseudonym = like_case(original, match.variant.replacement)
        parts.append(text[position : match.start])
        length += match.start - position
        parts.append(pseudonym)
        replacements.append(
            Replacement(
                match.start,
                match.end,
                original,
                pseudonym,
                match.variant.term,
                match.variant.category,
                length,
                length + len(pseudonym),
            )
        )
        length += len(pseudonym)
        position = match.end
    parts.append(text[position:])
    return Pseudonymized("".join(parts), replacements)


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
    if accept:
        for text in texts:
            accept_suggestions(key, suggest(text, key))
    avoid: set[str] = set()
    for text in texts:
        avoid |= words(text)
    assign_pseudonyms(key, avoid=avoid)
    return [pseudonymize(text, key) for text in texts]
