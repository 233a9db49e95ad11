"""The plain-text form every transcript is kept in: one speaker turn per paragraph.

Whatever a transcript came from (a text file, Word, captions, oTranscribe, the editor), it
is kept as paragraphs separated by one blank line, each paragraph one line: a turn, written
"Speaker: what was said" where the transcript names its speakers, with "[mm:ss]" in front
where it kept the time. The form is reached by `normalise`, which is idempotent, and holds
nothing a form field refuses (control characters, U+FFFD), so every version can be edited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

#: The most characters a transcript holds (about seven hours of talk).
MAX_CHARS = 400_000

# A speaker label: a word or a few (a name, "Intervjuare", "IP1", "I"), then a colon.
_LABEL = r"[^\W\d_][\w.'’\- ]{0,39}?"
_STAMP = r"\[\d{1,2}(?::\d{2}){1,2}(?:[.,]\d+)?\]"
_TURN = re.compile(rf"^(?:(?P<stamp>{_STAMP})\s*)?(?P<speaker>{_LABEL})\s*:\s+(?P<rest>\S.*)$")
_LABEL_ONLY = re.compile(rf"^(?:{_STAMP}\s*)?{_LABEL}\s*:$")
_SPACE = re.compile(r"\s+")
# Characters dropped from any text: controls (tab and line breaks are spaces and breaks
# first), zero-width marks, the byte-order mark and the replacement character.
_DROPPED = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff\ufffd]")
_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


class UnreadableError(Exception):
    """A file is no transcript the app reads; `message` says why, in the user's words."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message


class Turn(NamedTuple):
    """One paragraph read as a turn: its time mark, speaker and words (each may be empty)."""

    stamp: str
    speaker: str
    text: str


def clean_line(line: str) -> str:
    """Return the line with controls dropped and every run of white space one space."""
    return _SPACE.sub(" ", _DROPPED.sub("", line)).strip()


def lines_of(text: str) -> list[str]:
    """Split text at every kind of line break."""
    return _BREAKS.split(text)


def from_lines(lines: Iterable[str]) -> str:
    """Return the transcript form of lines: every line that holds text is a paragraph.

    A line that is only a speaker label ("Anna:") opens the next line's turn.
    """
    paragraphs: list[str] = []
    label = ""
    for raw in lines:
        for line in lines_of(raw):
            line = clean_line(line)
            if not line:
                continue
            if label:
                line, label = f"{label} {line}", ""
            if _LABEL_ONLY.match(line) and _words(line) <= 4:
                label = line
                continue
            paragraphs.append(line)
    if label:
        paragraphs.append(label)
    return "\n\n".join(paragraphs)


def normalise(text: str) -> str:
    """Return text in the transcript form (see the module); normalising twice changes nothing."""
    return from_lines(lines_of(text))


def paragraphs(text: str) -> list[str]:
    """Return the paragraphs (turns) of a transcript in its form."""
    return [p for p in text.split("\n\n") if p]


def split_turn(paragraph: str) -> Turn:
    """Read a paragraph as a turn; a paragraph naming no speaker is all text."""
    found = _TURN.match(paragraph)
    if found is None or _words(found["speaker"]) > 4:
        stamp = re.match(rf"^({_STAMP})\s*(.*)$", paragraph)
        if stamp:
            return Turn(stamp[1], "", stamp[2])
        return Turn("", "", paragraph)
    return Turn(found["stamp"] or "", found["speaker"].strip(), found["rest"])


def _words(label: str) -> int:
    return len(label.split())


#: A caption segment that begins a turn whose speaker is not named.
NEW_TURN = object()


def merge_turns(segments: Iterable[tuple[object, str]]) -> list[str]:
    """Join caption segments into turns: one paragraph per turn.

    A segment is (speaker, text): a speaker's name begins their turn unless it is already
    theirs, None continues the turn under way, NEW_TURN begins a turn that names no one.
    """
    turns: list[tuple[str | None, list[str]]] = []
    for speaker, text in segments:
        text = clean_line(text)
        if speaker is NEW_TURN or not turns:
            named = speaker if isinstance(speaker, str) else None
            turns.append((named, [text] if text else []))
        elif isinstance(speaker, str) and speaker != turns[-1][0]:
            turns.append((speaker, [text] if text else []))
        elif text:
            turns[-1][1].append(text)
    out = []
    for speaker, texts in turns:
        words = " ".join(texts)
        if speaker:
            out.append(f"{speaker}: {words}".strip())
        elif words:
            out.append(words)
    return out
