"""How a word reads where it stands: the name, or the ordinary word it also is.

"Per" mid-sentence is a name, "per månad" is not; in a lowercase line "stig gick" is, "en stig"
is not. The matcher asks ``reads_as_name`` for words the lists know to be ordinary words too;
names shown elsewhere in a transcript (or in the key) ask ``ordinary_reading``.
"""

from __future__ import annotations

import re

from . import lexicon
from .codekey import Category
from .text import (
    is_sentence_start,
    next_mark,
    next_word,
    next_word_end,
    previous_word,
    word_before_comma,
    word_before_word,
)

_CLAUSE_END = frozenset(',.!?;:…)"”')
#: Finite verbs after which a name-like word is the subject (Swedish puts the verb second),
#: leaving out "är", "var", "blir", "blev": "det är sol" is weather, not a person; and the
#: modal verbs, which take an infinitive ("skulle vilja").
_INVERTING_VERBS = frozenset(
    "har hade ringer ringde sa sade säger jobbar jobbade kom kommer gick går tycker tyckte "
    "tror trodde bor bodde".split()
)
#: Adjective endings: after an adjective a name that is also a noun is the noun ("lycklig saga").
#: Not the adverb forms ("faktiskt", "riktigt"): "han heter faktiskt storm".
ADJECTIVE_ENDINGS = ("ig", "iga", "isk", "iska", "lös", "lösa")


def reads_as_name(
    text: str, start: int, end: int, category: Category, genitive: bool, lowercase_line: bool
) -> bool:
    """Decide from context whether a word that is also an ordinary word is the name here.

    "Per" mid-sentence is a name; "per månad" is not; "Per vecka" at a sentence start is not,
    "Dag har varit mentor" is. In a lowercase line "stig gick" and "bror lindqvist" are, "en
    stig", "vad hon ville", "nån av mina inte har" are not; a person's name must also pass
    ``ordinary_reading``, as a key's name does. A place needs its preposition or a place beside
    it ("i skruv", "skruv, kosta").
    """
    capitalised = text[start].isupper()
    if capitalised and lowercase_line:
        return True  # capitals are deliberate in a lowercase transcript
    if not capitalised and not lowercase_line:
        return False
    if capitalised and not is_sentence_start(text, start):
        return True
    before = previous_word(text, start)
    if category is Category.PLACE and before in lexicon.word_list("place_prepositions.txt"):
        return True  # "i skruv", "till mark": after a place preposition a place reads as one
    if category is Category.PLACE and not capitalised:
        # "bara vara", "neutral mark": a lowercase place needs its preposition, or another
        # place beside it ("skruv, kosta, hovmantorp")
        return _beside_a_place(text, start, end)
    after = next_word(text, end)
    if (
        category is Category.PERSON
        and after is not None
        and after.lower() in lexicon.surnames()
        and not lexicon.is_ordinary_word(after)
    ):
        return True  # "det var bror lindqvist": a first name before a surname
    if (
        category is Category.PERSON
        and text[start:end].lower() in lexicon.first_names()
        and _cleft(text, before, end)
    ):
        return True  # "det var tuva som såg det"
    if before in lexicon.word_list("common_reading_markers.txt") or _ordinary_before(
        text, start, before
    ):
        return False
    if category is Category.PERSON and not capitalised and ordinary_reading(text, start, end):
        return False  # what a key's name would not be replaced in, no suggestion is made in
    if before in lexicon.SUBJECT_PRONOUNS and _verb_reading(text, start, end):
        return False  # "vad hon ville", "skulle jag vilja"
    if before and before.endswith(ADJECTIVE_ENDINGS):
        return False  # "en vanlig dag", "en lycklig saga"
    if _quantifier_before_noun(text[start:end], after):
        return False  # "hade inga föräldrar"
    clause_ends = next_mark(text, end)[:1] in _CLAUSE_END or next_mark(text, end) == ""
    if text[start:end].lower() in lexicon.small_words() and before in _PREPOSITIONS:
        return clause_ends  # "nån av mina inte har" is the pronoun, "som med mina," the name
    if genitive:
        if category is Category.PERSON and acts_as_subject(text, end):
            return True  # "Björks har en stuga": the family, named in the plural
        return (
            after is not None
            and after.islower()
            and after.lower() not in lexicon.word_list("function_words.txt")
        )
    if clause_ends:
        return True
    if category is Category.PERSON and before in _INVERTING_VERBS:
        return True  # "där jobbar karl", "sen ringde mina": the subject after the verb
    return after is not None and acts_as_subject(text, end)


_WORD_AFTER = re.compile(r",? (\w+)")


def _beside_a_place(text: str, start: int, end: int) -> bool:
    """Tell whether a listed place stands right before or after the span."""
    after = _WORD_AFTER.match(text, end)
    neighbours = (word_before_comma(text, start), after.group(1).lower() if after else None)
    return any(word is not None and word in lexicon.places() for word in neighbours)


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
    if after is not None and after.lower() in _CLAUSE_ADVERBS:
        end = next_word_end(text, end) or end  # "att maj fortfarande är nykter"
        after = next_word(text, end)
    if after is None:
        return False
    after = after.lower()
    if after in lexicon.word_list("finite_verbs.txt"):
        return True
    after_end = next_word_end(text, end)
    if after != "och" or after_end is None:
        return False
    following = next_word(text, after_end)
    return following is not None and following.lower() in ("jag", "vi", "hon", "han")


#: Prepositions: after one, a name that is also a pronoun ("mina", "alla") is the pronoun.
_PREPOSITIONS = frozenset("av med till för på i från hos åt om".split())
#: Adverbs that stand between a subject and its verb in a subordinate clause.
_CLAUSE_ADVERBS = frozenset(
    "fortfarande alltid inte aldrig också ju bara redan nog verkligen faktiskt ofta sällan".split()
)


def _verb_reading(text: str, start: int, end: int) -> bool:
    """Tell whether a word after a pronoun is a verb there ("vad hon ville", "jag skulle vilja").

    A finite verb form, or any word after a modal and a pronoun; a name after a pronoun
    ("sen träffade vi saga") is not.
    """
    if text[start:end].lower() in lexicon.word_list("finite_verbs.txt"):
        return True
    return word_before_word(text, start) in VERB_BEFORE


#: Right before a word, these show the verb reading of a name that is also a verb ("vilja").
VERB_BEFORE = frozenset(
    "att skulle kunde kan vill ville måste ska bör borde inte får fick kommer "
    "brukar vågar orkar hinner behöver".split()
)
#: Conjunctions after which a subject follows ("om maj sitter i köket").
_CLAUSE_OPENERS = frozenset({"om", "när", "att", "som", "då", "eftersom", "innan", "tills"})
#: Right before a word, these show the ordinary reading whatever the word is: "enligt sol",
#: "av fri vilja", "den tredje maj".
_ORDINARY_BEFORE = frozenset(
    "enligt egen eget egna fri fritt fria god gott goda första andra tredje fjärde femte "
    "sjätte sjunde åttonde nionde tionde elfte tolfte sista nästa".split()
)
#: Copulas: "det var storm" is weather, "sen var saga sjuk" a person.
_COPULAS = frozenset({"är", "var", "blir", "blev", "bli", "vara"})
#: Subjects of a copula that make what follows it a predicate, no name ("det var storm").
_IMPERSONAL = frozenset({"det", "den", "detta", "som", "att"})
#: Words ending in "s" that are no genitive: "hos saga", "tills maj kommer".
_NOT_GENITIVE = frozenset({"hos", "tills", "dels", "ens", "annars", "oss", "dess", "vars"})


def _ordinary_before(text: str, start: int, before: str | None) -> bool:
    """Tell whether the word before shows the ordinary reading ("enligt sol", "det var storm")."""
    if before in _ORDINARY_BEFORE:
        return True
    return before in _COPULAS and word_before_word(text, start) in _IMPERSONAL


#: From this Zipf frequency a word is so common ("maj", "dag", "vilja") that, even shown to be a
#: name elsewhere, an occurrence is the name only where it is a subject or follows a verb.
COMMON_NAME_ZIPF = 4.5
#: Words after which a very common word that is a name reads as the name ("med maj", "tack dag").
_NAME_AFTER = frozenset({"och", "med", "hos", "åt", "för", "tack", "hej", "på", "från"})


def _cleft(text: str, before: str | None, end: int) -> bool:
    """Tell whether a word stands in "det var X som <verb>", which puts a person first."""
    if before not in ("var", "är") or next_word(text, end) != "som":
        return False
    som_end = next_word_end(text, end)
    verb = next_word(text, som_end) if som_end is not None else None
    return verb is not None and verb.lower() in lexicon.word_list("finite_verbs.txt")


def ordinary_reading(text: str, start: int, end: int) -> bool:
    """Tell whether a word known to be a name here reads as the ordinary word.

    "en saga", "skulle vilja", "i maj", "barnets vilja", "den tredje maj", "dag efter dag";
    the name is read where nothing shows the ordinary word ("saga och jag", "med vilja"). A
    very common word ("dag", "hans") is the name only where a name stands: see
    ``_name_position``.
    """
    word = text[start:end].lower()
    before = previous_word(text, start)
    if before is not None:
        markers = lexicon.word_list("common_reading_markers.txt")
        if before in lexicon.SUBJECT_PRONOUNS and _verb_reading(text, start, end):
            return True
        if before in markers or before in VERB_BEFORE:
            return not (before in _CLAUSE_OPENERS and acts_as_subject(text, end))
        if _ordinary_before(text, start, before) or before.endswith(ADJECTIVE_ENDINGS):
            return not _cleft(text, before, end)
        if (
            before.endswith("s")
            and before not in _NOT_GENITIVE
            and lexicon.zipf(before[:-1]) >= lexicon.ORDINARY_ZIPF
        ):
            return before[:-1] not in lexicon.first_names()  # "barnets vilja", not "saras"
    return lexicon.zipf(word) >= COMMON_NAME_ZIPF and not _name_position(text, start, end, before)


_EXPLAINED_BY_PRONOUN = re.compile(r", (?:hon|han) ")
#: Marks around a word that stands alone: ", sten, han var", "ja. karl. han är", "bror?".
_ALONE_BEFORE = frozenset(",.?!:")
_ALONE_AFTER = frozenset(",.?!")


def _name_position(text: str, start: int, end: int, before: str | None) -> bool:
    """Tell whether a word stands where a name does.

    A subject; after a verb, a pronoun or a word for a person; or alone between commas and
    stops ("en man, sten, han var", "ja. karl. han är", "bror?").
    """
    if acts_as_subject(text, end) or _EXPLAINED_BY_PRONOUN.match(text, end):
        return True  # "maj sitter i köket", "klara, hon var med"
    if before in _CLAUSE_ADVERBS:
        before = word_before_word(text, start)  # "hette också bror"
    if before is not None:
        return (
            before in _NAME_AFTER | lexicon.SUBJECT_PRONOUNS | lexicon.NAMING_VERBS
            or before in lexicon.word_list("finite_verbs.txt")
            or before in lexicon.word_list("person_cues.txt")
        )
    i = start
    while i > 0 and text[i - 1] in " \t":
        i -= 1
    alone_before = i == 0 or text[i - 1] == "\n" or text[i - 1] in _ALONE_BEFORE
    return alone_before and next_mark(text, end)[:1] in _ALONE_AFTER
