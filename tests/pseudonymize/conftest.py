"""Fixtures for the pseudonymization tests: marked-up transcripts and their code keys."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from study.pseudonymize.codekey import CodeKey

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples" / "transcripts"
OWN = Path(__file__).resolve().parent / "data"
#: Transcripts written without looking at the engine, to measure it on text it was not built on.
BLIND = Path(__file__).resolve().parent / "blind"
BLIND2 = Path(__file__).resolve().parent / "blind2"
BLIND3 = Path(__file__).resolve().parent / "blind3"
BLIND4 = Path(__file__).resolve().parent / "blind4"
BLIND5 = Path(__file__).resolve().parent / "blind5"
BLIND6 = Path(__file__).resolve().parent / "blind6"
BLIND7 = Path(__file__).resolve().parent / "blind7"
BLIND8 = Path(__file__).resolve().parent / "blind8"
BLIND9 = Path(__file__).resolve().parent / "blind9"
BLIND10 = Path(__file__).resolve().parent / "blind10"
BLIND11 = Path(__file__).resolve().parent / "blind11"
BLIND12 = Path(__file__).resolve().parent / "blind12"
BLIND13 = Path(__file__).resolve().parent / "blind13"
BLIND14 = Path(__file__).resolve().parent / "blind14"
BLIND15 = Path(__file__).resolve().parent / "blind15"
BLIND16 = Path(__file__).resolve().parent / "blind16"
BLIND17 = Path(__file__).resolve().parent / "blind17"
BLIND18 = Path(__file__).resolve().parent / "blind18"
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


@pytest.fixture
def samples() -> tuple[list[Transcript], CodeKey]:
    if not SAMPLES.is_dir():
        pytest.skip("the shared sample transcripts are not beside the repository")
    return marked_corpus(SAMPLES)


def marked_corpus(folder: Path) -> tuple[list[Transcript], CodeKey]:
    """Return a folder's marked transcripts with the code key built from its keys.csv."""
    return corpus(folder), CodeKey.from_rows(key_rows(folder))


@pytest.fixture
def own() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(OWN)


@pytest.fixture
def blind() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND)


@pytest.fixture
def blind2() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND2)


@pytest.fixture
def blind3() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND3)


@pytest.fixture
def blind4() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND4)


@pytest.fixture
def blind5() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND5)


@pytest.fixture
def blind6() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND6)


@pytest.fixture
def blind7() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND7)


@pytest.fixture
def blind8() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND8)


@pytest.fixture
def blind9() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND9)


@pytest.fixture
def blind10() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND10)


@pytest.fixture
def blind11() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND11)


@pytest.fixture
def blind12() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND12)


@pytest.fixture
def blind13() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND13)


@pytest.fixture
def blind14() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND14)


@pytest.fixture
def blind15() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND15)


@pytest.fixture
def blind16() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND16)


@pytest.fixture
def blind17() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND17)


@pytest.fixture
def blind18() -> tuple[list[Transcript], CodeKey]:
    return marked_corpus(BLIND18)
