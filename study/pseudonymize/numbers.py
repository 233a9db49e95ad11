"""Identity numbers by their shape: personnummer right or wrong, and the numbers of cases and cars.

A number shaped like a personnummer (a valid date, 10 or 12 digits, with or without the dash
or plus) is replaced even when its check digit is wrong: a mistyped number still points at a
person, and the check digit is the one thing a transcriber gets wrong. The day plus 60 makes a
samordningsnummer; a "month" of 20 or more an organisationsnummer. Case and diary numbers
follow their cue word ("dnr", "ärendenummer" …) or have the diary's shape ("KS 2023/456");
vehicle registrations are three letters and three characters ("ABC 123", "ABC 12D").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from stdnum import luhn

#: 10 or 12 digits with an optional dash or plus before the last four.
SHAPED = re.compile(r"(?<![\w-])((?:19|20|16)?\d{6})([-+]?)(\d{4})(?![\w-])")
#: Words that say a number is a person's (so a bare ten-digit number from 0 is no phone).
ID_CUE = re.compile(r"personnummer|personnumret|pnr|samordningsnummer", re.IGNORECASE)

_CASE_CUE = (
    r"dnr|d\.nr|diarienummer|diarienumret|diarienr|ärendenummer|ärendenumret|ärendenr"
    r"|ärende ?nr|målnummer|målnumret|mål ?nr|referensnummer|referensnumret|ref\.? ?nr"
    r"|journalnummer|journalnumret|patientnummer|patientnumret|elevnummer|elevnumret"
    r"|kundnummer|kundnumret|medlemsnummer|medlemsnumret|anställningsnummer|löpnummer"
    r"|id-nummer|id-numret|aktnummer|aktnumret|beslutsnummer|ordernummer|fakturanummer"
    r"|registreringsnummer|registreringsnumret|regnummer|regnumret|reg\.? ?nr"
)
#: A cue word, perhaps "är", "var" or a colon, then the number: letters, digits, dashes,
#: slashes, colons and single spaces, with at least one digit.
CASE_NUMBER = re.compile(
    rf"(?i:(?<![\w-])(?:{_CASE_CUE}))(?::|\s+(?:är|var|blev|har|nr|nummer))?:?\s+"
    r"((?:[A-ZÅÄÖa-zåäö]{1,6}[ -]?)?\d[\dA-Za-z]*(?:(?:[-/:.]| - )[\dA-Za-z]+)*)"
    r"(?![\w/-])"
)
#: A diary number without its cue: an office's letters, a year, a slash or dash, a number.
DIARY_NUMBER = re.compile(r"(?<![\w/-])[A-ZÅÄÖ]{1,6}[ -]?(?:19|20)\d{2}[/:]\d{1,6}(?![\w/-])")
#: A Swedish registration plate: three letters (no I, Q, V, Å, Ä, Ö), two digits, and a digit
#: or a letter (not O).
PLATE = re.compile(r"(?<![\w-])[A-HJ-PR-UW-Z]{3} ?\d{2}[\dA-HJ-NPR-UW-Z](?![\w-])")
#: Letter triples that are words or abbreviations in Swedish text, not plates.
_NOT_PLATES = frozenset(
    "ABF ADD AKK BBC BUP BVC CSN DVD EKG EMU FFF FHM HBT HVB KBT LSS LVM LVU MVC PDF SFB SFI "
    "SMS SOS SVT TBC TRR UFO USA UNT VAB".split()
)


def birth_date_of(digits: str) -> tuple[date, bool] | None:
    """Return the date a personnummer's digits name, and whether the day was plus 60.

    :param digits: 10 or 12 digits, no separator.
    """
    body = digits[-10:]
    month, day = int(body[2:4]), int(body[4:6])
    coordination = day > 60
    if coordination:
        day -= 60
    years = [int(digits[:4])] if len(digits) == 12 else [1900 + int(body[:2]), 2000 + int(body[:2])]
    for year in years:
        try:
            return date(year, month, day), coordination
        except ValueError:
            continue
    return None


def checks_out(digits: str) -> bool:
    """Tell whether the last ten digits pass the Luhn check a personnummer carries."""
    return luhn.is_valid(digits[-10:])


def identity_numbers(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, reason)`` for every number shaped like a person's or an organisation's.

    Bare ten digits from 0 that read as a phone number are left to the phone finder.
    """
    for match in SHAPED.finditer(text):
        head, sign, tail = match.groups()
        digits = head + tail
        if len(digits) == 12 and head.startswith("16"):
            if int(digits[4:6]) >= 20:
                yield match.start(), match.end(), "organisationsnummer"
            continue
        if not sign and reads_as_phone_number(text, match.start(), digits):
            continue
        found = birth_date_of(digits)
        if found is not None:
            coordination = found[1]
            reason = "samordningsnummer" if coordination else "personnummer"
            if not checks_out(digits):
                reason += " (fel kontrollsiffra)"
            yield match.start(), match.end(), reason
        elif len(digits) == 10 and int(digits[2:4]) >= 20 and (sign or checks_out(digits)):
            yield match.start(), match.end(), "organisationsnummer"


def kind_of(number: str) -> str:
    """Return what kind of identity number this is, as the placeholders name them.

    "" for a personnummer or samordningsnummer, else "organisation", "vehicle" or "case".
    """
    shaped = SHAPED.fullmatch(number)
    if shaped is not None:
        digits = shaped.group(1) + shaped.group(3)
        return "" if birth_date_of(digits) is not None else "organisation"
    if PLATE.fullmatch(number) or PLATE.fullmatch(number.upper()):
        return "vehicle"
    return "case"


def reads_as_phone_number(text: str, start: int, digits: str) -> bool:
    """Tell whether ten bare digits from 0 are a phone number rather than a 2000s personnummer.

    A mobile number (07…) never is; for other numbers a cue word nearby or a valid date
    with a valid check digit decides, as a random landline rarely has both.
    """
    if not (len(digits) == 10 and digits.startswith("0")):
        return False
    if ID_CUE.search(text, max(0, start - 40), start):
        return False
    return digits.startswith("07") or birth_date_of(digits) is None or not checks_out(digits)


def case_numbers(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, reason)`` for case, diary and other reference numbers."""
    for match in CASE_NUMBER.finditer(text):
        cue = match.group(0)[: match.start(1) - match.start()].lower()
        reason = "registreringsnummer" if cue.startswith("reg") else "ärende- eller diarienummer"
        yield match.start(1), match.end(1), reason
    for match in DIARY_NUMBER.finditer(text):
        yield match.start(), match.end(), "ärende- eller diarienummer"


def plates(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, reason)`` for vehicle registration numbers."""
    for match in PLATE.finditer(text):
        if match.group()[:3] not in _NOT_PLATES:
            yield match.start(), match.end(), "registreringsnummer"


# Phone numbers read out in words -------------------------------------------------------------

_UNITS = {
    "noll": 0, "ett": 1, "en": 1, "etta": 1, "två": 2, "tvåa": 2, "tre": 3, "trea": 3,
    "fyra": 4, "fyran": 4, "fem": 5, "femma": 5, "sex": 6, "sexa": 6, "sju": 7, "sjua": 7,
    "åtta": 8, "åttа": 8, "nio": 9, "nia": 9,
}  # fmt: skip
_TEENS = {
    "tio": 10, "elva": 11, "tolv": 12, "tretton": 13, "fjorton": 14, "femton": 15,
    "sexton": 16, "sjutton": 17, "arton": 18, "nitton": 19,
}  # fmt: skip
_TENS = {
    "tjugo": 20, "trettio": 30, "fyrtio": 40, "femtio": 50, "sextio": 60, "sjuttio": 70,
    "åttio": 80, "nittio": 90,
}  # fmt: skip
_UNIT_WORDS = "|".join(
    sorted((w for w in _UNITS if w not in ("noll", "en")), key=len, reverse=True)
)
_NUMBER_WORD = re.compile(
    rf"(?:(?P<hundreds>{_UNIT_WORDS})?(?P<hundra>hundra))?"
    rf"(?:(?P<teen>{'|'.join(_TEENS)})|(?P<tens>{'|'.join(_TENS)})(?P<unit>{_UNIT_WORDS})?"
    rf"|(?P<alone>{'|'.join(sorted(_UNITS, key=len, reverse=True))}))?"
)
_TOKEN = re.compile(r"[^\W\d_]+|\d+")
#: What a speaker says between the groups of a number.
_FILLERS = frozenset({"eh", "ehm", "öh", "öhm", "mm", "och", "alltså", "asså"})
_SEPARATORS = re.compile(r"[\s,\-–]*")


def number_word(word: str) -> str | None:
    """Return the digits a number word or a run of digits says ("fyrtiofem" is "45")."""
    if word.isdigit():
        return word
    match = _NUMBER_WORD.fullmatch(word.lower())
    if match is None or not match.group(0):
        return None
    if match["alone"] and match["hundra"] is None:
        return str(_UNITS[match["alone"]])
    value = 0
    if match["hundra"]:
        value += 100 * (_UNITS[match["hundreds"]] if match["hundreds"] else 1)
    if match["teen"]:
        value += _TEENS[match["teen"]]
    elif match["tens"]:
        value += _TENS[match["tens"]] + (_UNITS[match["unit"]] if match["unit"] else 0)
    elif match["alone"]:
        value += _UNITS[match["alone"]]
    return str(value)


def spoken_phone_numbers(text: str) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, reason)`` for phone numbers said in words, perhaps with digits.

    A run of number words and digit groups, with commas, dashes and fillers ("eh") between,
    that starts with "noll" or "plus fyrtiosex" and says 8 to 12 digits in all, at least one
    group of them in words.
    """
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    index = 0
    while index < len(tokens):
        start, _end, word = tokens[index]
        lower = word.lower()
        international = lower == "plus"
        if not (lower == "noll" or lower == "0" or international):
            index += 1
            continue
        digits, in_words, last, at = "", False, None, index + (1 if international else 0)
        previous_end = tokens[index][1]
        while at < len(tokens):
            t_start, t_end, t_word = tokens[at]
            if not _SEPARATORS.fullmatch(text[previous_end:t_start]):
                break
            said = number_word(t_word)
            if said is None:
                if t_word.lower() in _FILLERS and last is not None:
                    previous_end = t_end
                    at += 1
                    continue
                break
            digits += said
            in_words |= not t_word.isdigit()
            last, previous_end = t_end, t_end
            at += 1
        if international and not digits.startswith("46"):
            digits = ""
        if last is not None and in_words and 8 <= len(digits) <= 12:
            yield start, last, "telefonnummer (uppläst)"
            index = at
        else:
            index += 1
