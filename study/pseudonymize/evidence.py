"""Evidence that a word in a lowercase line is a name: the ways a transcript gives one away.

"hon heter saga", "storms mamma", "sebastian örn, alla säger seb", "alve och tyra",
"fritidsgården kometen": each rule below reads one of them off the words around a token.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon
from .codekey import Category
from .reading import acts_as_subject
from .words import (
    NOUN_ENDINGS,
    Spans,
    definite_noun,
    organisation_word,
    person_noun,
    pronoun_like,
)

_TOKEN = re.compile(r"(?<![\w@.-])[a-zåäöéü]+(?:-[a-zåäöéü]+)*(?![\w@-]|\.\w)")
#: Up to this Zipf frequency an unlisted word may be a name given evidence ("pim", "sunniva").
NAME_SHAPED_ZIPF = 4.0
#: Below this Zipf frequency an unlisted word beside a pronoun or a word for a person, or in
#: apposition, is taken for a name ("pim och jag", "en kille, mirsad, han var").
SUBJECT_ZIPF = 3.2
#: Up to this Zipf frequency a word a few words from a longer name sharing its start is its
#: short form ("mo, alltså mohammed").
NICKNAME_ZIPF = 4.5
#: Below this Zipf frequency a definite-looking word after a kind of unit is its name, even
#: when its stem is rare too ("stödboendet kastanjen").
UNIT_NAME_ZIPF = 2.5
#: Up to this Zipf frequency a definite noun after a kind of unit names it ("fritidsgården
#: kometen"); a more common noun there is the ordinary one ("förskolan personalen").
UNIT_ZIPF = 4.0
#: From this Zipf frequency the tail of a word is an ordinary word, so the word is a compound.
COMPOUND_TAIL_ZIPF = 3.5
#: Words that may stand between a verb of naming and the name ("heter faktiskt storm").
_HEDGES = frozenset({"faktiskt", "egentligen", "ju", "alltså", "asså", "typ", "bara"})
#: The verbs by which a unit says what it is called ("stället heter kometen").
_BEING_CALLED = frozenset({"heter", "hette"})
#: Subjects of "heter" that make the name a group's or a place's ("stället heter kometen").
_GROUP_SUBJECTS = frozenset({"ni", "vi", "stället", "föreningen", "gården", "boendet", "gruppen"})
#: Subjects of "heter" that make the name a thing's ("det heter lss", "projektet heter framtid").
_THING_SUBJECTS = frozenset({"det", "den", "detta", "denna"})
#: "alla säger seb", "dom kallar henne jessan": who calls someone by a name, and how.
_CALLERS = frozenset({"alla", "folk", "dom", "de", "vi", "man", "jag", "ni"})
_SAYING_VERBS = frozenset({"säger", "sa"})
_CALLING_VERBS = frozenset({"kallar", "kallade"})
_CALLED_ONES = frozenset({"mig", "honom", "henne", "oss", "dem", "dom"})
#: "maj som hon vill bli kallad", "mo som han kallas": the name one is called by follows.
_CALLED_FORMS = frozenset({"kallad", "kallas", "kallades", "kallar"})
#: Words right after "X," that make X a name in apposition ("jessan, min kollega ...").
_APPOSITION = frozenset({"alltså", "asså", "min", "mitt", "vår", "hans", "hennes", "din"})
#: Verbs that take an object: "vi hade gympa och jag" is no name coordinated with "jag".
_OBJECT_VERBS = frozenset(
    "hade har ha fick får gjorde gör gillar gillade hatar hatade köpte tog åt spelade".split()
)
#: Endings of adjectives, adverbs and past-tense verbs: such a word is no unlisted name
#: ("kaotiskt", "skämtsamt", "skolkade").
_NOT_NAME_ENDINGS = (
    "iskt", "igt", "isk", "ig", "iga", "lig", "liga", "ligt", "samt", "sam", "bart", "ade", "ande"
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Token:
    """A lowercase word and where it stands."""

    start: int
    end: int
    word: str


def lowercase_tokens(text: str, blocked: Spans) -> list[Token]:
    """Return the lowercase words outside the blocked spans."""
    spans = (match.span() for match in _TOKEN.finditer(text))
    return [Token(start, end, text[start:end]) for start, end in blocked.free(spans)]


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a context shows: the word's base form is a name of this category, and why."""

    base: str
    category: Category
    reason: str


class Transcript:
    """A transcript's tokens with their neighbours and lines, for the evidence rules."""

    def __init__(self, text: str, tokens: list[Token], firsts: set[str]):
        self.text = text
        self.tokens = tokens
        self.firsts = firsts  # first names of the persons found so far
        self._line_starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def word(self, i: int) -> str:
        """Return the word of token ``i``."""
        return self.tokens[i].word

    def neighbour(self, i: int, step: int, gaps: tuple[str, ...] = (" ",)) -> str | None:
        """Return the word ``step`` tokens away if only one of ``gaps`` lies between them."""
        j = i + step
        if not 0 <= j < len(self.tokens):
            return None
        left, right = (
            (self.tokens[j], self.tokens[i]) if step < 0 else (self.tokens[i], self.tokens[j])
        )
        if self.text[left.end : right.start] not in gaps:
            return None
        return self.tokens[j].word

    def back(self, i: int, count: int) -> str | None:
        """Return the word ``count`` tokens before token ``i`` if only spaces lie between."""
        for step in range(count):
            if self.neighbour(i - step, -1) is None:
                return None
        return self.tokens[i - count].word if count else self.word(i)

    def line(self, i: int) -> int:
        """Return the number of the line token ``i`` stands on."""
        return bisect_right(self._line_starts, self.tokens[i].start)

    def clause_ends_after(self, i: int) -> bool:
        """Tell whether a clause ends right after token ``i`` ("alla säger seb, ...")."""
        rest = self.text[self.tokens[i].end : self.tokens[i].end + 2]
        return rest[:1] in ("", "\n", ",", ".", "!", "?") or rest == " o"


def evidence(transcript: Transcript, i: int) -> Evidence | None:
    """Return what the context of token ``i`` shows, if it shows a name."""
    word = transcript.word(i)
    if word in lexicon.small_words():
        return None  # "och", "min", "en": most tokens, and none of them a name
    for rule in _UNIT_RULES:
        if found := rule(transcript, i):
            return Evidence(word, Category.ORGANISATION, found)
    if (named := _named(transcript, i)) is not None:
        return named
    if (genitive := _genitive_of_person(transcript, i)) is not None:
        return genitive
    if not may_be_name(word):
        return None
    for rule in _PERSON_RULES:
        if found := rule(transcript, i):
            return Evidence(word, Category.PERSON, found)
    return None


@lru_cache(maxsize=65536)
def may_be_name(word: str) -> bool:
    """Tell whether a word could be a name at all: listed, or no common word."""
    if len(word) < 2 or word in lexicon.neutral_terms() or word in lexicon.small_words():
        return False
    if word in lexicon.first_names() or word in lexicon.surnames():
        return True  # also "vilja", "maj": the evidence decides
    if pronoun_like(word) or person_noun(word) or word.endswith(NOUN_ENDINGS + _NOT_NAME_ENDINGS):
        return False
    if word in lexicon.word_list("finite_verbs.txt") or _compound_of_words(word):
        return False
    return lexicon.zipf(word) < NAME_SHAPED_ZIPF and not organisation_word(word)


def _compound_of_words(word: str) -> bool:
    """Tell whether a word ends in an ordinary word of four letters or more ("hyreskontrakt")."""
    return any(lexicon.zipf(word[i:]) >= COMPOUND_TAIL_ZIPF for i in range(3, len(word) - 3))


def _named(transcript: Transcript, i: int) -> Evidence | None:
    """Return the name after a verb of naming, a person's or a group's by its subject.

    "hon heter saga", "han heter faktiskt storm", "heter hon saga", "stället heter kometen";
    not "det heter lss" or "projektet heter framtid", which name things.
    """
    word = transcript.word(i)
    naming = lexicon.NAMING_VERBS
    if not (
        i > 0 and transcript.word(i - 1) in naming or i > 1 and transcript.word(i - 2) in naming
    ):
        return None  # most words: no verb of naming in the two words before
    skip = 1 if transcript.back(i, 1) in _HEDGES | lexicon.SUBJECT_PRONOUNS else 0
    verb, subject = transcript.back(i, 1 + skip), transcript.back(i, 2 + skip)
    if verb not in lexicon.NAMING_VERBS or len(word) < 2 or pronoun_like(word):
        return None
    reason = f"namn efter ”{verb}”"
    if subject in _GROUP_SUBJECTS or (subject and organisation_word(subject)):
        # "stället heter kometen"; but "vi döpte katten", "ni kallas socialarbetare"
        unit = verb in _BEING_CALLED and not person_noun(word)
        return Evidence(word, Category.ORGANISATION, reason) if unit else None
    if subject in _THING_SUBJECTS or (
        subject and definite_noun(subject) and not person_noun(subject)
    ):
        return None  # a method, a project, a course
    if person_noun(word) or (definite_noun(word) and word not in lexicon.first_names()):
        return None  # "innan hette handläggaren åsa"
    return Evidence(word, Category.PERSON, reason)


def _genitive_of_person(transcript: Transcript, i: int) -> Evidence | None:
    """Return the name in "storms mamma": a genitive right before a word for a person."""
    word = transcript.word(i)
    if not word.endswith("s"):
        return None
    after = transcript.neighbour(i, 1)
    if (
        after in lexicon.word_list("person_cues.txt")
        and may_be_name(word[:-1])
        and lexicon.zipf(word) < NAME_SHAPED_ZIPF
    ):
        return Evidence(word[:-1], Category.PERSON, f"namn i genitiv före ”{after}”")
    return None


def _named_by_kind(transcript: Transcript, i: int) -> str:
    """Name a unit by its kind before it: "fritidsgården kometen"."""
    kind = transcript.neighbour(i, -1)
    if kind is None or not kind.endswith(("en", "et", "an")):
        return ""
    return f"namn efter ”{kind}”" if names_a_unit(kind, transcript.word(i)) else ""


def _unit_in_apposition(transcript: Transcript, i: int) -> str:
    """Name a unit by where it stands: "tegelbruket, fritidsgården vid …", "på kvarnbacken i x"."""
    if not _unit_shaped(transcript.word(i)):
        return ""
    kind = transcript.neighbour(i, 1, (", ",))
    if kind and kind.endswith(("en", "et", "an")) and organisation_word(kind):
        return "namn på en verksamhet"
    if transcript.neighbour(i, -1) == "på" and transcript.neighbour(i, 1) == "i":
        place = transcript.neighbour(i + 1, 1) or ""
        return "namn på en verksamhet" if place in lexicon.places() else ""
    return ""


@lru_cache(maxsize=65536)
def _unit_shaped(word: str) -> bool:
    """Tell whether a word could name a unit: a rare definite noun, no kind and no person."""
    if not definite_noun(word) or lexicon.zipf(word) >= lexicon.ORDINARY_ZIPF:
        return False
    return not (organisation_word(word) or person_noun(word) or pronoun_like(word))


def _called(transcript: Transcript, i: int) -> str:
    """Name what someone is called: "dom kallar henne jessan", "alla säger seb, …"."""
    before, two_before = transcript.neighbour(i, -1), transcript.neighbour(i - 1, -1)
    if before in _CALLED_ONES and two_before in _CALLING_VERBS:
        return "smeknamn"
    if before in _SAYING_VERBS | _CALLING_VERBS and two_before in _CALLERS:
        return "smeknamn" if transcript.clause_ends_after(i) else ""
    return ""


def _after_person_word(transcript: Transcript, i: int) -> str:
    """Name someone after a word for a person: "min kollega kicki", "mamma, sunniva"."""
    before = transcript.neighbour(i, -1, (" ", ", "))
    return "namn efter ett personord" if before in lexicon.word_list("person_cues.txt") else ""


def _before_surname(transcript: Transcript, i: int) -> str:
    """Name a listed first name before a surname: "saga lindqvist"."""
    word, after = transcript.word(i), transcript.neighbour(i, 1)
    if after is None or word not in lexicon.first_names() or pronoun_like(after):
        return ""
    surname = after in lexicon.surnames() or (
        after.endswith(lexicon.surname_endings()) and lexicon.zipf(after) < NAME_SHAPED_ZIPF
    )
    return "förnamn före efternamn" if surname else ""


def _explained(transcript: Transcript, i: int) -> str:
    """Name someone the next words explain: "jessan, min kollega …", "mo, alltså mohammed".

    Also "ibbe, han heter ibrahim" and "en kille, mirsad, han var …".
    """
    comma_after = transcript.neighbour(i, 1, (", ",))
    if comma_after is None:
        return ""
    following = transcript.neighbour(i + 1, 1)
    cues = lexicon.word_list("person_cues.txt")
    if comma_after in _APPOSITION and (following in cues or _is_person(transcript, following)):
        return "namn med förklaring"
    if comma_after in ("han", "hon") and following in lexicon.NAMING_VERBS:
        return "namn med förklaring"
    if (
        comma_after in ("han", "hon")
        and following in lexicon.word_list("finite_verbs.txt")
        and transcript.neighbour(i, -1, (", ",)) is not None
        and lexicon.zipf(transcript.word(i)) < SUBJECT_ZIPF
    ):
        return "namn med förklaring"
    return ""


def _called_after(transcript: Transcript, i: int) -> str:
    """Name what someone wants to be called: "maj som hon vill bli kallad"."""
    if transcript.neighbour(i, 1) != "som":
        return ""
    if transcript.neighbour(i + 1, 1) not in ("han", "hon", "de", "dom"):
        return ""
    following = [transcript.neighbour(i + step, 1) for step in (2, 3, 4)]
    return "namn som någon vill kallas" if _CALLED_FORMS.intersection(following) else ""


def _nickname(transcript: Transcript, i: int) -> str:
    """Name a short form of a name a few words away on the line: "sebastian örn, … seb"."""
    word = transcript.word(i)
    if lexicon.zipf(word) >= NICKNAME_ZIPF:
        return ""
    line, prefix = transcript.line(i), word[:3]
    for j in range(max(0, i - 8), min(len(transcript.tokens), i + 9)):
        other = transcript.word(j)
        if (
            other in transcript.firsts
            and len(other) > len(word)
            and other.startswith(prefix)
            and transcript.line(j) == line
        ):
            return "smeknamn för ett namn intill"
    return ""


def _coordinated(transcript: Transcript, i: int) -> str:
    """Name a word beside a name, or a listed name beside a person: "alve och tyra"."""
    word = transcript.word(i)
    for step in (-1, 1):
        if transcript.neighbour(i, step) != "och":
            continue
        other = transcript.neighbour(i + step, step)
        if _is_person(transcript, other):
            return "namn i uppräkning med ett namn"
        if other in lexicon.word_list("person_cues.txt") and word in lexicon.first_names():
            return "namn i uppräkning med ett namn"
    return ""


def _with_a_pronoun(transcript: Transcript, i: int) -> str:
    """Name the subject coordinated with a pronoun: "pim och jag går på loppis"."""
    word = transcript.word(i)
    if transcript.neighbour(i, 1) != "och":
        return ""
    if transcript.neighbour(i + 1, 1) not in lexicon.SUBJECT_PRONOUNS:
        return ""
    if transcript.neighbour(i, -1) in _OBJECT_VERBS | lexicon.small_words():
        return ""  # "vi hade gympa och jag var trött"
    if not (word in lexicon.first_names() or lexicon.zipf(word) < SUBJECT_ZIPF):
        return ""
    return (
        "namn följt av ”och jag”"
        if acts_as_subject(transcript.text, transcript.tokens[i].end)
        else ""
    )


def _is_person(transcript: Transcript, word: str | None) -> bool:
    """Tell whether a word is a person's name already: found, or listed and no ordinary word."""
    if word is None:
        return False
    return word in transcript.firsts or (
        word in lexicon.first_names() and not lexicon.is_ordinary_word(word)
    )


_Rule = Callable[[Transcript, int], str]
#: The ways a lowercase transcript names a unit: each returns the reason, or "".
_UNIT_RULES: tuple[_Rule, ...] = (_named_by_kind, _unit_in_apposition)
#: The ways a lowercase transcript gives a person's name away, most telling first.
_PERSON_RULES: tuple[_Rule, ...] = (
    _called,
    _after_person_word,
    _before_surname,
    _explained,
    _called_after,
    _nickname,
    _coordinated,
    _with_a_pronoun,
)


def names_a_unit(kind: str, word: str) -> bool:
    """Tell whether ``word`` names the unit ``kind`` is ("fritidsgården kometen").

    Not a word for a person or a group ("förskolan pedagogerna", "socialtjänsten
    handläggaren"): unpunctuated speech puts those after a unit as well.
    """
    if not (kind.endswith(("en", "et", "an")) and organisation_word(kind)):
        return False
    if organisation_word(word) or pronoun_like(word) or person_noun(word):
        return False
    if word.endswith(("arna", "erna", "orna")) or lexicon.zipf(word) >= UNIT_ZIPF:
        return False
    rare_definite = word.endswith(("en", "et", "an", "n")) and lexicon.zipf(word) < UNIT_NAME_ZIPF
    return definite_noun(word) or rare_definite
