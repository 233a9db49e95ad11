"""Names in lowercase lines from the lists and their immediate context ("min kollega kicki")."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from . import lexicon
from .codekey import Category
from .matcher import Term, TermMatcher
from .organisations import (
    chain_store_end,
    coined_compound,
    generic_institution,
    kind_of_unit,
    organisation,
    with_place_after,
)
from .reading import acts_as_subject
from .text import next_word, previous_word
from .words import (
    NOUN_ENDINGS,
    RARE_ZIPF,
    Candidate,
    Spans,
    base_form,
    person_noun,
    place_name,
    surname_like,
)


@cache
def _gazetteer() -> TermMatcher:
    """Matcher for listed names and places.

    A name that is also an ordinary word ("stig", "mina") matches only where its context
    reads as a name: the matcher checks that for every such form.
    """
    terms: list[Term] = []
    for names, category in (
        (lexicon.first_names(), Category.PERSON),
        (lexicon.surnames(), Category.PERSON),
        (lexicon.places(), Category.PLACE),
    ):
        terms.extend(Term(name, category) for name in names if name not in lexicon.neutral_terms())
    return TermMatcher(terms)


_IN_COUNTRY = re.compile(r" i ([a-zåäö]+)")
#: Past-tense endings: "de interrailade i italien" names no place.
_VERB_ENDINGS = ("ade", "dde", "tte", "erade")
_LOWER_NEXT = re.compile(r" ([a-zåäöéü]+)(?![\w-])")


_HYPHENATED = re.compile(r"-[a-zåäöéü]+(?![\w-])")


def lowercase_candidates(text: str, blocked: Spans) -> list[Candidate]:
    """Return listed names and places written in lowercase (for all-lowercase transcripts)."""
    found: list[Candidate] = []
    for match in _gazetteer().find(text):
        if text[match.start].isupper() or blocked.overlaps(match.start, match.end):
            continue
        category = match.variant.category
        if (
            category is Category.PERSON
            and match.variant.term in lexicon.places()
            and previous_word(text, match.start) in lexicon.word_list("place_prepositions.txt")
        ):
            category = Category.PLACE  # "hon kom från santiago"
        reason = "namn i namnlistan" if category is Category.PERSON else "ort"
        term = " ".join(word[:1].upper() + word[1:] for word in match.variant.term.split())
        end = match.end
        if category is Category.PERSON and (rest := _HYPHENATED.match(text, end)):
            end = rest.end()  # "ulrika westin-haddad": the whole double surname
            term += rest.group()
        previous = found[-1] if found else None
        if (
            previous is not None
            and previous.category is Category.PERSON is category
            and text[previous.end : match.start] == " "
            and previous.term.lower() in lexicon.first_names()
            and term.lower().split("-")[0] in lexicon.surnames()
        ):
            found[-1] = Candidate(
                previous.start, end, f"{previous.term} {term}", Category.PERSON, reason
            )
            continue
        if category is Category.PERSON and (surname := _LOWER_NEXT.match(text, end)):
            next_word_ = surname.group(1)
            if next_word_ in lexicon.surnames() or (
                surname_like(next_word_) and lexicon.zipf(next_word_) < 3
            ):
                end = surname.end()  # "göran lindh": a surname the list lacks
                term = f"{term} {surname.group(1)[:1].upper()}{surname.group(1)[1:]}"
        found.append(Candidate(match.start, end, term, category, reason))
    return found


_LOWER_WORD = re.compile(r"(?<![\w-])[a-zåäöéü][a-zåäöéü]+(?:-[a-zåäöéü]+)*(?![\w-])")


@lru_cache(maxsize=65536)
def _lowercase_facts(word: str) -> tuple[str, bool, bool]:
    """Return a lowercase word's base form, whether it is rare, and whether it is a listed name."""
    base, _genitive = base_form(word)
    rare = lexicon.zipf(base) < RARE_ZIPF and not lexicon.organisation_head(word)
    listed = base in lexicon.first_names() or base in lexicon.surnames()
    return base, rare, listed


def _head_noun(word: str) -> bool:
    """Tell whether a word is itself a head noun of organisations ("tjejjouren", "kyrkan")."""
    head = lexicon.organisation_head(word)
    return head is not None and head[0] == word


def lowercase_context_candidates(text: str, blocked: Spans) -> list[Candidate]:
    """Return names a lowercase transcript gives away by context alone.

    "min kollega kicki": a word that is no ordinary word, right after a word that introduces
    a person. "björkängens förskola", "lessebo bostäder": a rare word or a listed place right
    before an organisation's head noun.
    """
    found: list[Candidate] = []
    cues = lexicon.word_list("person_cues.txt")
    skip = lexicon.small_words()
    for match in _LOWER_WORD.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        if word in skip:
            continue  # no function word names anyone, so most words stop here
        if word in lexicon.store_chains() and (chain_end := chain_store_end(text, end)):
            if not blocked.overlaps(start, chain_end):
                found.append(organisation(text, start, chain_end, "butik i en kedja"))
            continue
        if word in lexicon.neutral_terms() or blocked.overlaps(start, end):
            continue
        base, rare, listed = _lowercase_facts(word)
        after = next_word(text, end)
        before = previous_word(text, start)
        name = base[:1].upper() + base[1:]
        if before in cues and (rare or listed):
            found.append(Candidate(start, end, name, Category.PERSON, "namn efter ett personord"))
        elif (
            rare
            and not word.endswith(NOUN_ENDINGS)
            and not person_noun(word)
            and acts_as_subject(text, end)
        ):
            # "seb sa", "dani ringde": an unknown word as the subject of a verb is a name
            found.append(Candidate(start, end, name, Category.PERSON, "namn följt av ett verb"))
        elif place_name(base):
            found.append(Candidate(start, end, name, Category.PLACE, "ortnamn eller vatten"))
        elif (
            rare
            and not word.endswith(_VERB_ENDINGS)
            and (country := _IN_COUNTRY.match(text, end))
            and country.group(1) in lexicon.countries()
        ):
            # "från kraljevo i serbien": a place in a country
            found.append(Candidate(start, end, name, Category.PLACE, "ort i ett land"))
        elif (
            generic_institution(word) or _head_noun(word) or word in ("region", "landstinget")
        ) and (with_place := with_place_after(text, end)) > end:
            # "socialtjänsten i avesta": an institution with its place
            found.append(organisation(text, start, with_place, "organisation med ort"))
        elif coined_compound(word, lexicon.ORDINARY_ZIPF) and not kind_of_unit(text, start):
            # "pingstkyrkans", "tallbergsskolan": a coined name on an organisation noun
            found.append(organisation(text, start, with_place_after(text, end, with_in=False)))
        elif (
            after
            and after.islower()
            and lexicon.organisation_head(after)
            and (rare or word in lexicon.places() or base_form(word)[0] in lexicon.places())
        ):
            # "björkängens förskola", "lessebo bostäder"
            head_end = text.index(after, end) + len(after)
            found.append(organisation(text, start, with_place_after(text, head_end)))
    return found
