"""The study's code key: real terms, their category and their pseudonym, with CSV persistence."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol, TextIO

from .text import term_form


class CodeKeyError(ValueError):
    """A code key that cannot be read: bad CSV, unknown category, empty or conflicting term."""


class Category(StrEnum):
    """What kind of identifier a term is."""

    PERSON = "person"
    PLACE = "place"
    ORGANISATION = "organisation"
    CONTACT = "contact"
    ID_NUMBER = "id_number"
    DATE_OF_BIRTH = "date_of_birth"
    OTHER = "other"

    @classmethod
    def parse(cls, label: str) -> Category:
        """Return the category a CSV or markup label names (``PER``, ``person``, ``plats`` …).

        :raises CodeKeyError: when the label names no category.
        """
        category = _ALIASES.get(label.strip().lower())
        if category is None:
            raise CodeKeyError(f"unknown category {label!r}")
        return category


_ALIASES: dict[str, Category] = {
    alias: category
    for category, aliases in {
        Category.PERSON: ("person", "per", "personnamn", "namn", "name"),
        Category.PLACE: ("place", "loc", "location", "plats", "ort"),
        Category.ORGANISATION: ("organisation", "organization", "org", "arbetsplats"),
        Category.CONTACT: ("contact", "kontakt", "kontaktuppgift", "phone", "email"),
        Category.ID_NUMBER: ("id_number", "id", "personnummer", "id-nummer"),
        Category.DATE_OF_BIRTH: ("date_of_birth", "dob", "födelsedatum"),
        Category.OTHER: ("other", "övrigt", "annat"),
    }.items()
    for alias in aliases
}


class PseudonymStyle(StrEnum):
    """How the study wants generated pseudonyms for people to look."""

    NAMES = "names"  # invented first names (and surnames) that fit
    ROLES = "roles"  # role codes: "Person A", "Person B" …


@dataclass(slots=True)
class KeyEntry:
    """One real term with its category, (once assigned) its pseudonym and where it came from.

    ``sources`` holds the ids of the respondents whose material gave rise to the term; an
    entry without sources was added by hand or imported, and no withdrawal removes it.
    """

    term: str
    category: Category
    pseudonym: str | None = None
    sources: set[int] = field(default_factory=set)

    @property
    def form(self) -> str:
        """The term's matching form (lowercase, punctuation as spaces)."""
        return term_form(self.term)


@dataclass
class CodeKey:
    """A study's code key: one pseudonym per term for the whole study."""

    entries: list[KeyEntry] = field(default_factory=list)
    seed: str = ""
    style: PseudonymStyle = PseudonymStyle.NAMES

    def __post_init__(self) -> None:
        self._by_form: dict[str, KeyEntry] = {}
        entries, self.entries = self.entries, []
        for entry in entries:
            self._insert(entry)

    def _insert(self, entry: KeyEntry) -> KeyEntry:
        """Add ``entry`` unless its term is already there; return the entry kept."""
        form = entry.form
        if not form:
            raise CodeKeyError("empty term")
        existing = self._by_form.get(form)
        if existing is not None:
            if existing.category != entry.category:
                raise CodeKeyError(
                    f"term {entry.term!r} is both {existing.category} and {entry.category}"
                )
            if existing.pseudonym is None:
                existing.pseudonym = entry.pseudonym
            existing.sources |= entry.sources
            return existing
        self._by_form[form] = entry
        self.entries.append(entry)
        return entry

    def add(
        self,
        term: str,
        category: Category,
        pseudonym: str | None = None,
        *,
        source: int | None = None,
    ) -> KeyEntry:
        """Add a term, or return the existing entry when the term is known.

        ``source`` is the respondent whose material gave rise to the term; it is recorded
        on the entry, new or existing, so that their withdrawal can take the term back.

        :raises CodeKeyError: when the term is empty or known under another category.
        """
        sources = set() if source is None else {source}
        return self._insert(KeyEntry(term.strip(), category, pseudonym or None, sources))

    def forget_source(self, respondent_id: int) -> list[KeyEntry]:
        """Drop a respondent from every entry's sources and return the entries left with none.

        Those entries are removed from the key: only that respondent's material gave rise
        to them. Entries other respondents' material also gave rise to, and entries that
        never had sources (added by hand or imported), stay.
        """
        removed: list[KeyEntry] = []
        kept: list[KeyEntry] = []
        for entry in self.entries:
            if respondent_id in entry.sources:
                entry.sources.discard(respondent_id)
                if not entry.sources:
                    removed.append(entry)
                    del self._by_form[entry.form]
                    continue
            kept.append(entry)
        self.entries = kept
        return removed

    def get(self, term: str) -> KeyEntry | None:
        """Return the entry for ``term`` (case- and punctuation-insensitive), if any."""
        return self._by_form.get(term_form(term))

    def __iter__(self) -> Iterator[KeyEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def fingerprint(self) -> tuple[tuple[str, str, str | None], ...]:
        """Return a hashable summary of the entries, for caching what is built from them."""
        return tuple((e.term, e.category.value, e.pseudonym) for e in self.entries)

    def rows(self) -> list[tuple[str, str, str]]:
        """Return the entries as ``(term, category, pseudonym)`` rows, for any storage."""
        return [(e.term, e.category.value, e.pseudonym or "") for e in self.entries]

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[Iterable[str]],
        *,
        seed: str = "",
        style: PseudonymStyle = PseudonymStyle.NAMES,
    ) -> CodeKey:
        """Build a key from ``term, category[, pseudonym]`` rows (a header row is skipped).

        :raises CodeKeyError: on a short row, an unknown category or a conflicting term.
        """
        key = cls(seed=seed, style=style)
        read: list[tuple[int, str, str]] = []
        for number, row in enumerate(rows, start=1):
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if number == 1 and cells[0].lower() == "term":
                continue
            if len(cells) < 2 or len(cells) > 3:
                raise CodeKeyError(f"row {number}: expected term,category[,pseudonym]")
            pseudonym = cells[2] if len(cells) > 2 else ""
            try:
                key.add(cells[0], Category.parse(cells[1]), pseudonym or None)
            except CodeKeyError as error:
                raise CodeKeyError(f"row {number}: {error}") from None
            read.append((number, cells[0], pseudonym))
        if problems := contradictions(read):
            raise CodeKeyError("the key contradicts itself: " + "; ".join(problems))
        return key

    @classmethod
    def from_csv(
        cls,
        source: str | Path | TextIO,
        *,
        seed: str = "",
        style: PseudonymStyle = PseudonymStyle.NAMES,
    ) -> CodeKey:
        """Read a key from a CSV file path or open text stream.

        :raises CodeKeyError: on unreadable or malformed CSV.
        :raises OSError: when the file cannot be opened.
        """
        if isinstance(source, str | Path):
            try:
                with open(source, encoding="utf-8", newline="") as stream:
                    return cls.from_csv(stream, seed=seed, style=style)
            except UnicodeDecodeError:
                raise CodeKeyError(f"{source}: not UTF-8") from None
        try:
            return cls.from_rows(csv.reader(source), seed=seed, style=style)
        except csv.Error as error:
            raise CodeKeyError(f"bad CSV: {error}") from None

    def to_csv(self, target: str | Path | TextIO | None = None) -> str:
        """Write the key as CSV (``term,category,pseudonym``) and return the text."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(("term", "category", "pseudonym"))
        writer.writerows(self.rows())
        content = buffer.getvalue()
        if isinstance(target, str | Path):
            Path(target).write_text(content, encoding="utf-8")
        elif target is not None:
            target.write(content)
        return content


def contradictions(rows: Iterable[tuple[int, str, str]]) -> list[str]:
    """Return what makes a key's ``(row number, term, pseudonym)`` rows contradict themselves.

    One term with two pseudonyms; two terms sharing one pseudonym (two people merged into
    one), unless it is a bracketed placeholder such as "[stad]", which generalises on
    purpose; a pseudonym equal to its term (left in clear); a pseudonym that is another real
    term of the key.
    """
    rows = list(rows)
    terms: dict[str, list[tuple[int, str]]] = {}
    for number, term, pseudonym in rows:
        terms.setdefault(term_form(term), []).append((number, pseudonym))
    problems: list[str] = []
    for form, seen in terms.items():
        given = {p for _n, p in seen if p}
        if len({term_form(p) for p in given}) > 1:
            numbers = " and ".join(str(n) for n, _p in seen)
            problems.append(
                f"rows {numbers}: {form!r} has two pseudonyms ({', '.join(sorted(given))})"
            )
    owners: dict[str, list[tuple[int, str]]] = {}
    for number, term, pseudonym in rows:
        if not pseudonym:
            continue
        if term_form(pseudonym) == term_form(term):
            problems.append(f"row {number}: the pseudonym of {term!r} is the term itself")
        elif term_form(pseudonym) in terms:
            problems.append(
                f"row {number}: the pseudonym {pseudonym!r} of {term!r} is a real term of the key"
            )
        if not (pseudonym.startswith("[") and pseudonym.endswith("]")):
            owners.setdefault(term_form(pseudonym), []).append((number, term))
    for pseudonym, holders in owners.items():
        if len({term_form(t) for _n, t in holders}) > 1:
            numbers = " and ".join(str(n) for n, _t in holders)
            named = ", ".join(repr(t) for _n, t in holders)
            problems.append(f"rows {numbers}: {named} share the pseudonym {pseudonym!r}")
    return problems


class KeyStore(Protocol):
    """Where a study's code key lives (CSV file now, an encrypted table later)."""

    def load(self) -> CodeKey:
        """Return the stored key."""
        ...

    def save(self, key: CodeKey) -> None:
        """Store ``key``, replacing what was there."""
        ...


class CsvKeyStore:
    """A code key kept in a CSV file."""

    def __init__(
        self, path: str | Path, *, seed: str = "", style: PseudonymStyle = PseudonymStyle.NAMES
    ):
        self.path = Path(path)
        self.seed = seed
        self.style = PseudonymStyle(style)

    def load(self) -> CodeKey:
        """Return the key in the file (empty when the file does not exist yet)."""
        if not self.path.exists():
            return CodeKey(seed=self.seed, style=self.style)
        return CodeKey.from_csv(self.path, seed=self.seed, style=self.style)

    def save(self, key: CodeKey) -> None:
        """Write ``key`` to the file."""
        key.to_csv(self.path)


class MemoryKeyStore:
    """A code key kept in memory (tests, previews)."""

    def __init__(self, key: CodeKey | None = None):
        self._entries = _copies(key) if key else []
        self._seed = key.seed if key else ""
        self._style = key.style if key else PseudonymStyle.NAMES

    def load(self) -> CodeKey:
        """Return a fresh copy of the stored key."""
        return CodeKey(_copies(self._entries), seed=self._seed, style=self._style)

    def save(self, key: CodeKey) -> None:
        """Keep a copy of ``key``."""
        self._entries, self._seed, self._style = _copies(key), key.seed, key.style


def _copies(entries: Iterable[KeyEntry]) -> list[KeyEntry]:
    # Entries are mutable (pseudonyms, sources), so the store must not share them.
    return [KeyEntry(e.term, e.category, e.pseudonym, set(e.sources)) for e in entries]
