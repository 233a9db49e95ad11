"""Generated pseudonyms: invented names or role codes for people, placeholders for the rest."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable
from functools import cache

from . import lexicon, numbers
from .codekey import Category, CodeKey, KeyEntry, PseudonymStyle
from .patterns import DOMAIN, EMAIL, HANDLE, URL

_NUMBERED = re.compile(r"^\[(.*?)(?: \d+)?\]$")


@cache
def placeholders() -> dict[str, str]:
    """Return placeholder text by ``category:kind`` (kind may be empty)."""
    return dict(csv.reader(lexicon.data_lines("placeholders.csv")))


def placeholder_for(category: Category, kind: str = "") -> str:
    """Return the placeholder for a category and optional kind ("stadsdel", "email" …)."""
    table = placeholders()
    return table.get(f"{category.value}:{kind}") or table[f"{category.value}:"]


def describe(entry: KeyEntry) -> str:
    """Return the descriptive placeholder for a place, organisation or contact term."""
    term, lower = entry.term, entry.term.lower()
    if entry.category is Category.PLACE:
        if lower in lexicon.places():
            return placeholder_for(Category.PLACE, lexicon.places()[lower])
        if re.search(r"\d", term):
            return placeholder_for(
                Category.PLACE, "postal_code" if term[0].isdigit() else "address"
            )
        street = lexicon.word_list("street_suffixes.txt")
        if any(lower.endswith(suffix) and len(lower) > len(suffix) for suffix in street):
            return placeholder_for(Category.PLACE, "street")
        return placeholder_for(Category.PLACE)
    if entry.category is Category.ORGANISATION:
        if lower in lexicon.known_organisations():
            return lexicon.known_organisations()[lower]
        for word in term.split():
            head = lexicon.organisation_head(word)
            if head:
                return head[2]
        return placeholder_for(Category.ORGANISATION)
    if entry.category is Category.CONTACT:
        kind = (
            "email"
            if EMAIL.fullmatch(term)
            else "url"
            if URL.fullmatch(term) or DOMAIN.fullmatch(term)
            else "handle"
            if HANDLE.fullmatch(term)
            else ""
        )
        return placeholder_for(Category.CONTACT, kind)
    if entry.category is Category.ID_NUMBER:
        return placeholder_for(Category.ID_NUMBER, numbers.kind_of(term))
    return placeholder_for(entry.category)


def _score(seed: str, kind: str, term: str) -> int:
    """Return a stable pseudo-random number for a term: same key and seed, same names."""
    digest = hashlib.blake2b(f"{seed}\x1f{kind}\x1f{term}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@cache
def _name_pools() -> dict[tuple[str, str], tuple[str, ...]]:
    """Invented first names by (gender, origin), ordinary-word names left out."""
    pools: dict[tuple[str, str], list[str]] = {}
    for lower, name in sorted(lexicon.first_names().items()):
        if lower not in lexicon.name_words() and "-" not in lower:
            pools.setdefault((name.gender, name.origin), []).append(name.name)
    return {group: tuple(names) for group, names in pools.items()}


@cache
def _surname_pool() -> tuple[str, ...]:
    """Invented surnames, ordinary-word surnames left out."""
    return tuple(
        name.capitalize() if name.islower() else name
        for name in sorted(lexicon.surnames())
        if name not in lexicon.name_words()
    )


def _role_code(number: int) -> str:
    """Return "Person A" … "Person Z", "Person AA" … for the n-th person (0-based)."""
    letters = ""
    number += 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"Person {letters}"


class _Assigner:
    """Fills in missing pseudonyms for one key, remembering what is taken."""

    def __init__(self, key: CodeKey, avoid: Iterable[str]):
        self.key = key
        self.forbidden = {word.lower() for word in avoid}
        for entry in key:
            self.forbidden.update(entry.term.lower().split())
        self.taken: set[str] = set()
        self.first: dict[str, str] = {}  # real first name -> invented first name
        self.last: dict[str, str] = {}  # real surname -> invented surname
        self.roles: dict[str, str] = {}  # real name part -> role code
        self.placeholder_uses: dict[str, int] = {}
        for entry in key:
            if entry.pseudonym:
                self._remember(entry)

    def _remember(self, entry: KeyEntry) -> None:
        """Note an existing pseudonym so new ones stay unique and consistent with it."""
        pseudonym = entry.pseudonym or ""
        self.taken.add(pseudonym.lower())
        self.forbidden.update(pseudonym.lower().split())
        match = _NUMBERED.match(pseudonym)
        if match:
            base = f"[{match.group(1)}]"
            self.placeholder_uses[base] = self.placeholder_uses.get(base, 0) + 1
        if entry.category is not Category.PERSON:
            return
        real, invented = entry.term.split(), pseudonym.split()
        if self.key.style is PseudonymStyle.ROLES:
            for part in (real[0], real[-1]):
                self.roles.setdefault(part.lower(), pseudonym)
        elif len(real) > 1 and len(invented) > 1:
            self.first.setdefault(real[0].lower(), invented[0])
            self.last.setdefault(real[-1].lower(), invented[-1])
        elif len(real) == 1 and len(invented) == 1:
            table = self.last if _is_surname(real[0]) else self.first
            table.setdefault(real[0].lower(), invented[0])

    def _pick(self, pool: tuple[str, ...], kind: str, real: str) -> str:
        """Pick a name from ``pool`` for ``real``: stable, unused and absent from the texts."""
        start = _score(self.key.seed, kind, real.lower())
        for step in range(len(pool)):
            candidate = pool[(start + step) % len(pool)]
            if candidate.lower() not in self.forbidden and candidate.lower() not in self.taken:
                self.taken.add(candidate.lower())
                return candidate
        return f"{kind.capitalize()} {start % 1000}"  # every listed name is in use

    def first_name(self, real: str) -> str:
        """Invented first name for a real one, of the same gender and origin where known."""
        lower = real.lower()
        if lower not in self.first:
            known = lexicon.first_names().get(lower)
            gender, origin = (known.gender, known.origin) if known else ("u", "sv")
            pools = _name_pools()
            if gender == "u":
                gender = "fm"[_score(self.key.seed, "gender", lower) % 2]
            pool = pools.get((gender, origin)) or pools[(gender, "sv")]
            self.first[lower] = self._pick(pool, "förnamn", real)
        return self.first[lower]

    def surname(self, real: str) -> str:
        """Invented surname for a real one."""
        lower = real.lower()
        if lower not in self.last:
            self.last[lower] = self._pick(_surname_pool(), "efternamn", real)
        return self.last[lower]

    def person(self, term: str) -> str:
        """Pseudonym for a person's name in the study's style."""
        parts = term.split()
        if self.key.style is PseudonymStyle.ROLES:
            for part in (parts[0], parts[-1]):
                if part.lower() in self.roles:
                    return self.roles[part.lower()]
            code = _role_code(len(set(self.roles.values())))
            for part in (parts[0], parts[-1]):
                self.roles[part.lower()] = code
            return code
        if len(parts) > 1:
            return f"{self.first_name(parts[0])} {self.surname(parts[-1])}"
        return self.surname(term) if _is_surname(term) else self.first_name(term)

    def placeholder(self, entry: KeyEntry) -> str:
        """Descriptive placeholder, numbered when another term already has the same one."""
        base = describe(entry)
        uses = self.placeholder_uses.get(base, 0) + 1
        self.placeholder_uses[base] = uses
        return base if uses == 1 else f"{base[:-1]} {uses}]"


def _is_surname(word: str) -> bool:
    """Tell whether a single name reads as a surname rather than a first name."""
    lower = word.lower()
    if lower in lexicon.first_names():
        return False
    return lower in lexicon.surnames() or lower.endswith(lexicon.surname_endings())


def assign_pseudonyms(key: CodeKey, avoid: Iterable[str] = ()) -> CodeKey:
    """Give every entry without a pseudonym one, in key order; return the same key.

    ``avoid`` holds words that a generated name must not be (the study's texts): an invented
    name that also occurs in a transcript would point at a real person.
    """
    assigner = _Assigner(key, avoid)
    for entry in key:
        if entry.pseudonym:
            continue
        if entry.category is Category.PERSON:
            entry.pseudonym = assigner.person(entry.term)
        else:
            entry.pseudonym = assigner.placeholder(entry)
    return key
