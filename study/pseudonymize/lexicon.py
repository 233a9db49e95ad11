"""Word lists the engine consults, loaded once from the plain-text files under ``data/``."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from wordfreq import get_frequency_dict, zipf_frequency

#: Zipf frequency from which a word counts as ordinary Swedish (about 1 in a million words).
ORDINARY_ZIPF = 3.0
#: From this Zipf frequency in English a word counts as a common English word.
ENGLISH_ZIPF = 4.0
#: Personal pronouns that can be a subject ("jag", "dom", "man").
SUBJECT_PRONOUNS = frozenset("jag du han hon hen vi ni de dom man".split())
#: Verbs of naming: the word after them is a name whatever else it could be ("hon heter saga").
NAMING_VERBS = frozenset({"heter", "hette", "kallas", "kallades", "döpte", "döptes", "döpt"})


@dataclass(frozen=True, slots=True)
class FirstName:
    """A first name with its usual gender (f, m, u) and origin (sv, int)."""

    name: str
    gender: str
    origin: str


def data_lines(filename: str) -> list[str]:
    """Return the non-empty, non-comment lines of a data file."""
    text = resources.files(__package__).joinpath("data", filename).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def _words(filename: str) -> frozenset[str]:
    """Return the whitespace-separated words of a data file, lowercased."""
    return frozenset(word.lower() for line in data_lines(filename) for word in line.split())


def _names(filename: str) -> frozenset[str]:
    """Return the one-per-line entries of a data file, lowercased."""
    return frozenset(line.lower() for line in data_lines(filename))


@cache
def first_names() -> dict[str, FirstName]:
    """First names by lowercase form."""
    rows = csv.reader(data_lines("first_names.csv"))
    return {name.lower(): FirstName(name, gender, origin) for name, gender, origin in rows}


@cache
def surnames() -> frozenset[str]:
    """Return common surnames, lowercased."""
    return _names("surnames.txt")


@cache
def surname_endings() -> tuple[str, ...]:
    """Return endings typical of Swedish surnames."""
    return tuple(sorted(_words("surname_endings.txt"), key=len, reverse=True))


@cache
def places() -> dict[str, str]:
    """Place names (lowercase) with their kind: storstad, stad, ort, stadsdel …, utomlands."""
    kinds = {name.lower(): kind for name, kind in csv.reader(data_lines("places_se.csv"))}
    for name in _names("places_world.txt"):
        kinds.setdefault(name, "utomlands")
    return kinds


@cache
def neutral_terms() -> frozenset[str]:
    """National agencies, countries and big platforms: name-like but identifying no one."""
    files = (
        "neutral_agencies.txt",
        "neutral_countries.txt",
        "neutral_platforms.txt",
        "neutral_regions.txt",
    )
    return frozenset().union(*(_names(name) for name in files))


@cache
def countries() -> frozenset[str]:
    """Return country names, lowercased ("serbien", "somalia")."""
    return _names("neutral_countries.txt")


@cache
def known_organisations() -> dict[str, str]:
    """Well-known organisations (universities) by lowercase name, with their placeholder."""
    return {
        name.lower(): holder for name, holder in csv.reader(data_lines("known_organisations.csv"))
    }


@cache
def organisation_heads() -> tuple[tuple[str, tuple[str, ...], str], ...]:
    """Head-noun forms of organisation names: (form, all forms of that noun, placeholder)."""
    heads = []
    for line in data_lines("org_heads.csv"):
        forms_text, placeholder = line.split(";")
        forms = tuple(forms_text.split())
        heads.extend((form, forms, placeholder) for form in forms)
    # Longest form first so "stadsdelsförvaltning" wins over "förvaltning".
    return tuple(sorted(heads, key=lambda head: len(head[0]), reverse=True))


@cache
def _heads_by_form() -> tuple[dict[str, tuple[str, tuple[str, ...], str]], tuple[int, ...]]:
    """Head-noun forms by form, and the lengths they come in, longest first."""
    by_form: dict[str, tuple[str, tuple[str, ...], str]] = {}
    for head in organisation_heads():
        by_form.setdefault(head[0], head)
    return by_form, tuple(sorted({len(form) for form in by_form}, reverse=True))


@lru_cache(maxsize=65536)
def organisation_head(word: str) -> tuple[str, tuple[str, ...], str] | None:
    """Return the longest organisation head-noun form that ``word`` ends with, if any.

    A genitive -s is looked through: "församlings" has the head "församling".
    """
    by_form, lengths = _heads_by_form()
    lower = word.lower()
    for form in (lower, lower[:-1] if lower.endswith("s") else ""):
        for length in lengths:
            if length <= len(form) and (head := by_form.get(form[-length:])):
                return head
    return None


@cache
def store_chains() -> frozenset[str]:
    """Return store and restaurant chains, lowercased ("ica", "coop")."""
    return _words("store_chains.txt")


@cache
def word_list(filename: str) -> frozenset[str]:
    """Return a whitespace-separated word list from ``data/`` (verbs, markers …)."""
    return _words(filename)


@cache
def small_words() -> frozenset[str]:
    """Return function words and the words that show an ordinary reading after them ("en")."""
    return word_list("function_words.txt") | word_list("common_reading_markers.txt")


@cache
def name_words() -> frozenset[str]:
    """Names that are also ordinary Swedish words ("björn", "per", "vara")."""
    return _words("name_words.txt")


@cache
def _frequencies() -> dict[str, float]:
    """Swedish word frequencies from wordfreq (offline)."""
    return get_frequency_dict("sv")


def zipf(word: str) -> float:
    """Zipf frequency of ``word`` in Swedish (0 when unknown)."""
    frequency = _frequencies().get(word.lower(), 0.0)
    return math.log10(frequency) + 9 if frequency > 0 else 0.0


def zipf_english(word: str) -> float:
    """Zipf frequency of ``word`` in English (0 when unknown)."""
    return zipf_frequency(word.lower(), "en")


def english_word(word: str) -> bool:
    """Tell whether a word is a common English word more than a Swedish one ("Support")."""
    if len(word) < 5:
        return False  # "Mo", "Kim": short names are words in some language
    english = zipf_english(word)
    return english >= ENGLISH_ZIPF and english > zipf(word) + 0.5


def in_name_lists(word: str) -> bool:
    """Tell whether ``word`` is a listed first name, surname or place."""
    lower = word.lower()
    return lower in first_names() or lower in surnames() or lower in places()


def is_ordinary_word(term: str) -> bool:
    """Tell whether a one-word term also reads as an ordinary Swedish word ("Bo", "Kulan")."""
    if " " in term or (len(term) > 1 and term.isupper()):
        return False
    lower = term.lower()
    if lower in name_words():
        return True
    return zipf(lower) >= ORDINARY_ZIPF and not in_name_lists(lower)
