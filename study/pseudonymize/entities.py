"""Name, place and organisation candidates from capitalised words, classified by lists and context."""

from __future__ import annotations

import re

from . import lexicon
from .codekey import Category
from .organisations import (
    coined_compound,
    generic_acronym,
    generic_institution,
    with_place_after,
)
from .reading import acts_as_subject
from .text import LineStyle, is_sentence_start, next_word, previous_word, word_before_comma
from .words import (
    NOUN_ENDINGS,
    RARE_ZIPF,
    UPPER,
    Candidate,
    Spans,
    base_form,
    definite_noun,
    listed,
    person_noun,
    place_name,
    pronoun_like,
    surname_like,
)

_CAPITALISED = rf"[{UPPER}][^\W\d_]*(?:-[^\W\d_]+)*"


_SEQUENCE = re.compile(rf"(?<![\w-]){_CAPITALISED}(?: {_CAPITALISED})*(?![\w-])")


_TOKEN = re.compile(r"\S+")


SPEAKER_LABEL = re.compile(r"^\[[\d:.,]+\][ \t]*[^\s:]{1,15}:|^[^\s:]{1,15}:(?=\s)", re.MULTILINE)


def _acronym_compound(word: str) -> bool:
    """Tell whether a word is an acronym in mixed case or the first part of a compound."""
    first = word.split("-")[0]
    return any(ch.isupper() for ch in first[1:])


#: ", hon var", ", han hade": what follows a name said first and then explained.
_PRONOUN_APPOSITION = re.compile(r", (?:hon|han) (?:var|är|hade|har|heter|hette|kom|bor|bodde)\b")


#: A name that is a sentence of its own, explained by the next: "Saga. Hon var tjugotvå."
_ALONE = re.compile(r"[.?!] (?:Hon|Han|Hen) ")
#: Prepositions before a workplace: "jobbar på LKAB", "praktik hos ABF".
_WORKPLACE_PREPOSITIONS = frozenset({"på", "hos", "vid"})


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
        if before in _WORKPLACE_PREPOSITIONS and 2 < len(word) < 6 and not generic_acronym(lower):
            return word, Category.ORGANISATION, f"förkortning efter ”{before}”"  # "på LKAB"
        return "", Category.OTHER, ""  # other acronyms name methods and systems (BBIC, NPM)
    base, _ = base_form(word)
    if at_start and lexicon.is_ordinary_word(base):
        if listed(base) and acts_as_subject(text, start + len(word)):
            return base, Category.PERSON, "namn följt av ett verb"  # "Klara ringde", "Ek och jag"
        if listed(base) and _PRONOUN_APPOSITION.match(text, start + len(word)):
            return base, Category.PERSON, "namn med förklaring"  # "Saga, hon var fem då"
        if base.lower() in lexicon.first_names() and _ALONE.match(text, start + len(word)):
            return base, Category.PERSON, "namn som egen mening"  # "Ja. Saga. Hon var …"
        return "", Category.OTHER, ""  # "Per vecka", "Rosa lappar": evidence must come elsewhere
    if base.lower() in lexicon.known_organisations():
        return base, Category.ORGANISATION, "känd organisation"
    if base.lower() in lexicon.places():
        return base, Category.PLACE, "ort i ortlistan"
    if base.lower() in lexicon.first_names():
        return base, Category.PERSON, "förnamn i namnlistan"
    if base.lower() in lexicon.surnames():
        return base, Category.PERSON, "efternamn i namnlistan"
    if coined_compound(word):
        return word, Category.ORGANISATION, "namn på en organisation"
    if place_name(base):
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
    if lexicon.english_word(word):
        if before in _WORKPLACE_PREPOSITIONS:
            return word, Category.ORGANISATION, f"namn efter ”{before}”"  # "volontär på Friends"
        return "", Category.OTHER, ""  # "Individual Placement and Support": a method's name
    if (
        word_before_comma(text, start) in _PLACE_NOUNS
        and lexicon.zipf(word) < lexicon.ORDINARY_ZIPF
    ):
        return word, Category.PLACE, "ortnamn efter en ortsbeteckning"  # "i en by, Risbäck"
    if before in lexicon.word_list("place_prepositions.txt"):
        if lexicon.zipf(word) >= COMMON_NOUN_ZIPF:
            return "", Category.OTHER, ""  # "i Bostad först": a method, not a place
        return word, Category.PLACE, f"versalt ord efter ”{before}”"
    if pronoun_like(lower):
        return "", Category.OTHER, ""  # "Jag", "Det" after a note the transcript left in
    if lexicon.zipf(word) >= lexicon.ORDINARY_ZIPF:
        return word, Category.PERSON, "versalt ord mitt i en mening"
    if surname_like(word):
        return word, Category.PERSON, "ser ut som ett efternamn"
    return word, Category.PERSON, "versalt ord mitt i en mening, inte ett vanligt ord"


#: From this Zipf frequency an unlisted capitalised word is too common a noun to be a place.
COMMON_NOUN_ZIPF = 4.5
#: Nouns for a kind of place; a capitalised word right after one, or after it and a comma,
#: is that place's name ("i en by, Risbäck", "stadsdelen Gottsunda").
_PLACE_NOUNS = frozenset(
    "by byn ort orten stad staden stadsdel stadsdelen område området förort förorten "
    "samhälle samhället socken socknen ö ön".split()
)


def _local_branch(words: list[tuple[int, str]]) -> bool:
    """Tell whether a national body's name and a place make a local branch ("PRO Skiftinge")."""
    return (
        len(words) > 1
        and words[0][1].lower() in lexicon.neutral_terms()
        and all(word.lower() in lexicon.places() for _, word in words[1:])
    )


def _definite_name(word: str) -> bool:
    """Tell whether a one-word name is an ordinary noun's definite form, no coined compound.

    "Skuldrådgivningen i Norrköping" names one unit with its place; "Tallbergsskolan i
    Gottsunda" names a school and the district it is in.
    """
    return definite_noun(word) and lexicon.organisation_head(word) is None


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
    last_base, genitive = base_form(last)
    if first.lower() in lexicon.first_names() or surname_like(last_base):
        term = phrase[:-1] if genitive else phrase
        return term, Category.PERSON, "för- och efternamn"
    if all(word.lower() in lexicon.places() for _, word in words):
        return phrase, Category.PLACE, "ort i ortlistan"
    if all(lexicon.english_word(word) for _, word in words):
        return "", Category.OTHER, ""  # "Individual Placement": an English method's name
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
        # A sentence-initial word that is no name ("Tack Emelie") is not part of the name,
        # unless it is the kind of unit the name names ("Hembageriet Guldkanten").
        popped: tuple[int, str] | None = None
        if at_start and len(words) > 1 and not listed(words[0][1]):
            popped = words.pop(0)
            at_start = False
        chain = len(words) > 1 and words[0][1].lower() in lexicon.store_chains()
        branch = _local_branch(words)
        while words and words[0][1].lower() in lexicon.neutral_terms() and not (chain or branch):
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
            and (not listed(base_form(words[0][1])[0]) or lexicon.is_ordinary_word(words[0][1]))
            and lexicon.zipf(words[0][1]) >= lexicon.ORDINARY_ZIPF
        )  # "Ring mottagningen": an ordinary word that opens a sentence
        friends = after in _GROUP_HEADS and len(words) == 1 and not listed(words[0][1])
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
        if branch:
            term, category, reason = text[start:end], Category.ORGANISATION, "lokal avdelning"
        unit = category is Category.ORGANISATION and len(words) == 1 and term == words[0][1]
        if generic_institution(text[start:end]) or friends or (unit and _definite_name(term)):
            # "Socialtjänsten i Hässleholm", "Brottsofferjouren Dalarna": one organisation
            with_place = with_place_after(text, end)
            if with_place > end:
                end, term = with_place, text[start:with_place]
                category, reason = Category.ORGANISATION, "organisation med ort"
        if (
            category is Category.ORGANISATION
            and popped is not None
            and popped[0] + len(popped[1]) + 1 == start
            and lexicon.organisation_head(popped[1])
        ):
            start, term = popped[0], text[popped[0] : end]
        if term and term.lower() not in lexicon.neutral_terms():  # "Svenska kyrkan"
            found.append(Candidate(start, end, term, category, reason))
    return found


def speaker_labels(text: str) -> list[tuple[int, int]]:
    """Spans of timestamps and speaker labels ("[00:01:02] R:") that hold no identifiers."""
    return [(m.start(), m.end()) for m in SPEAKER_LABEL.finditer(text)]
