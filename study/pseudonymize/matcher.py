"""Whole-word matching of many terms at once (Aho-Corasick), with Swedish inflection."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from . import lexicon
from .codekey import Category
from .text import (
    LineStyle,
    is_sentence_start,
    matching_form,
    next_mark,
    next_word,
    previous_word,
    term_form,
)

_NAME_LIKE = frozenset({Category.PERSON, Category.PLACE, Category.ORGANISATION, Category.OTHER})
_CLAUSE_END = frozenset(',.!?;:…)"”')
#: Finite verbs after which a name-like word is the subject (Swedish puts the verb second),
#: leaving out "är", "var", "blir", "blev": "det är sol" is weather, not a person; and the
#: modal verbs, which take an infinitive ("skulle vilja").
_INVERTING_VERBS = frozenset(
    "har hade ringer ringde sa sade säger jobbar jobbade kom kommer gick går tycker tyckte "
    "tror trodde bor bodde".split()
)
#: Adjective endings: after an adjective a name that is also a noun is the noun ("lycklig saga").
ADJECTIVE_ENDINGS = ("ig", "iga", "igt", "isk", "iska", "iskt", "lös", "lösa")
#: A pronoun right before a word that is also a verb makes it the verb ("vad hon ville").
_SUBJECT_PRONOUNS = frozenset("jag du han hon vi ni de dom man".split())


@dataclass(frozen=True, slots=True)
class Variant:
    """One surface form of a term ("Saras") and what replaces it ("Ilses")."""

    term: str
    category: Category
    replacement: str
    inflection: str  # "", "genitive", "definite", "part" …
    ordinary: bool  # the form is also an ordinary word, so context decides


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
    out = [(text, Variant(text, category, pseudonym, "", ordinary))]
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
            out.append((surface, Variant(text, category, replacement, inflection, False)))
        kind = f"{inflection} genitive".strip()
        if genitive(surface) != surface:
            out.append(
                (genitive(surface), Variant(text, category, genitive(replacement), kind, ordinary))
            )
        # "Max:s", "SVT:s": the colon genitive after a name ending in s, x or z, or letters.
        out.append(
            (f"{surface}:s", Variant(text, category, _colon_genitive(replacement), kind, False))
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
        return [Term(word, term.category, term.pseudonym, True) for word in _own_word(words)]
    if term.category is not Category.PERSON or len(words) < 2:
        return []
    same = len(invented) < 2 or term.pseudonym.startswith("Person ")
    first = term.pseudonym if same else invented[0]
    last = term.pseudonym if same else invented[-1]
    return [Term(words[0], term.category, first), Term(words[-1], term.category, last)]


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

    def find(self, text: str) -> list[Match]:
        """Return the non-overlapping matches in ``text``, longest first, context-checked."""
        if not self._variants:
            return []
        padded = f" {matching_form(text)} "
        # The automaton reports the last index of " form " in the padded text; the term itself
        # then starts at last - length - 1 in the original text.
        hits = sorted(
            (last - length - 1, -length, index)
            for last, (length, index) in self._automaton.iter(padded)
        )
        style: LineStyle | None = None
        matches: list[Match] = []
        covered = 0
        for start, negative_length, index in hits:
            end = start - negative_length
            if start < covered:
                continue
            variant = self._variants[index]
            if variant.ordinary:
                style = style or LineStyle(text)
                if not reads_as_name(text, start, end, variant, style.lowercase_at(start)):
                    continue
            if start > 0 and text[start - 1] == "+" and variant.category is Category.CONTACT:
                start -= 1  # "+46 …": the plus is part of the number but not a word character
            matches.append(Match(start, end, variant))
            covered = end
        return matches


def reads_as_name(text: str, start: int, end: int, variant: Variant, lowercase_line: bool) -> bool:
    """Decide from context whether a word that is also an ordinary word is the name here.

    "Per" mid-sentence is a name; "per månad" is not; "Per vecka" at a sentence start is not,
    "Dag har varit mentor" is; in an all-lowercase transcript "stig gick" is, "en stig" is not.
    """
    capitalised = text[start].isupper()
    if capitalised and lowercase_line:
        return True  # capitals are deliberate in a lowercase transcript
    if not capitalised and not lowercase_line:
        return False
    if capitalised and not is_sentence_start(text, start):
        return True
    before = previous_word(text, start)
    if variant.category is Category.PLACE and before in lexicon.word_list("place_prepositions.txt"):
        return True  # "i skruv", "till mark": after a place preposition a place reads as one
    if variant.category is Category.PLACE and not capitalised:
        # "bara vara", "neutral mark": a lowercase place needs its preposition, or another
        # place beside it ("skruv, kosta, hovmantorp")
        return _beside_a_place(text, start, end)
    if before in lexicon.word_list("common_reading_markers.txt") or before in _SUBJECT_PRONOUNS:
        return False
    if before and before.endswith(ADJECTIVE_ENDINGS):
        return False  # "en vanlig dag", "en lycklig saga"
    after = next_word(text, end)
    if _quantifier_before_noun(text[start:end], after):
        return False  # "hade inga föräldrar"
    if (
        variant.category is Category.PERSON
        and after is not None
        and after.lower() in lexicon.surnames()
        and not lexicon.is_ordinary_word(after)
    ):
        return True  # "bror lindqvist": a first name before a surname
    if variant.inflection.endswith("genitive"):
        if variant.category is Category.PERSON and acts_as_subject(text, end):
            return True  # "Björks har en stuga": the family, named in the plural
        return (
            after is not None
            and after.islower()
            and after.lower() not in lexicon.word_list("function_words.txt")
        )
    if next_mark(text, end)[:1] in _CLAUSE_END or next_mark(text, end) == "":
        return True
    if variant.category is Category.PERSON and before in _INVERTING_VERBS:
        return True  # "där jobbar karl", "sen ringde mina": the subject after the verb
    return after is not None and acts_as_subject(text, end)


_NEIGHBOURS = re.compile(r"(\w+),? $")
_NEXT_NEIGHBOUR = re.compile(r",? (\w+)")


def _beside_a_place(text: str, start: int, end: int) -> bool:
    """Tell whether a listed place stands right before or after the span."""
    before = _NEIGHBOURS.search(text, max(0, start - 40), start)
    after = _NEXT_NEIGHBOUR.match(text, end)
    return any(
        match is not None and match.group(1).lower() in lexicon.places()
        for match in (before, after)
    )


def _quantifier_before_noun(word: str, after: str | None) -> bool:
    """Tell whether a name that is also a quantifier or possessive ("inga", "mina") is one here."""
    return (
        word.lower() in lexicon.word_list("common_reading_markers.txt")
        and after is not None
        and after.islower()
        and after not in lexicon.word_list("function_words.txt")
        and after not in lexicon.word_list("finite_verbs.txt")
    )


def acts_as_subject(text: str, end: int) -> bool:
    """Tell whether what follows ``end`` reads as the verb of a subject ending there.

    A finite verb ("Dag har", "mina skrattade") or "och" with a pronoun ("Ek och jag").
    """
    after = next_word(text, end)
    if after is None:
        return False
    after = after.lower()
    if after in lexicon.word_list("finite_verbs.txt"):
        return True
    if after != "och":
        return False
    following = next_word(text, text.lower().index(after, end) + len(after))
    return following is not None and following.lower() in ("jag", "vi", "hon", "han")


@lru_cache(maxsize=16)
def matcher_for(terms: tuple[Term, ...]) -> TermMatcher:
    """Return a matcher for these terms, built once and reused (building is the slow part)."""
    return TermMatcher(terms)
