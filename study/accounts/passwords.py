"""Password hashing with argon2id, and the check that refuses weak passwords."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from zxcvbn import matching, scoring

MIN_LENGTH = 10
MAX_LENGTH = 256

#: The fewest guesses zxcvbn may estimate for a password we accept: its own line between
#: "somewhat guessable" and "safely unguessable" (score 3).
MIN_GUESSES = 10**8
#: zxcvbn's matching grows with the square of the length; the first 100 characters tell
#: whether a password is weak, and a longer one is not judged on the rest.
MAX_CHECKED = 100
#: More combinations of look-alike characters than this are not all tried (see _omnimatch).
MAX_L33T_COMBINATIONS = 8
#: A name or local part shorter than this does not refuse a password that holds it (an
#: "Anna" would refuse "annat"); zxcvbn still counts it when the password is mostly it.
MIN_PERSONAL = 5
#: The demo accounts' passwords (study.demo.DEMO_ACCOUNTS). `flask demo` prints them, so
#: anyone may know them and they must never be a real account's password; the demo itself
#: creates its accounts without this check.
PUBLISHED = frozenset({"demo-student-1", "demo-handledare-1", "demo-admin-1"})
#: The name under which the Swedish list joins zxcvbn's dictionaries.
SWEDISH = "common_passwords_sv"

TOO_COMMON = _l(
    "This password is too common or too easy to guess. Choose a longer one, for example a "
    "few words."
)
PERSONAL = _l("The password must not contain your name or e-mail address.")


def _hasher() -> PasswordHasher:
    """Return the hasher with this app's parameters (the tests use cheap ones)."""
    params = current_app.config["ARGON2_PARAMS"]
    cached = current_app.extensions.get("password_hasher")
    if cached is None:
        cached = current_app.extensions["password_hasher"] = PasswordHasher(**params)
    return cached


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


def check_password(password_hash: str, password: str) -> bool:
    """Tell whether the password matches the stored hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


def waste_time(password: str) -> None:
    """Spend as long as a real check, so an unknown address answers no faster."""
    check_password(_dummy_hash(), password)


def _dummy_hash() -> str:
    """Return a hash of nothing, made once per app."""
    cached = current_app.extensions.get("dummy_password_hash")
    if cached is None:
        cached = current_app.extensions["dummy_password_hash"] = hash_password("-")
    return cached


def weakness(password: str, user_inputs: Iterable[str] = ()) -> LazyString | None:
    """Return why the password is refused (common, guessable or personal), or None."""
    checked = unicodedata.normalize("NFKC", password[:MAX_CHECKED])
    if _fold(checked).strip() in PUBLISHED:
        return TOO_COMMON
    user_inputs = list(user_inputs)
    squeezed = _squeeze(checked)
    # The whole name, address or local part refuses a password however strong the rest is;
    # a single word of them ("Hanna Handledare" in "handledarens lösenord") only makes the
    # password more guessable, as zxcvbn counts it.
    if any(len(whole) >= MIN_PERSONAL and whole in squeezed for whole in _personal(user_inputs)):
        return PERSONAL
    words = _personal_words(user_inputs)
    guesses, used_personal = _estimate(checked, words)
    if guesses >= MIN_GUESSES:
        return None
    # A short name ("Eva") in a weak password: the user should hear that it is theirs.
    found = any(len(word) >= 3 and word in squeezed for word in map(_squeeze, words))
    return PERSONAL if used_personal or found else TOO_COMMON


def common_passwords_sv() -> list[str]:
    """Return the shipped list of common Swedish passwords, most common first."""
    text = resources.files(__package__).joinpath("data", "common_passwords_sv.txt")
    words = (line.strip() for line in text.read_text(encoding="utf-8").splitlines())
    return list(dict.fromkeys(_fold(w) for w in words if w and not w.startswith("#")))


@cache
def _dictionaries() -> dict[str, dict[str, int]]:
    """Add the Swedish list and the demo passwords to zxcvbn's dictionaries, once."""
    matching.add_frequency_lists({SWEDISH: [*sorted(PUBLISHED), *common_passwords_sv()]})
    return matching.RANKED_DICTIONARIES


def _estimate(password: str, personal: list[str]) -> tuple[float, bool]:
    """Return zxcvbn's guesses for the password, and whether the user's own data lowered them.

    zxcvbn's own entry point keeps the user's data in its module-wide dictionaries, where
    two requests at once would see each other's; here each check gets its own copy.
    """
    ranked = {**_dictionaries(), "user_inputs": matching.build_ranked_dict(personal)}
    result = scoring.most_guessable_match_sequence(password, _omnimatch(password, ranked))
    used_personal = any(
        match.get("dictionary_name") == "user_inputs" for match in result["sequence"]
    )
    return result["guesses"], used_personal


def _omnimatch(password: str, ranked: dict[str, dict[str, int]]) -> list[dict]:
    """Find every pattern in the password, as zxcvbn's omnimatch does, in bounded time.

    zxcvbn tries every combination of look-alike characters ("1" as i or l, "@" or "4" as
    a), a dictionary pass each: a password full of them took seconds. Its repeat matcher
    also scores the repeated part with the module-wide dictionaries, without the user's data.
    """
    matches = [
        *matching.dictionary_match(password, ranked),
        *matching.reverse_dictionary_match(password, ranked),
        *matching.l33t_match(password, ranked, _l33t_table(password)),
        *matching.spatial_match(password, _ranked_dictionaries=ranked),
        *_repeat_match(password, ranked),
        *matching.sequence_match(password, ranked),
        *matching.regex_match(password, _ranked_dictionaries=ranked),
        *matching.date_match(password, ranked),
    ]
    return sorted(matches, key=lambda match: (match["i"], match["j"]))


def _l33t_table(password: str) -> dict[str, list[str]]:
    """Return the look-alikes in the password, one per letter when all would be too many."""
    table = matching.relevant_l33t_subtable(password, matching.L33T_TABLE)
    if math.prod(len(chars) for chars in table.values()) > MAX_L33T_COMBINATIONS:
        table = {letter: chars[:1] for letter, chars in table.items()}
    return table


_GREEDY, _LAZY, _LAZY_WHOLE = (
    re.compile(r"(.+)\1+"),
    re.compile(r"(.+?)\1+"),
    re.compile(r"^(.+?)\1+$"),
)


def _repeat_match(password: str, ranked: dict[str, dict[str, int]]) -> list[dict]:
    """Find repeats ("abcabc"), as zxcvbn's repeat matcher does, scoring the part with ours."""
    matches = []
    start = 0
    while start < len(password):
        greedy = _GREEDY.search(password, pos=start)
        if greedy is None:
            break
        lazy = _LAZY.search(password, pos=start)
        # The greedy match is the longer one in "aabaab"; its shortest repeated part is
        # found by a lazy match over it ("aab" in "aabaabaabaab").
        if len(greedy.group(0)) > len(lazy.group(0)):
            match, base = greedy, _LAZY_WHOLE.search(greedy.group(0)).group(1)
        else:
            match, base = lazy, lazy.group(1)
        analysis = scoring.most_guessable_match_sequence(base, _omnimatch(base, ranked))
        matches.append(
            {
                "pattern": "repeat",
                "i": match.start(),
                "j": match.end() - 1,
                "token": match.group(0),
                "base_token": base,
                "base_guesses": analysis["guesses"],
                "base_matches": analysis["sequence"],
                "repeat_count": len(match.group(0)) / len(base),
            }
        )
        start = match.end()
    return matches


def _personal(user_inputs: Iterable[str]) -> set[str]:
    """Return the user's data squeezed, and an address's local part ("sara.s@…" is "saras")."""
    values = [_fold(value).strip() for value in user_inputs]
    return {_squeeze(part) for value in values for part in (value, value.rpartition("@")[0])}


def _personal_words(user_inputs: Iterable[str]) -> list[str]:
    """Return the user's data and its words: a name's words, an address's local part and its.

    An address's domain is not a word of its own: "org" or "gmail" says nothing of the person.
    """
    words = []
    for value in user_inputs:
        value = _fold(value).strip()
        local = value.rpartition("@")[0]
        words += [value, local, *re.split(r"[\W_]+", local or value)]
    return [word for word in dict.fromkeys(words) if len(word) > 1]


def _fold(text: str) -> str:
    """Return text in the one form words are compared in (compatibility forms, lower case)."""
    return unicodedata.normalize("NFKC", text).lower()


def _squeeze(text: str) -> str:
    """Return folded text with only its letters and digits ("Kalle A." is "kallea")."""
    return "".join(char for char in _fold(text) if char.isalnum())
