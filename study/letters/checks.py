"""Checks on an information letter: readability (LIX), long sentences, wording and length.

Every check is a pure function of the text, so the editor can run it on one section or on
the whole letter. The phrase lists are data files in data/ (their format: phrase_pattern).

What LIX counts here:

- A word is a run of letters and digits. Parts joined by a hyphen, a period, a colon, a
  slash or an apostrophe make one word: "e-post", "covid-19", "t.ex", "12.30", "och/eller".
  A number ("2027") is a word.
- A word is long if it has more than six letters; digits are not letters, so a number is
  never long and "covid-19" has five letters.
- A sentence ends at . ! ? : or … followed by white space (or a closing quote or bracket, or
  the end), unless the period closes an abbreviation from data/abbreviations.txt.
- A sentence also ends at a line break, since a letter's headings and list items have no
  full stop; but not where the next line begins with a small letter, which continues a
  sentence wrapped by hand.
- List markers at the start of a line ("-", "*", "•", "1.", "a)", "#") are not words.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

#: The LIX a letter to the general public should stay under.
LIX_TARGET = 40
#: The usual Swedish bands, each with its upper bound: a band holds its lower bound (40 is
#: "medium") and not its upper one.
LIX_BANDS: tuple[tuple[float, LazyString], ...] = (
    (30, _l("Very easy to read")),
    (40, _l("Easy to read")),
    (50, _l("Medium difficulty")),
    (60, _l("Hard to read")),
    (math.inf, _l("Very hard to read")),
)
LONG_WORD_LETTERS = 6
#: A sentence with more words than this is hard to follow in one reading.
LONG_SENTENCE_WORDS = 25
#: Words on one A4 page of the letter's PDF (templates/pdf/letter.html): measured on the demo
#: study's generated letter, whose 954 Swedish words in 19 sections fill 2.4 pages; headings,
#: short paragraphs and lists take their room.
WORDS_PER_PAGE = 400
#: Beyond two pages respondents skim; beyond five they need a summary before the details.
LONG_LETTER_PAGES = 2
SUMMARY_PAGES = 5
LANGUAGES = ("sv", "en")

PERSUASIVE = _l(
    "This wording may pressure or persuade the respondent. Describe the study and what taking "
    "part means plainly: whether to take part is for the respondent to decide."
)
JARGON = _l(
    "A research term the respondent may not know. Explain it in everyday words where it "
    "first appears, or choose a simpler word."
)
LONG_LETTER = _l(
    "The letter is longer than %(pages)d pages. Respondents read a short letter more "
    "closely: keep what they need in order to decide.",
    pages=LONG_LETTER_PAGES,
)
SUMMARY_REQUIRED = _l(
    "The letter is longer than %(pages)d pages: begin it with a short summary of what taking "
    "part means.",
    pages=SUMMARY_PAGES,
)


@dataclass(frozen=True)
class Finding:
    """A passage the editor marks: where it is, what it says and why it is marked."""

    start: int
    end: int
    text: str
    message: LazyString


_WORD = re.compile(r"[^\W_]+(?:[-‐‑.:/'’][^\W_]+)*")
#: A stop is matched from the start of a run of stops only: "....x" stays linear.
_BOUNDARY = re.compile(r"(?P<stop>(?<![.!?:…])[.!?:…]++)(?=[\"'”’»)\]]*(?:\s|$))|(?P<line>\n)")
_MARKER = re.compile(r"^[ \t]*(?:[-*•–]|#{1,6}|\d{1,2}[.)]|[a-zA-Z]\))[ \t]+", re.MULTILINE)
_NEXT_CHAR = re.compile(r"[ \t]*(.?)")
#: Opening quotes and brackets before an abbreviation: "(t.ex." is "t.ex.".
_OPENERS = "\"'([«“‘”’"


def lix(text: str) -> float:
    """Return the text's LIX: words per sentence plus the percentage of long words."""
    masked = _mask(text)
    words = _WORD.findall(masked)
    if not words:
        return 0.0
    long_words = sum(1 for word in words if _letters(word) > LONG_WORD_LETTERS)
    return len(words) / len(_sentence_spans(text, masked)) + 100 * long_words / len(words)


def lix_band(value: float) -> LazyString:
    """Return the name of the band a LIX value falls in."""
    return next(name for bound, name in LIX_BANDS if value < bound)


def sentences(text: str) -> list[str]:
    """Return the text's sentences, as LIX counts them, without list markers."""
    masked = _mask(text)
    return [masked[start:end].strip() for start, end in _sentence_spans(text, masked)]


def long_sentences(text: str, limit: int = LONG_SENTENCE_WORDS) -> list[str]:
    """Return the sentences with more than `limit` words."""
    return [sentence for sentence in sentences(text) if len(_WORD.findall(sentence)) > limit]


def estimate_pages(text: str) -> float:
    """Return about how many A4 pages the text fills (WORDS_PER_PAGE words a page)."""
    return len(_WORD.findall(_mask(text))) / WORDS_PER_PAGE


def length_warning(pages: float) -> LazyString | None:
    """Return what a letter of this many pages must change, or None if its length is fine."""
    if pages > SUMMARY_PAGES:
        return SUMMARY_REQUIRED
    if pages > LONG_LETTER_PAGES:
        return LONG_LETTER
    return None


def persuasive(text: str, lang: str = "sv") -> list[Finding]:
    """Return every phrase in the text that may press or persuade a respondent."""
    return _find(text, _patterns("persuasive", lang), PERSUASIVE, first_only=False)


def jargon(text: str, lang: str = "sv") -> list[Finding]:
    """Return the first use of each research term a respondent may not know."""
    # One explanation serves the whole text: marking every use would bury the first.
    return _find(text, _patterns("jargon", lang), JARGON, first_only=True)


def read_list(name: str) -> list[str]:
    """Return a data file's entries: its lines without comments and blank lines."""
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line]


def _mask(text: str) -> str:
    """Return the text with list markers blanked out, so that offsets stay the same."""
    return _MARKER.sub(lambda match: " " * len(match.group()), text)


def _sentence_spans(text: str, masked: str) -> list[tuple[int, int]]:
    """Return where the sentences of the masked text are, as (start, end) pairs."""
    spans, start = [], 0
    for match in _BOUNDARY.finditer(masked):
        if match.group("stop") and _is_abbreviation(masked, match.end()):
            continue
        # The original text, since a list marker (masked out) also begins a new sentence.
        if match.group("line") and _NEXT_CHAR.match(text, match.end()).group(1).islower():
            continue
        spans.append((start, match.end()))
        start = match.end()
    spans.append((start, len(masked)))
    return [(start, end) for start, end in spans if _WORD.search(masked, start, end)]


def _is_abbreviation(text: str, end: int) -> bool:
    """Tell whether the period before `end` closes an abbreviation."""
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end].lstrip(_OPENERS).lower() in _abbreviations()


def _letters(word: str) -> int:
    """Return how many letters a word has (digits and joining marks are not letters)."""
    return sum(1 for char in word if char.isalpha())


@cache
def _abbreviations() -> frozenset[str]:
    """Return the abbreviations that do not end a sentence."""
    return frozenset(read_list("abbreviations.txt"))


@cache
def _patterns(kind: str, lang: str) -> tuple[re.Pattern[str], ...]:
    """Return the compiled phrases of a list in a language."""
    if lang not in LANGUAGES:
        raise ValueError(f"No {kind} list for the language {lang!r}")
    return tuple(phrase_pattern(phrase) for phrase in read_list(f"{kind}_{lang}.txt"))


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """Compile a phrase: whole words, any case, any white space between the words.

    In a word, "a/b" is either word and a final "*" allows any ending ("viktig*": viktigt,
    viktiga); an apostrophe matches both ' and ’.
    """
    slots = []
    for slot in phrase.split():
        options = []
        for option in slot.split("/"):
            stem = re.escape(option.removesuffix("*")).replace("'", "['’]")
            options.append(stem + (r"[^\W\d_]*" if option.endswith("*") else ""))
        slots.append(f"(?:{'|'.join(options)})")
    words = r"\s+".join(slots)
    return re.compile(rf"(?<![^\W_]){words}(?![^\W_])", re.IGNORECASE)


def _find(
    text: str, patterns: tuple[re.Pattern[str], ...], message: LazyString, *, first_only: bool
) -> list[Finding]:
    """Return the patterns' matches in text order; where two overlap, the earlier one."""
    matches = []
    for pattern in patterns:
        found = pattern.finditer(text)
        matches += itertools.islice(found, 1) if first_only else found
    matches.sort(key=lambda match: (match.start(), -match.end()))
    findings, covered = [], 0
    for match in matches:
        if match.start() >= covered:
            findings.append(Finding(match.start(), match.end(), match.group(), message))
            covered = match.end()
    return findings
