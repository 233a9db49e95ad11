"""Pattern detectors: identity numbers, phone numbers, e-mail, URLs, handles, addresses, dates.

The numbers that identify by their shape (personnummer right or wrong, samordningsnummer,
organisationsnummer, case and diary numbers, registration plates, phone numbers read out in
words) live in numbers.py; this module puts every finder's spans together.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from stdnum.se import personnummer

from . import lexicon, numbers
from .codekey import Category


@dataclass(frozen=True, slots=True)
class Detection:
    """A span a pattern found, with its category and the reason shown to the student."""

    start: int
    end: int
    category: Category
    reason: str


MONTHS = (
    "januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|okt|nov|dec"
)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}")
URL = re.compile(r"(?:https?://|www\.)[^\s<>\"”]+[^\s<>\"”.,;:!?)]")
#: A web address without its scheme or www: a host under a common top-level domain with a
#: path ("facebook.com/groups/…") or a subdomain ("vallaskolan.linkoping.se"). A bare
#: "Hitta.se" names a service everyone uses, not a person's school or club.
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\."
_TLD = r"(?:se|nu|com|org|net|eu|fi|no|dk|io|info|me|app|de|uk)"
_PATH = r"/[^\s<>\"”]*[^\s<>\"”.,;:!?)]"
DOMAIN = re.compile(
    rf"(?<![\w@./-])(?:(?:{_LABEL}){{2,}}{_TLD}(?:{_PATH})?|{_LABEL}{_TLD}{_PATH})(?![\w@-])",
    re.IGNORECASE,
)
#: A social-media handle: @ and a user name (an e-mail address is found whole before it).
HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?(?![\w@])")
# A Swedish phone number: +46/0046 or a leading 0, then digit groups split by spaces or hyphens.
PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)46[ -]?(?:\(0\)[ -]?)?[1-9]|0[1-9])(?:[ -]?\d){6,9}(?![\w])"
)
# A foreign number written the international way: +CC and at least seven more digits.
PHONE_ABROAD = re.compile(r"(?<![\w+])\+(?!46)[1-9]\d{0,2}(?:[ -]?\(?\d\)?){7,12}(?![\w])")
# "123 45" before a town's name, right after a street address, or after the word postnummer.
POSTAL_CODE = re.compile(
    r"(?<![\w-])((?:SE-?\s?)?[1-9]\d{2} \d{2})(?=\s+([^\W\d_]+))"
    r"|(?i:postnummer(?:et)?|postnr\.?)\s+([1-9]\d{2} ?\d{2})(?!\w)"
)
_AFTER_ADDRESS = re.compile(r",? ((?:SE-?\s?)?[1-9]\d{2} ?\d{2})(?![\w-])")
# A street name (capitalised, or a lowercase compound in a sloppy transcript), perhaps after a
# capitalised first word ("Övre Husargatan"), then a house number.
_ADDRESS_TEMPLATE = (
    r"(?<![\w-])(?:[A-ZÅÄÖ][^\W\d_]+ |(?:norra|södra|östra|västra|stora|lilla|gamla|nya|övre|nedre) )?"
    r"(?:[A-ZÅÄÖ][^\W\d_]*|[a-zåäö][^\W\d_]+)(?:{suffixes})"
    r"\s\d{{1,4}}(?: ?[A-Ha-h])?(?:,? (?:lgh|lägenhet) ?\d+)?(?![\w-])"
)
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
DATE_NUMERIC = re.compile(
    rf"(?<![\w/.-]){_DAY}/(?:1[0-2]|0?[1-9])(?:[ -]\d{{4}}|[ -]\d{{2}}|[ ]-\d{{2}})(?![\w/])"
)
DATE_WORDS = re.compile(
    rf"(?<![\w-])(?:den )?{_DAY}(?::e|:a)? (?:{MONTHS})"
    rf"(?: (?:19|20)\d{{2}}| -\d{{2}}| '\d{{2}}| \d{{2}}(?!\d))?(?![\w-])",
    re.IGNORECASE,
)
#: "12.03.1987": day, month and a four-digit year with dots, as on many European id cards.
DATE_DOTTED = re.compile(rf"(?<![\w.-]){_DAY}\.(?:1[0-2]|0?[1-9])\.(?:19|20)\d{{2}}(?![\w-]|\.\d)")
DATE_ISO = re.compile(
    r"(?<![\w-])(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\w-])"
)
_ORDINAL_DAY = (
    r"(?:tjugo|trettio)?(?:första|andra|tredje|fjärde|femte|sjätte|sjunde|åttonde|nionde)"
    r"|tionde|elfte|tolfte|trettonde|fjortonde|femtonde|sextonde|sjuttonde|artonde|nittonde"
    r"|tjugonde|trettionde"
)
_UNIT = r"(?:ett|en|två|tre|fyra|fem|sex|sju|åtta|nio)"
_SPOKEN_YEAR = (
    rf"(?:nittonhundra|tjugohundra|tvåtusen)?(?:(?:tjugo|trettio|fyrtio|femtio|sextio|sjuttio"
    rf"|åttio|nittio){_UNIT}?|tio|elva|tolv|tretton|fjorton|femton|sexton|sjutton|arton|nitton"
    rf"|noll ?{_UNIT})"
)
#: A date said in words, as a transcript writes speech down: "tjugoandra november nittiotvå".
DATE_SPOKEN = re.compile(
    rf"(?<![\w-])(?:den )?(?:{_ORDINAL_DAY}) (?:{MONTHS})(?: {_SPOKEN_YEAR})?(?![\w-])",
    re.IGNORECASE,
)
_BIRTH_CUE = re.compile(r"(?:född|födde|föddes|födelsedag|födelsedatum|fyller år)\D{0,12}$", re.I)


def _address_pattern() -> re.Pattern[str]:
    """Street name ending in a street suffix, then a house number."""
    suffixes = sorted(lexicon.word_list("street_suffixes.txt"), key=len, reverse=True)
    return re.compile(_ADDRESS_TEMPLATE.format(suffixes="|".join(map(re.escape, suffixes))))


_ADDRESS = _address_pattern()


def valid_personnummer(number: str) -> bool:
    """Tell whether ``number`` is a personnummer (or samordningsnummer) with a valid check digit."""
    return personnummer.is_valid(number)


def find_identifiers(text: str) -> list[Detection]:
    """Return identity numbers, contact details, addresses and postal codes in ``text``."""
    found: list[Detection] = []
    for match in EMAIL.finditer(text):
        found.append(Detection(match.start(), match.end(), Category.CONTACT, "e-postadress"))
    for match in [*URL.finditer(text), *DOMAIN.finditer(text)]:
        found.append(Detection(match.start(), match.end(), Category.CONTACT, "webbadress"))
    for match in HANDLE.finditer(text):
        found.append(Detection(match.start(), match.end(), Category.CONTACT, "användarnamn"))
    for finder in (numbers.identity_numbers, numbers.case_numbers, numbers.plates):
        for start, end, reason in finder(text):
            found.append(Detection(start, end, Category.ID_NUMBER, reason))
    id_spans = [(d.start, d.end) for d in found if d.category is Category.ID_NUMBER]
    for match in [*PHONE.finditer(text), *PHONE_ABROAD.finditer(text)]:
        if any(start < match.end() and match.start() < end for start, end in id_spans):
            continue
        found.append(Detection(match.start(), match.end(), Category.CONTACT, "telefonnummer"))
    for start, end, reason in numbers.spoken_phone_numbers(text):
        found.append(Detection(start, end, Category.CONTACT, reason))
    for match in _ADDRESS.finditer(text):
        found.append(Detection(match.start(), match.end(), Category.PLACE, "gatuadress"))
        if code := _AFTER_ADDRESS.match(text, match.end()):
            found.append(Detection(code.start(1), code.end(1), Category.PLACE, "postnummer"))
    for match in POSTAL_CODE.finditer(text):
        if match.group(1):
            town = match.group(2)
            if not (town[0].isupper() or town.lower() in lexicon.places()):
                continue
            group = 1
        else:
            group = 3
        found.append(Detection(match.start(group), match.end(group), Category.PLACE, "postnummer"))
    return found


def find_dates(text: str) -> Iterator[tuple[int, int, bool]]:
    """Yield ``(start, end, is_birth_date)`` for exact dates written with a day and month."""
    for pattern in (DATE_NUMERIC, DATE_DOTTED, DATE_WORDS, DATE_ISO, DATE_SPOKEN):
        for match in pattern.finditer(text):
            start = match.start()
            if match.group().lower().startswith("den "):
                start += 4
            cue = _BIRTH_CUE.search(text, max(0, start - 30), start)
            yield start, match.end(), cue is not None


def find_birth_dates(text: str) -> list[Detection]:
    """Return dates that a birth cue ("född", "födelsedatum") introduces."""
    return [
        Detection(start, end, Category.DATE_OF_BIRTH, "födelsedatum")
        for start, end, is_birth in find_dates(text)
        if is_birth
    ]
