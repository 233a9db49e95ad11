"""Organisation names: coined compounds, known bodies, companies, chain stores, units with a place."""

from __future__ import annotations

import re
from functools import cache

from . import lexicon
from .codekey import Category
from .matcher import Term, TermMatcher
from .text import previous_word
from .words import RARE_ZIPF, UPPER, Candidate, Spans, pronoun_like


def coined_compound(word: str, threshold: float = RARE_ZIPF) -> str | None:
    """Return the head's placeholder when ``word`` is a rare compound on an organisation noun.

    A genitive -s is allowed ("Pingstkyrkans"); threshold is the Zipf frequency below which
    the compound counts as a name rather than an ordinary word.
    """
    if "-" in word and len(word.split("-")[0]) <= 4:
        return None  # "LSS-boende", "HVB-hem": a kind of place, not one place's name
    for form in (word, word[:-1] if word.endswith("s") else None):
        if not form:
            continue
        head = lexicon.organisation_head(form)
        if head and len(form) > len(head[0]) and form.lower().endswith(head[0]):
            # "Psykiatrins" is as ordinary as "psykiatrin": judge the form without the -s.
            return head[2] if lexicon.zipf(form) < threshold else None
    return None


def generic_acronym(lower: str) -> bool:
    """Tell whether an acronym names a kind of unit, a method, a law or a thing (BUP, SIP, TV)."""
    return lower in lexicon.word_list("generic_acronyms.txt") or lower in lexicon.word_list(
        "method_acronyms.txt"
    )


@cache
def _known_organisations() -> TermMatcher:
    """Matcher for well-known organisations by their whole name ("Luleå tekniska universitet")."""
    return TermMatcher(Term(name, Category.ORGANISATION) for name in lexicon.known_organisations())


def known_organisation_candidates(text: str, blocked: Spans) -> list[Candidate]:
    """Return well-known organisations named in full; an acronym only in capitals ("KI")."""
    found: list[Candidate] = []
    for match in _known_organisations().find(text):
        surface = text[match.start : match.end]
        acronym = match.variant.term.isupper()
        if blocked.overlaps(match.start, match.end) or (acronym and not surface.isupper()):
            continue
        found.append(organisation(text, match.start, match.end, "känd organisation"))
    return found


def kind_of_unit(text: str, start: int) -> bool:
    """Tell whether a lowercase compound on an organisation noun names a kind, not one unit."""
    return previous_word(text, start) in ("en", "ett")  # "en öppenvårdsmottagning"


_STORE_WORDS = re.compile(r" ([a-zåäö]+)(?: ([a-zåäö]+))?")


def chain_store_end(text: str, end: int) -> int:
    """Return where "ica maxi flygstaden" ends, or 0: a chain with the store's own words."""
    match = _STORE_WORDS.match(text, end)
    if match is None:
        return 0
    last = 0
    for group in (1, 2):
        word = match.group(group)
        if word is None or pronoun_like(word) or word in lexicon.word_list("function_words.txt"):
            break
        last = match.end(group)
    return last


def organisation(
    text: str, start: int, end: int, reason: str = "namn på en organisation"
) -> Candidate:
    """Return the organisation name that text[start:end] is."""
    return Candidate(start, end, text[start:end], Category.ORGANISATION, reason)


def generic_institution(word: str) -> bool:
    """Tell whether one word names a kind of institution rather than one by its own name.

    "Socialtjänsten", "habiliteringen", "centrallasarettet" are known words: with a place
    after them they name one institution ("Socialtjänsten i Lerum"). A coined name
    ("Tallbergsskolan") names one already; a place after it is a place of its own.
    """
    if word.lower() in lexicon.word_list("generic_acronyms.txt"):
        return True  # "BUP i Halmstad"
    return (
        " " not in word
        and lexicon.organisation_head(word) is not None
        and lexicon.zipf(word) >= RARE_ZIPF
    )


_IN_PLACE = re.compile(r" (i )?([^\W\d_]+(?:-[^\W\d_]+)?)(?![\w-])")


def with_place_after(text: str, end: int, with_in: bool = True) -> int:
    """Extend an organisation's end over its place: "i Lessebo", or a listed region right after.

    "Pingstkyrkan i Lessebo", "Brottsofferjouren Dalarna"; with ``with_in`` false only the
    second ("tjejjouren dalälven": "tallbergsskolan i gottsunda" names a school and a place).
    """
    match = _IN_PLACE.match(text, end)
    if match is None or (match.group(1) and not with_in):
        return end
    place = match.group(2)
    listed = place.lower() in lexicon.places() and place.lower() not in lexicon.name_words()
    if listed or (match.group(1) and place[0].isupper()):
        return match.end()
    return end


_PART = r"[^\W\d_]+"


#: "Barn- och ungdomshabiliteringen", "Kultur- och fritidsförvaltningen": shared-head compounds.
_SHARED_HEAD = re.compile(rf"(?<![\w-]){_PART}-,?(?: {_PART}-,?)* (?:och|&) {_PART}(?![\w-])")


#: "Hemse Bygg & Måleri AB": capitalised words, perhaps with "&", ending in a company form.
_COMPANY = re.compile(
    rf"(?<![\w-])(?:[{UPPER}]{_PART}(?:-{_PART})* (?:& )?){{1,5}}(?:AB|HB|KB)(?![\w-])"
)


#: "svedala bygg & plåt ab": up to four lowercase words, perhaps with "&", before "ab".
_LOWER_COMPANY = re.compile(r"(?<![\w-])((?:[a-zåäöé][\w-]* (?:& )?){1,4})(?:ab|hb|kb)(?![\w-])")


def _company_start(text: str, start: int, end: int) -> int | None:
    """Return where a lowercase company name before "ab" starts: after the last small word.

    "han jobbade på lindbacka metall ab" gives "lindbacka metall ab".
    """
    words = [(m.start() + start, m.group()) for m in re.finditer(r"[^\s&]+", text[start:end])]
    small = lexicon.small_words()
    name_start = None
    for position, word in reversed(words):
        if word in small or pronoun_like(word) or word in lexicon.word_list("finite_verbs.txt"):
            break
        name_start = position
    return name_start


def compound_organisations(text: str, blocked: Spans) -> list[Candidate]:
    """Return organisation names a capitalisation run does not catch whole.

    Shared-head compounds on an organisation noun ("Barn- och ungdomshabiliteringen i Umeå")
    and companies ("Hemse Bygg & Måleri AB").
    """
    found: list[Candidate] = []
    for match in _SHARED_HEAD.finditer(text):
        last = match.group().split()[-1]
        if lexicon.organisation_head(last) and not blocked.overlaps(match.start(), match.end()):
            end = with_place_after(text, match.end())
            if match.group()[0].islower() and end == match.end():
                continue  # "barn- och ungdomspsykiatrin": a kind of unit, named by no one
            found.append(
                Candidate(
                    match.start(),
                    end,
                    text[match.start() : end],
                    Category.ORGANISATION,
                    "namn på en organisation",
                )
            )
    for match in _LOWER_COMPANY.finditer(text):
        start = _company_start(text, match.start(), match.start(1) + len(match.group(1)))
        if start is not None and not blocked.overlaps(start, match.end()):
            found.append(organisation(text, start, match.end(), "företagsnamn"))
    for match in _COMPANY.finditer(text):
        if not blocked.overlaps(match.start(), match.end()):
            found.append(
                Candidate(
                    match.start(), match.end(), match.group(), Category.ORGANISATION, "företagsnamn"
                )
            )
    return found
