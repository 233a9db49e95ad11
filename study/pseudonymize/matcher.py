"""Whole-word matching of many terms at once (Aho-Corasick), with Swedish inflection."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from . import lexicon
from .codekey import Category
from .reading import ordinary_reading, reads_as_name
from .text import (
    LineStyle,
    matching_form,
    term_form,
)

_NAME_LIKE = frozenset({Category.PERSON, Category.PLACE, Category.ORGANISATION, Category.OTHER})


@dataclass(frozen=True, slots=True)
class Variant:
    """One surface form of a term ("Saras") and what replaces it ("Ilses")."""

    term: str
    category: Category
    replacement: str
    inflection: str  # "", "genitive", "definite", "part" …
    ordinary: bool  # the form is also an ordinary word, so context decides
    known: bool = False  # the term is in the study's key


@dataclass(frozen=True, slots=True)
class Match:
    """A term found in a text: offsets into the text and the variant that matched."""

    start: int
    end: int
    variant: Variant


@dataclass(frozen=True, slots=True)
class Term:
    """A term to look for: its text, category and pseudonym (may be empty when suggesting)."""

    text: str
    category: Category
    pseudonym: str = ""
    #: Whether context must decide each occurrence; None: decided by the word lists.
    ordinary: bool | None = None
    #: The study's key has the term: in a lowercase line it is the name wherever the context
    #: does not read as the ordinary word.
    known: bool = False


def genitive(word: str) -> str:
    """Swedish genitive: add -s unless the word ends in s, x or z; ":s" after a placeholder."""
    if word.endswith("]"):
        return word + ":s"
    return word if word[-1:].lower() in "sxz" else word + "s"


def _organisation_forms(term: str) -> list[tuple[str, str]]:
    """Other forms of an organisation name whose last word has a head noun ("-skola/-skolan")."""
    words = term.split()
    head = lexicon.organisation_head(words[-1]) if words else None
    if head is None:
        return []
    form, forms, _ = head
    stem = words[-1][: len(words[-1]) - len(form)]
    return [
        (" ".join([*words[:-1], stem + other]), other)
        for other in forms
        if other != form and words[-1][len(stem) :].islower()
    ]


def _swap_ending(pseudonym: str, other: str) -> str:
    """Give an invented organisation name the same definite/indefinite form as the match."""
    if not pseudonym or pseudonym.startswith("["):
        return pseudonym
    forms = _organisation_forms(pseudonym)
    return next((text for text, form in forms if form == other), pseudonym)


def variants(term: Term) -> list[tuple[str, Variant]]:
    """All surface forms of a term, each with the variant that describes its replacement."""
    text, category, pseudonym = term.text, term.category, term.pseudonym
    ordinary = lexicon.is_ordinary_word(text) if term.ordinary is None else term.ordinary
    known = term.known
    out = [(text, Variant(text, category, pseudonym, "", ordinary, known))]
    if category not in _NAME_LIKE:
        return out
    forms: list[tuple[str, str, str]] = [(text, pseudonym, "")]
    if category is Category.ORGANISATION:
        forms += [
            (other_text, _swap_ending(pseudonym, ending), "definite")
            for other_text, ending in _organisation_forms(text)
        ]
    for surface, replacement, inflection in forms:
        if surface != text:
            out.append((surface, Variant(text, category, replacement, inflection, False, known)))
        kind = f"{inflection} genitive".strip()
        if genitive(surface) != surface:
            out.append(
                (
                    genitive(surface),
                    Variant(text, category, genitive(replacement), kind, ordinary, known),
                )
            )
        # "Max:s", "SVT:s": the colon genitive after a name ending in s, x or z, or letters.
        out.append(
            (
                f"{surface}:s",
                Variant(text, category, _colon_genitive(replacement), kind, False, known),
            )
        )
    return out


def _colon_genitive(replacement: str) -> str:
    """Return the genitive of a pseudonym for a term written with a colon genitive."""
    return (
        genitive(replacement)
        if replacement and not replacement.endswith("]")
        else f"{replacement}:s"
    )


def _parts(term: Term) -> list[Term]:
    """Parts of a name that stand for the whole when said alone.

    A person's first name and surname, each mapped to its part of the pseudonym; an
    organisation's own first word ("Ljungandalens" of "Ljungandalens Omsorg AB"), mapped to
    the whole pseudonym.
    """
    words, invented = term.text.split(), term.pseudonym.split()
    if term.category is Category.ORGANISATION and len(words) >= 2:
        # Said alone, the word must read as a name: "Familjehemmens vänner" is a name, while
        # "familjehemmen" in a capitalised line are just foster homes.
        return [
            Term(word, term.category, term.pseudonym, True, term.known) for word in _own_word(words)
        ]
    if term.category is not Category.PERSON or len(words) < 2:
        return []
    same = len(invented) < 2 or term.pseudonym.startswith("Person ")
    first = term.pseudonym if same else invented[0]
    last = term.pseudonym if same else invented[-1]
    return [
        Term(words[0], term.category, first, known=term.known),
        Term(words[-1], term.category, last, known=term.known),
    ]


def _own_word(words: list[str]) -> list[str]:
    """Return an organisation's first word when it is a coined name, with its base form.

    "Ljungandalens Omsorg AB" gives "Ljungandalens" and "Ljungandalen"; "Hemtjänsten
    Skiftinge" gives nothing ("hemtjänsten" is an ordinary word), nor does "Lerums gymnasium"
    (a place's name).
    """
    first = words[0]
    base = first[:-1] if first.endswith("s") and not first.endswith("ss") else first
    if not (first.isalpha() and first[0].isupper()) or first.isupper():
        return []  # "Barn- och ungdomshabiliteringen": a shared head, no name
    if lexicon.organisation_head(first):
        return []
    if any(lexicon.is_ordinary_word(form) or lexicon.in_name_lists(form) for form in (first, base)):
        return []
    return [first] if base == first else [base, first]  # the base first: "s" reads as genitive


class TermMatcher:
    """Finds every whole-word occurrence of a set of terms, longest match first."""

    def __init__(self, terms: Iterable[Term]):
        terms = list(terms)
        self._automaton = ahocorasick.Automaton()
        self._variants: list[Variant] = []
        seen: set[str] = set()
        # Terms first, then the parts of full names, so an explicit "Per" beats a derived one.
        for group in (terms, [part for term in terms for part in _parts(term)]):
            for term in group:
                for surface, variant in variants(term):
                    # Both forms: "+46 (0)70" keeps two non-word characters in a row.
                    for form in {term_form(surface), matching_form(surface).strip()}:
                        if not form or form in seen:
                            continue
                        seen.add(form)
                        self._automaton.add_word(f" {form} ", (len(form), len(self._variants)))
                        self._variants.append(variant)
        if self._variants:
            self._automaton.make_automaton()

    def find(self, text: str, style: LineStyle | None = None) -> list[Match]:
        """Return the non-overlapping matches in ``text``, longest first, context-checked.

        ``style`` is the text's line style when the caller has it already.
        """
        if not self._variants:
            return []
        padded = f" {matching_form(text)} "
        # The automaton reports the last index of " form " in the padded text; the term itself
        # then starts at last - length - 1 in the original text.
        hits = sorted(
            (last - length - 1, -length, index)
            for last, (length, index) in self._automaton.iter(padded)
        )
        matches: list[Match] = []
        covered = 0
        for start, negative_length, index in hits:
            end = start - negative_length
            if start < covered:
                continue
            variant = self._variants[index]
            if variant.ordinary:
                style = style or LineStyle(text)
                lowercase_line = style.lowercase_at(start)
                if _known_name_in_lowercase(text, start, variant, lowercase_line):
                    if ordinary_reading(text, start, end):
                        continue  # "en saga", "skulle vilja": the key's "Saga" is not meant
                elif not reads_as_name(
                    text,
                    start,
                    end,
                    variant.category,
                    variant.inflection.endswith("genitive"),
                    lowercase_line,
                ):
                    continue
            if start > 0 and text[start - 1] == "+" and variant.category is Category.CONTACT:
                start -= 1  # "+46 …": the plus is part of the number but not a word character
            matches.append(Match(start, end, variant))
            covered = end
        return matches


def _known_name_in_lowercase(text: str, start: int, variant: Variant, lowercase_line: bool) -> bool:
    """Tell whether a key's person name stands in lowercase in a lowercase line."""
    return (
        variant.known
        and variant.category is Category.PERSON
        and lowercase_line
        and not text[start].isupper()
    )


@lru_cache(maxsize=16)
def matcher_for(terms: tuple[Term, ...]) -> TermMatcher:
    """Return a matcher for these terms, built once and reused (building is the slow part)."""
    return TermMatcher(terms)
