"""Name, place and organisation candidates from capitalisation, context and the word lists."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache, lru_cache

from . import lexicon
from .codekey import Category
from .matcher import Term, TermMatcher, acts_as_subject
from .text import LineStyle, is_sentence_start, next_word, previous_word

#: Capitals of the Latin alphabets names in Sweden come in ("Łódź", "Ánde", "Šejla", "Çelik").
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĐĒĖĘĚĞĢĪĮİĶĹĻĽŁŃŅŇŌŐŒŔŘŚŞŠŢŤŪŮŰŲŹŻŽ"
_CAPITALISED = rf"[{_UPPER}][^\W\d_]*(?:-[^\W\d_]+)*"
_SEQUENCE = re.compile(rf"(?<![\w-]){_CAPITALISED}(?: {_CAPITALISED})*(?![\w-])")
_TOKEN = re.compile(r"\S+")
SPEAKER_LABEL = re.compile(r"^\[[\d:.,]+\][ \t]*[^\s:]{1,15}:|^[^\s:]{1,15}:(?=\s)", re.MULTILINE)
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


def _coined_compound(word: str, threshold: float = RARE_ZIPF) -> str | None:
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


def _place_name(word: str) -> bool:
    """Tell whether a word, no ordinary one, ends like a place or water name ("Munksjön")."""
    lower = word.lower()
    if lower.endswith(("et", "en")) and lexicon.zipf(lower[:-2]) >= lexicon.ORDINARY_ZIPF:
        return False  # "missbruket": the definite form of an ordinary noun
    return (
        lexicon.zipf(lower) < lexicon.ORDINARY_ZIPF
        and not _is_surname_like(word)
        and any(
            lower.endswith(ending) and len(lower) >= len(ending) + 3
            for ending in lexicon.word_list("place_endings.txt")
        )
    )


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


def _acronym_compound(word: str) -> bool:
    """Tell whether a word is an acronym in mixed case or the first part of a compound."""
    first = word.split("-")[0]
    return any(ch.isupper() for ch in first[1:])


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


#: ", hon var", ", han hade": what follows a name said first and then explained.
_PRONOUN_APPOSITION = re.compile(r", (?:hon|han) (?:var|är|hade|har|heter|hette|kom|bor|bodde)\b")
#: Prepositions before a workplace: "jobbar på LKAB", "praktik hos ABF".
_WORKPLACE_PREPOSITIONS = frozenset({"på", "hos", "vid"})


def _generic_acronym(lower: str) -> bool:
    """Tell whether an acronym names a kind of unit, a method, a law or a thing (BUP, SIP, TV)."""
    return lower in lexicon.word_list("generic_acronyms.txt") or lower in lexicon.word_list(
        "method_acronyms.txt"
    )


#: Prepositions that take a place, not an organisation ("hemma i Gamlegården", "runt Aspen").
_PLACE_ONLY_PREPOSITIONS = frozenset({"i", "runt", "kring", "genom", "längs", "förbi", "vid"})


def _classify_word(text: str, start: int, word: str, at_start: bool) -> tuple[str, Category, str]:
    """Classify one capitalised word; an empty term means "not a candidate"."""
    lower = word.lower()
    if len(word) < 2 or lower in lexicon.neutral_terms():
        return "", Category.OTHER, ""
    if word.isupper():
        if lower in lexicon.known_organisations():
            return word, Category.ORGANISATION, "känd organisation"
        before = previous_word(text, start)
        if before in _WORKPLACE_PREPOSITIONS and 2 < len(word) < 6 and not _generic_acronym(lower):
            return word, Category.ORGANISATION, f"förkortning efter ”{before}”"  # "på LKAB"
        return "", Category.OTHER, ""  # other acronyms name methods and systems (BBIC, NPM)
    base, _ = _base(word)
    if at_start and lexicon.is_ordinary_word(base):
        if _listed(base) and acts_as_subject(text, start + len(word)):
            return base, Category.PERSON, "namn följt av ett verb"  # "Klara ringde", "Ek och jag"
        if _listed(base) and _PRONOUN_APPOSITION.match(text, start + len(word)):
            return base, Category.PERSON, "namn med förklaring"  # "Saga, hon var fem då"
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
    if _place_name(base):
        return base, Category.PLACE, "ortnamn eller vatten"
    if at_start:
        if (
            lexicon.zipf(word) < RARE_ZIPF
            and not lower.endswith(NOUN_ENDINGS)
            and not person_noun(word)
            and acts_as_subject(text, start + len(word))
        ):
            return base, Category.PERSON, "namn följt av ett verb"  # "Darek kallar han sig"
        return "", Category.OTHER, ""
    street = lexicon.word_list("street_suffixes.txt")
    if any(lower.endswith(s) and len(lower) > len(s) for s in street) and lexicon.zipf(word) < 2:
        return word, Category.PLACE, "gatunamn"
    if _acronym_compound(word):
        return "", Category.OTHER, ""  # "SoL", "SIP-möten": laws, methods and their compounds
    before = previous_word(text, start)
    if before in lexicon.word_list("person_cues.txt"):
        return base, Category.PERSON, f"namn efter ”{before}”"
    if before and before.islower() and lexicon.organisation_head(before):
        return word, Category.ORGANISATION, f"namn efter ”{before}”"
    if base.lower() in lexicon.name_words():
        return base, Category.PERSON, "namn mitt i en mening"
    if definite_noun(base) and before not in _PLACE_ONLY_PREPOSITIONS:
        # "till Kvarnen", "på Ankaret": a listed place was found above; an unlisted name in
        # definite form is a home, a club or a project more often than a place.
        return base, Category.ORGANISATION, "namn i bestämd form mitt i en mening"
    if before in lexicon.word_list("place_prepositions.txt"):
        return word, Category.PLACE, f"versalt ord efter ”{before}”"
    if pronoun_like(lower):
        return "", Category.OTHER, ""  # "Jag", "Det" after a note the transcript left in
    if lexicon.zipf(word) >= lexicon.ORDINARY_ZIPF:
        return word, Category.PERSON, "versalt ord mitt i en mening"
    if _is_surname_like(word):
        return word, Category.PERSON, "ser ut som ett efternamn"
    return word, Category.PERSON, "versalt ord mitt i en mening, inte ett vanligt ord"


#: First words that make a run of capitalised words an organisation's name.
_ORGANISATION_OPENERS = frozenset({"Region", "Kommun", "Stiftelsen", "Föreningen", "Landstinget"})


def _classify_sequence(text: str, words: list[tuple[int, str]]) -> tuple[str, Category, str]:
    """Classify a run of two or more capitalised words ("Per Lindahl", "Nordost Boxning")."""
    phrase = " ".join(word for _, word in words)
    lower = phrase.lower()
    if lower in lexicon.neutral_terms():
        return "", Category.OTHER, ""
    if lower in lexicon.known_organisations():
        return phrase, Category.ORGANISATION, "känd organisation"
    if words[0][1] in _ORGANISATION_OPENERS or words[0][1].lower() in lexicon.store_chains():
        return phrase, Category.ORGANISATION, "namn på en organisation"  # "Region Gotland"
    if lower in lexicon.places():
        return phrase, Category.PLACE, "ort i ortlistan"
    if any(lexicon.organisation_head(word) for _, word in words):
        return phrase, Category.ORGANISATION, "namn på en organisation"
    if words[-1][1] == "AB":
        return phrase, Category.ORGANISATION, "namn på en organisation"
    first, last = words[0][1], words[-1][1]
    last_base, genitive = _base(last)
    if first.lower() in lexicon.first_names() or _is_surname_like(last_base):
        term = phrase[:-1] if genitive else phrase
        return term, Category.PERSON, "för- och efternamn"
    if all(word.lower() in lexicon.places() for _, word in words):
        return phrase, Category.PLACE, "ort i ortlistan"
    return phrase, Category.ORGANISATION, "flerordigt namn"


#: Lowercase words that make a group of a capitalised word that is no name before them
#: ("Familjehemmens vänner"; "Saras vänner" are her friends).
_GROUP_HEADS = frozenset({"vänner"})
#: Lowercase words that follow a name of a river or lake ("Helge å", "Vättern sjö" is rare).
_WATERS = frozenset({"å", "älv", "ström", "fjord", "kanal"})


def capitalised_candidates(text: str, blocked: Spans, style: LineStyle) -> list[Candidate]:
    """Return candidates from runs of capitalised words, classified by lists and context."""
    found: list[Candidate] = []
    for match in _SEQUENCE.finditer(text):
        if blocked.overlaps(match.start(), match.end()):
            continue
        words = [(m.start() + match.start(), m.group()) for m in _TOKEN.finditer(match.group())]
        at_start = not style.lowercase_at(words[0][0]) and is_sentence_start(text, words[0][0])
        # A sentence-initial word that is no name ("Tack Emelie") is not part of the name.
        while words and at_start and len(words) > 1 and not _listed(words[0][1]):
            words.pop(0)
            at_start = False
        chain = len(words) > 1 and words[0][1].lower() in lexicon.store_chains()
        while words and words[0][1].lower() in lexicon.neutral_terms() and not chain:
            words.pop(0)
        if not words:
            continue
        start, end = words[0][0], words[-1][0] + len(words[-1][1])
        after = next_word(text, end)
        if after and f"{text[start:end]} {after}".lower() in lexicon.neutral_terms():
            continue  # "Specialpedagogiska skolmyndigheten"
        # "Den förskolan" is no name; "Eritreanska kulturföreningen" is one.
        opener = (
            at_start
            and len(words) == 1
            and (not _listed(_base(words[0][1])[0]) or lexicon.is_ordinary_word(words[0][1]))
            and lexicon.zipf(words[0][1]) >= lexicon.ORDINARY_ZIPF
        )  # "Ring mottagningen": an ordinary word that opens a sentence
        friends = after in _GROUP_HEADS and len(words) == 1 and not _listed(words[0][1])
        if (
            after
            and after.islower()
            and (lexicon.organisation_head(after) or friends)
            and not opener
        ):
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
        if after in _WATERS and category is not Category.ORGANISATION:
            # "Helge å", "Dala älv": a river or lake named by a word and what it is
            end = text.index(after, end) + len(after)
            term, category, reason = text[start:end], Category.PLACE, "vatten"
        if _generic_institution(text[start:end]) or friends:
            # "Socialtjänsten i Hässleholm", "Brottsofferjouren Dalarna": one organisation
            with_place = _with_place_after(text, end)
            if with_place > end:
                end, term = with_place, text[start:with_place]
                category, reason = Category.ORGANISATION, "organisation med ort"
        kind_start = text.rfind(" ", 0, start - 1) + 1
        if (
            category is Category.ORGANISATION
            and reason == f"namn efter ”{previous_word(text, start)}”"
            and text[kind_start].isupper()
        ):
            # "Hembageriet Guldkanten" opening a sentence: the kind is part of the name
            start, term = kind_start, text[kind_start:end]
        if term and term.lower() not in lexicon.neutral_terms():  # "Svenska kyrkan"
            found.append(Candidate(start, end, term, category, reason))
    return found


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
        found.append(_organisation(text, match.start, match.end, "känd organisation"))
    return found


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
            if _is_surname_like(surname.group(1)) and lexicon.zipf(surname.group(1)) < 3:
                end = surname.end()  # "göran lindh": a surname the list lacks
                term = f"{term} {surname.group(1)[:1].upper()}{surname.group(1)[1:]}"
        found.append(Candidate(match.start, end, term, category, reason))
    return found


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
#: Verbs after which the next word is a name whatever else it could be ("heter sol").
_NAMING_VERBS = frozenset({"heter", "hette", "kallas", "kallades", "döpte", "döptes"})
_LOWER_WORD = re.compile(r"(?<![\w-])[a-zåäöéü][a-zåäöéü]+(?:-[a-zåäöéü]+)*(?![\w-])")


@lru_cache(maxsize=65536)
def _lowercase_facts(word: str) -> tuple[str, bool, bool]:
    """Return a lowercase word's base form, whether it is rare, and whether it is a listed name."""
    base, _genitive = _base(word)
    rare = lexicon.zipf(base) < RARE_ZIPF and not lexicon.organisation_head(word)
    listed = base in lexicon.first_names() or base in lexicon.surnames()
    return base, rare, listed


def lowercase_context_candidates(text: str, blocked: Spans) -> list[Candidate]:
    """Return names a lowercase transcript gives away by context alone.

    "min kollega kicki": a word that is no ordinary word, right after a word that introduces
    a person. "björkängens förskola", "lessebo bostäder": a rare word or a listed place right
    before an organisation's head noun.
    """
    found: list[Candidate] = []
    cues = lexicon.word_list("person_cues.txt")
    skip = lexicon.word_list("function_words.txt") | lexicon.word_list("common_reading_markers.txt")
    for match in _LOWER_WORD.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        if word in lexicon.store_chains() and (chain_end := _chain_store_end(text, end)):
            if not blocked.overlaps(start, chain_end):
                found.append(_organisation(text, start, chain_end, "butik i en kedja"))
            continue
        if word in skip or word in lexicon.neutral_terms() or blocked.overlaps(start, end):
            continue  # no function word names anyone, so most words stop here
        base, rare, listed = _lowercase_facts(word)
        after = next_word(text, end)
        before = previous_word(text, start)
        named = before in _NAMING_VERBS and not pronoun_like(word)
        name = base[:1].upper() + base[1:]
        if named or (before in cues and (rare or listed)):
            found.append(Candidate(start, end, name, Category.PERSON, "namn efter ett personord"))
        elif (
            rare
            and not word.endswith(NOUN_ENDINGS)
            and not person_noun(word)
            and acts_as_subject(text, end)
        ):
            # "seb sa", "dani ringde": an unknown word as the subject of a verb is a name
            found.append(Candidate(start, end, name, Category.PERSON, "namn följt av ett verb"))
        elif _place_name(base):
            found.append(Candidate(start, end, name, Category.PLACE, "ortnamn eller vatten"))
        elif (
            _generic_institution(word) or word in ("region", "landstinget")
        ) and _with_place_after(text, end) > end:
            # "socialtjänsten i avesta": an institution with its place
            found.append(
                _organisation(text, start, _with_place_after(text, end), "organisation med ort")
            )
        elif _coined_compound(word, lexicon.ORDINARY_ZIPF) and not _kind_of_unit(text, start):
            # "pingstkyrkans", "tallbergsskolan": a coined name on an organisation noun
            found.append(_organisation(text, start, end))
        elif (
            after
            and after.islower()
            and lexicon.organisation_head(after)
            and (rare or word in lexicon.places() or _base(word)[0] in lexicon.places())
        ):
            # "björkängens förskola", "lessebo bostäder"
            head_end = text.index(after, end) + len(after)
            found.append(_organisation(text, start, _with_place_after(text, head_end)))
    return found


def _kind_of_unit(text: str, start: int) -> bool:
    """Tell whether a lowercase compound on an organisation noun names a kind, not one unit."""
    return previous_word(text, start) in ("en", "ett")  # "en öppenvårdsmottagning"


_STORE_WORDS = re.compile(r" ([a-zåäö]+)(?: ([a-zåäö]+))?")


def _chain_store_end(text: str, end: int) -> int:
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


def _organisation(
    text: str, start: int, end: int, reason: str = "namn på en organisation"
) -> Candidate:
    """Return the organisation name that text[start:end] is."""
    return Candidate(start, end, text[start:end], Category.ORGANISATION, reason)


def pronoun_like(word: str) -> bool:
    """Tell whether a word is a pronoun, article or other word too common to be a name."""
    return (
        word in lexicon.word_list("function_words.txt")
        or word in lexicon.word_list("common_reading_markers.txt")
        or lexicon.zipf(word) >= VERY_COMMON_ZIPF
    )


def _generic_institution(word: str) -> bool:
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


def _with_place_after(text: str, end: int) -> int:
    """Extend an organisation's end over its place: "i Lessebo", or a listed region right after.

    "Pingstkyrkan i Lessebo", "Brottsofferjouren Dalarna".
    """
    match = _IN_PLACE.match(text, end)
    if match is None:
        return end
    place = match.group(2)
    listed = place.lower() in lexicon.places() and place.lower() not in lexicon.name_words()
    if listed or (match.group(1) and place[0].isupper()):
        return match.end()
    return end


_IN_PLACE = re.compile(r" (i )?([^\W\d_]+(?:-[^\W\d_]+)?)(?![\w-])")


_PART = r"[^\W\d_]+"
#: "Barn- och ungdomshabiliteringen", "Kultur- och fritidsförvaltningen": shared-head compounds.
_SHARED_HEAD = re.compile(rf"(?<![\w-]){_PART}-,?(?: {_PART}-,?)* (?:och|&) {_PART}(?![\w-])")
#: "Hemse Bygg & Måleri AB": capitalised words, perhaps with "&", ending in a company form.
_COMPANY = re.compile(
    rf"(?<![\w-])(?:[{_UPPER}]{_PART}(?:-{_PART})* (?:& )?){{1,5}}(?:AB|HB|KB)(?![\w-])"
)
#: "svedala bygg & plåt ab": up to four lowercase words, perhaps with "&", before "ab".
_LOWER_COMPANY = re.compile(r"(?<![\w-])((?:[a-zåäöé][\w-]* (?:& )?){1,4})(?:ab|hb|kb)(?![\w-])")


def _company_start(text: str, start: int, end: int) -> int | None:
    """Return where a lowercase company name before "ab" starts: after the last small word.

    "han jobbade på lindbacka metall ab" gives "lindbacka metall ab".
    """
    words = [(m.start() + start, m.group()) for m in re.finditer(r"[^\s&]+", text[start:end])]
    small = lexicon.word_list("function_words.txt") | lexicon.word_list(
        "common_reading_markers.txt"
    )
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
            end = _with_place_after(text, match.end())
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
            found.append(_organisation(text, start, match.end(), "företagsnamn"))
    for match in _COMPANY.finditer(text):
        if not blocked.overlaps(match.start(), match.end()):
            found.append(
                Candidate(
                    match.start(), match.end(), match.group(), Category.ORGANISATION, "företagsnamn"
                )
            )
    return found


def speaker_labels(text: str) -> list[tuple[int, int]]:
    """Spans of timestamps and speaker labels ("[00:01:02] R:") that hold no identifiers."""
    return [(m.start(), m.end()) for m in SPEAKER_LABEL.finditer(text)]
