"""One sense per transcript: in lowercase lines, a word shown once to be a name is one.

Without capitals, "saga", "storm" or "seb" look like any other word. Somewhere the transcript
usually gives the name away: "hon heter saga", "storms mamma", "sebastian örn, alla säger seb",
"två barn, alve och tyra". This module collects that evidence over the whole transcript (each
rule below is one way a transcript gives a name away) and then marks every occurrence of the
word, except where the context reads as the ordinary word ("en saga", "skulle vilja", "i maj").
"""

from __future__ import annotations

from collections.abc import Iterable

from . import lexicon
from .codekey import Category
from .evidence import Evidence, Token, Transcript, evidence, may_be_name, names_a_unit
from .reading import ordinary_reading
from .words import Candidate


def lowercase_names(text: str, tokens: list[Token], persons: Iterable[str]) -> list[Candidate]:
    """Return every occurrence of a word the transcript shows, somewhere, to be a name.

    ``persons`` are the person names found already (the key's, the lists', the capitalised
    ones): each one-word name among them counts as shown, and a short form right beside one
    of them ("sebastian örn, alla säger seb") is a nickname.
    """
    persons = [name.strip() for name in persons if name.strip()]
    transcript = Transcript(text, tokens, {name.split()[0].lower() for name in persons})
    shown: dict[str, Evidence] = {
        name.lower(): Evidence(name.lower(), Category.PERSON, "namn på ett annat ställe")
        for name in persons
        if " " not in name and may_be_name(name.lower())
    }
    witnesses: set[int] = set()  # the tokens that gave a name away are that name
    for i in range(len(tokens)):
        if (found := evidence(transcript, i)) is not None:
            shown.setdefault(found.base, found)
            witnesses.add(i)
    candidates: list[Candidate] = []
    for i, token in enumerate(tokens):
        base = _shown_name(token.word, shown)
        if base is None:
            continue
        if i not in witnesses and _reads_as_word(transcript, i, base):
            continue
        name = shown[base]
        term = base[:1].upper() + base[1:]
        candidates.append(Candidate(token.start, token.end, term, name.category, name.reason))
    return candidates


def _shown_name(word: str, shown: dict[str, Evidence]) -> str | None:
    """Return the name shown elsewhere that ``word`` is, or is the genitive of."""
    if word in shown:
        return word
    if word.endswith("s") and word[:-1] in shown:
        return word[:-1]
    return None


def _reads_as_word(transcript: Transcript, i: int, base: str) -> bool:
    """Tell whether this occurrence of a name shown elsewhere is the ordinary word here."""
    token = transcript.tokens[i]
    if base != token.word:
        # "i viljas journal": a genitive before a noun is the name's, whatever precedes it
        after = transcript.neighbour(i, 1)
        return after is None or after in lexicon.small_words()
    return ordinary_reading(transcript.text, token.start, token.end)


def lowercase_organisations(text: str, tokens: list[Token]) -> list[Candidate]:
    """Return "fritidsgården kometen": a named unit right after the kind of unit it is."""
    found: list[Candidate] = []
    for kind, name in zip(tokens, tokens[1:], strict=False):
        if text[kind.end : name.start] == " " and names_a_unit(kind.word, name.word):
            reason = f"namn efter ”{kind.word}”"
            found.append(
                Candidate(
                    kind.start,
                    name.end,
                    text[kind.start : name.end],
                    Category.ORGANISATION,
                    reason,
                )
            )
    return found
