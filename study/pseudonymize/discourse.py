"""One sense per transcript: in a lowercase transcript, a word shown once to be a name is one.

Without capitals, "saga", "storm" or "seb" look like any other word. Somewhere the transcript
usually gives the name away: "hon heter saga", "storms mamma", "sebastian örn, alla säger seb",
"två barn, alve och tyra". This module collects that evidence over the whole transcript and
then marks every occurrence of the word, except where the context reads as the ordinary word
("en saga", "skulle vilja", "i maj").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon
from .codekey import Category
from .entities import (
    NOUN_ENDINGS,
    Candidate,
    Spans,
    definite_noun,
    organisation_word,
    person_noun,
    pronoun_like,
)
from .matcher import ADJECTIVE_ENDINGS, acts_as_subject

_TOKEN = re.compile(r"(?<![\w@.-])[a-zåäöéü]+(?:-[a-zåäöéü]+)*(?![\w@-]|\.\w)")
#: Up to this Zipf frequency an unlisted word may be a name given evidence ("pim", "sunniva").
NAME_SHAPED_ZIPF = 4.0
#: Below this Zipf frequency a definite-looking word after a kind of unit is its name, even
#: when its stem is rare too ("stödboendet kastanjen").
UNIT_NAME_ZIPF = 2.5
#: Up to this Zipf frequency an unlisted word followed by "och jag" is taken for a name.
SUBJECT_ZIPF = 3.2
#: Verbs of naming: the next word is a name whatever else it could be ("hon heter saga").
_NAMING = frozenset({"heter", "hette", "kallas", "kallades", "döpte", "döptes", "döpt"})
#: Words that may stand between a verb of naming and the name.
_HEDGES = frozenset({"faktiskt", "egentligen", "ju", "alltså", "asså", "typ", "bara"})
#: "alla säger seb", "dom kallar henne jessan": who calls someone by a name.
_CALLERS = frozenset({"alla", "folk", "dom", "de", "vi", "man", "hon", "han", "jag", "ni"})
_CALL_VERBS = frozenset({"säger", "sa", "kallar", "kallade"})
_CALLED = frozenset({"mig", "honom", "henne", "oss", "dem", "dom", "han", "hon"})
#: Who is named when "heter ... X" is about a place or a group rather than a person.
_GROUP_SUBJECTS = frozenset({"ni", "vi", "stället", "föreningen", "gården", "boendet", "det"})
#: Pronouns a name is coordinated with ("pim och jag").
_PERSON_PRONOUNS = frozenset({"jag", "du", "han", "hon", "vi", "ni", "dom", "de"})
#: Words right after "X," that make X a name in apposition ("jessan, min kollega ...").
_APPOSITION = frozenset({"alltså", "asså", "min", "mitt", "vår", "hans", "hennes", "din"})
#: Right before a word, these show the verb reading of a name that is also a verb ("vilja").
_VERB_BEFORE = frozenset(
    "att skulle kunde kan vill ville måste ska bör borde inte får fick kommer "
    "brukar vågar orkar hinner behöver".split()
)
#: Conjunctions after which a subject follows ("om maj sitter i köket").
_CLAUSE_OPENERS = frozenset({"om", "när", "att", "som", "då", "eftersom", "innan", "tills"})


@dataclass(frozen=True, slots=True)
class Token:
    """A lowercase word and where it stands."""

    start: int
    end: int
    word: str


def lowercase_tokens(text: str, blocked: Spans) -> list[Token]:
    """Return the lowercase words outside the blocked spans."""
    return [
        Token(m.start(), m.end(), m.group())
        for m in _TOKEN.finditer(text)
        if not blocked.overlaps(m.start(), m.end())
    ]


def lowercase_names(text: str, tokens: list[Token], persons: Iterable[str]) -> list[Candidate]:
    """Return every occurrence of a word the transcript shows, somewhere, to be a name.

    ``persons`` are person names already found (the key's, the lists'): a short form right
    beside one of them ("sebastian örn, alla säger seb") is a nickname.
    """
    firsts = {name.split()[0].lower() for name in persons if name.strip()}
    evidence: dict[str, tuple[Category, str]] = {
        name.lower(): (Category.PERSON, "namn på ett annat ställe i utskriften")
        for name in persons
        if " " not in name.strip() and _may_be_name(name.lower())
    }
    for i in range(len(tokens)):
        found = _evidence(text, tokens, i, firsts)
        if found is not None:
            base, category, reason = found
            evidence.setdefault(base, (category, reason))
    if not evidence:
        return []
    candidates: list[Candidate] = []
    for i, token in enumerate(tokens):
        base = _established(token.word, evidence)
        if base is None:
            continue
        if base != token.word:
            # "i viljas journal": a genitive before a noun is the name's, whatever precedes it
            after = _neighbour(text, tokens, i, 1)
            if after is None or _function_word(after):
                continue
        elif _ordinary_reading(text, tokens, i):
            continue
        category, reason = evidence[base]
        term = base[:1].upper() + base[1:]
        candidates.append(Candidate(token.start, token.end, term, category, reason))
    return candidates


def _established(word: str, evidence: dict[str, tuple[Category, str]]) -> str | None:
    """Return the established name that ``word`` is, or is the genitive of."""
    if word in evidence:
        return word
    if word.endswith("s") and word[:-1] in evidence:
        return word[:-1]
    return None


def _gap(text: str, left: Token, right: Token) -> str:
    """Return what lies between two tokens ("", " ", ", " …)."""
    return text[left.end : right.start]


def _neighbour(
    text: str, tokens: list[Token], i: int, step: int, gaps: tuple[str, ...] = (" ",)
) -> str | None:
    """Return the word ``step`` tokens away if only one of ``gaps`` lies between them."""
    j = i + step
    if not 0 <= j < len(tokens):
        return None
    left, right = (tokens[j], tokens[i]) if step < 0 else (tokens[i], tokens[j])
    if _gap(text, left, right) not in gaps:
        return None
    return tokens[j].word


@lru_cache(maxsize=65536)
def _may_be_name(word: str) -> bool:
    """Tell whether a word could be a name at all: listed, or no common word."""
    if len(word) < 2 or word in lexicon.neutral_terms() or _function_word(word):
        return False
    if word in lexicon.first_names() or word in lexicon.surnames():
        return True  # also "vilja", "maj": the evidence decides
    if pronoun_like(word):
        return False
    if person_noun(word) or word.endswith(NOUN_ENDINGS):
        return False
    return lexicon.zipf(word) < NAME_SHAPED_ZIPF and not organisation_word(word)


def _function_word(word: str) -> bool:
    """Tell whether a word is a pronoun, article, preposition or the like."""
    return word in lexicon.word_list("function_words.txt") or word in lexicon.word_list(
        "common_reading_markers.txt"
    )


def _may_be_named(word: str) -> bool:
    """Tell whether a word after "heter" can be the name ("heter saga", not "hette handläggaren")."""
    if len(word) < 2 or pronoun_like(word) or word in lexicon.word_list("person_cues.txt"):
        return False
    return word in lexicon.first_names() or not definite_noun(word)


def _name_like(word: str | None, firsts: set[str]) -> bool:
    """Tell whether a neighbour is a person's name already (listed, no ordinary word)."""
    if word is None:
        return False
    return word in firsts or (word in lexicon.first_names() and not lexicon.is_ordinary_word(word))


def _evidence(
    text: str, tokens: list[Token], i: int, firsts: set[str]
) -> tuple[str, Category, str] | None:
    """Return (word, category, reason) when the context at token ``i`` shows a name."""
    word = tokens[i].word
    before = _neighbour(text, tokens, i, -1)
    two_before = _neighbour(text, tokens, i - 1, -1) if before else None
    if before in _HEDGES and two_before in _NAMING:
        before, two_before = two_before, None  # "han heter faktiskt storm"
    cues = lexicon.word_list("person_cues.txt")
    if before in _NAMING and _may_be_named(word):
        if two_before in _GROUP_SUBJECTS and word not in lexicon.first_names():
            return word, Category.ORGANISATION, f"namn efter ”{two_before} {before}”"
        return word, Category.PERSON, f"namn efter ”{before}”"
    if before and _names_a_unit(before, word):
        return word, Category.ORGANISATION, f"namn efter ”{before}”"
    if _unit_in_apposition(text, tokens, i):
        return word, Category.ORGANISATION, "namn på en verksamhet"
    if not _may_be_name(word):
        return _genitive_of_person(text, tokens, i)
    if (
        before in _CALLED
        and two_before in _CALL_VERBS
        or (before in _CALL_VERBS and two_before in _CALLERS and _ends_clause(text, tokens[i]))
    ):
        return word, Category.PERSON, "smeknamn"
    if _neighbour(text, tokens, i, -1, (" ", ", ")) in cues:
        return word, Category.PERSON, "namn efter ett personord"
    after = _neighbour(text, tokens, i, 1)
    if after is not None and _surname_after(word, after):
        return word, Category.PERSON, "förnamn före efternamn"
    comma_after = _neighbour(text, tokens, i, 1, (", ",))
    following = _neighbour(text, tokens, i + 1, 1) if comma_after else None
    if comma_after in _APPOSITION and (following in cues or _name_like(following, firsts)):
        return word, Category.PERSON, "namn med förklaring"
    if comma_after in ("han", "hon") and following in _NAMING:
        return word, Category.PERSON, "namn med förklaring"  # "kuba, han heter jakub"
    if (
        comma_after in ("han", "hon")
        and following in lexicon.word_list("finite_verbs.txt")
        and _neighbour(text, tokens, i, -1, (", ",)) is not None
        and lexicon.zipf(word) < SUBJECT_ZIPF
    ):
        return word, Category.PERSON, "namn med förklaring"  # "en kille, mirsad, han var"
    if _called_after(text, tokens, i):
        return word, Category.PERSON, "namn hon eller han vill kallas"
    if _nickname_of_nearby(text, tokens, i, firsts):
        return word, Category.PERSON, "smeknamn för ett namn intill"
    for step in (-2, 2):
        if _neighbour(text, tokens, i, step // 2) == "och":
            other = _neighbour(text, tokens, i + step // 2, step // 2)
            if _name_like(other, firsts) or (
                other in cues
                and (word in lexicon.first_names() or lexicon.zipf(word) < SUBJECT_ZIPF)
            ):
                return word, Category.PERSON, "namn i uppräkning med ett namn"
    if (
        after == "och"
        and _neighbour(text, tokens, i + 1, 1) in _PERSON_PRONOUNS
        and acts_as_subject(text, tokens[i].end)
        and (word in lexicon.first_names() or lexicon.zipf(word) < SUBJECT_ZIPF)
    ):
        return word, Category.PERSON, "namn följt av ”och jag”"
    return _genitive_of_person(text, tokens, i)


#: Right before a word, these show the ordinary reading whatever the word is.
_ORDINARY_BEFORE = frozenset(
    "enligt är var blir blev bli vara egen eget egna fri fritt fria god gott goda".split()
)


def _genitive_of_person(text: str, tokens: list[Token], i: int) -> tuple[str, Category, str] | None:
    """Return the name in "storms mamma": a genitive right before a word for a person."""
    word = tokens[i].word
    after = _neighbour(text, tokens, i, 1)
    if (
        word.endswith("s")
        and after in lexicon.word_list("person_cues.txt")
        and _may_be_name(word[:-1])
        and lexicon.zipf(word) < NAME_SHAPED_ZIPF
    ):
        return word[:-1], Category.PERSON, f"namn i genitiv före ”{after}”"
    return None


def _surname_after(word: str, after: str) -> bool:
    """Tell whether ``word after`` reads as a first name and a surname ("saga lindqvist")."""
    listed_first = word in lexicon.first_names()
    surname = after in lexicon.surnames() or (
        after.endswith(lexicon.surname_endings()) and lexicon.zipf(after) < NAME_SHAPED_ZIPF
    )
    return listed_first and surname and not pronoun_like(after)


def _nickname_of_nearby(text: str, tokens: list[Token], i: int, firsts: set[str]) -> bool:
    """Tell whether the word is a short form of a name a few words away ("mo, alltså mohammed")."""
    word = tokens[i].word
    if len(word) < 2 or lexicon.zipf(word) >= lexicon.ORDINARY_ZIPF + 1.5:
        return False
    line_start = text.rfind("\n", 0, tokens[i].start)
    line_end = text.find("\n", tokens[i].end)
    line_end = len(text) if line_end < 0 else line_end
    prefix = word[: min(3, len(word))]
    for j in range(max(0, i - 8), min(len(tokens), i + 9)):
        other = tokens[j]
        if j == i or not (line_start < other.start and other.end <= line_end):
            continue
        if other.word in firsts and other.word != word and other.word.startswith(prefix):
            return len(other.word) > len(word)
    return False


#: "maj som hon vill bli kallad", "mo som han kallas": what someone is called follows.
_CALLED_WORDS = frozenset({"kallad", "kallas", "kallades", "kallar"})


def _called_after(text: str, tokens: list[Token], i: int) -> bool:
    """Tell whether "som han/hon (vill bli) kallad/kallas" follows the word."""
    if _neighbour(text, tokens, i, 1) != "som":
        return False
    if _neighbour(text, tokens, i + 1, 1) not in ("han", "hon", "de", "dom"):
        return False
    following = [_neighbour(text, tokens, i + step, 1) for step in (2, 3, 4)]
    return any(word in _CALLED_WORDS for word in following)


def _ends_clause(text: str, token: Token) -> bool:
    """Tell whether a clause ends right after the token ("alla säger seb, ...")."""
    rest = text[token.end : token.end + 2]
    return rest[:1] in ("", "\n", ",", ".", "!", "?") or rest == " o"


def _ordinary_reading(text: str, tokens: list[Token], i: int) -> bool:
    """Tell whether this occurrence reads as the ordinary word ("en saga", "skulle vilja")."""
    before = _neighbour(text, tokens, i, -1)
    if before is None:
        return False
    markers = lexicon.word_list("common_reading_markers.txt")
    if before in _PERSON_PRONOUNS and _neighbour(text, tokens, i - 1, -1) in _VERB_BEFORE:
        return True  # "skulle jag vilja"
    if before in markers or before in _VERB_BEFORE:
        return not (before in _CLAUSE_OPENERS and acts_as_subject(text, tokens[i].end))
    return before in _ORDINARY_BEFORE or before.endswith(ADJECTIVE_ENDINGS)


def _unit_in_apposition(text: str, tokens: list[Token], i: int) -> bool:
    """Tell whether a rare definite noun names a unit by where it stands.

    "tegelbruket, fritidsgården vid centrum"; "hamnade på kvarnbacken i örnsköldsvik".
    """
    word = tokens[i].word
    if not definite_noun(word) or lexicon.zipf(word) >= lexicon.ORDINARY_ZIPF:
        return False
    if organisation_word(word) or pronoun_like(word):
        return False
    kind = _neighbour(text, tokens, i, 1, (", ",))
    if kind and kind.endswith(("en", "et", "an")) and organisation_word(kind):
        return True
    if _neighbour(text, tokens, i, -1) == "på" and _neighbour(text, tokens, i, 1) == "i":
        return (_neighbour(text, tokens, i + 1, 1) or "") in lexicon.places()
    return False


def _names_a_unit(kind: str, word: str) -> bool:
    """Tell whether ``word`` names the unit ``kind`` is ("fritidsgården kometen")."""
    return (
        kind.endswith(("en", "et", "an"))
        and organisation_word(kind)
        and not organisation_word(word)
        and not pronoun_like(word)
        and (
            definite_noun(word)
            or (word.endswith(("en", "et", "an", "n")) and lexicon.zipf(word) < UNIT_NAME_ZIPF)
        )
        and lexicon.zipf(word) < lexicon.ORDINARY_ZIPF + 1
    )


def lowercase_organisations(text: str, tokens: list[Token]) -> list[Candidate]:
    """Return "fritidsgården kometen": a named unit right after the kind of unit it is."""
    found: list[Candidate] = []
    for i in range(1, len(tokens)):
        kind, name = tokens[i - 1], tokens[i]
        if _gap(text, kind, name) == " " and _names_a_unit(kind.word, name.word):
            found.append(
                Candidate(
                    kind.start,
                    name.end,
                    text[kind.start : name.end],
                    Category.ORGANISATION,
                    f"namn efter ”{kind.word}”",
                )
            )
    return found
