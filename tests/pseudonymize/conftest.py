"""Fixtures for the pseudonymization tests: marked-up transcripts and their code keys."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from study.pseudonymize.codekey import CodeKey

#: Marked transcripts beside this file: the product's four samples (samples/), our own
#: (data/) and the sets written without looking at
#: the engine, to measure it on text it was not built on (blind/, blind2/ …).
HERE = Path(__file__).resolve().parent
SPAN = re.compile(r"\[\[([A-Z]+)\|([^\]|]+)\]\]")


@dataclass(frozen=True)
class Marked:
    """A marked span in a transcript's plain text."""

    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class Transcript:
    """A transcript's plain text with the spans its markup marked."""

    name: str
    plain: str
    spans: list[Marked]

    @property
    def must(self) -> list[Marked]:
        return [span for span in self.spans if span.label != "NEUTRAL"]


def read_marked(path: Path) -> Transcript:
    marked = path.read_text(encoding="utf-8")
    plain, spans, position = [], [], 0
    length = 0
    for match in SPAN.finditer(marked):
        before = marked[position : match.start()]
        plain.append(before)
        length += len(before)
        spans.append(Marked(length, length + len(match.group(2)), match.group(1), match.group(2)))
        plain.append(match.group(2))
        length += len(match.group(2))
        position = match.end()
    plain.append(marked[position:])
    return Transcript(path.name, "".join(plain), spans)


def corpus(folder: Path) -> list[Transcript]:
    return [read_marked(path) for path in sorted(folder.glob("*.txt")) if path.name != "README.md"]


def key_rows(folder: Path) -> list[list[str]]:
    with open(folder / "keys.csv", encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    return [row[1:] for row in rows[1:]]  # drop the file column


def marked_corpus(folder: Path) -> tuple[list[Transcript], CodeKey]:
    """Return a folder's marked transcripts with the code key built from its keys.csv."""
    return corpus(folder), CodeKey.from_rows(key_rows(folder))


def marked_set(which: str) -> tuple[list[Transcript], CodeKey]:
    """Return a named set of marked transcripts with its key: "samples", "own", "blind5" …"""
    return marked_corpus(HERE / ("data" if which == "own" else which))
