"""The transcript files the app reads, told apart by their bytes, each read into the text form.

Plain text, Word (.docx), WebVTT and SubRip captions, and oTranscribe's .otr: whatever the
file is called, its contents decide what it is. Everything happens in memory; the result is
the transcript form of text.py (one turn per paragraph, speakers kept). Captions lose their
times and keep their speakers; an .otr file keeps its time marks as "[mm:ss]".
"""

from __future__ import annotations

import codecs
import html
import re
from dataclasses import dataclass

from flask_babel import format_number
from flask_babel import lazy_gettext as _l

from . import markup
from .text import (
    MAX_CHARS,
    NEW_TURN,
    UnreadableError,
    clean_line,
    from_lines,
    lines_of,
    merge_turns,
    split_turn,
)

#: The largest transcript file taken (a Word file with pictures in it stays well below).
MAX_BYTES = 5 * 1024 * 1024
#: What the file input accepts (a hint to the browser; the bytes decide).
ACCEPT = ".txt,.docx,.vtt,.srt,.otr,text/plain,text/vtt"


@dataclass(frozen=True)
class Parsed:
    """A transcript file read: the format found and the text in the transcript form."""

    format: str
    text: str


NOT_TEXT = _l("This file is not a transcript the app reads (txt, docx, vtt, srt or otr).")


def read(data: bytes) -> Parsed:
    """Read a transcript file's bytes into the transcript form.

    :raises UnreadableError: when the bytes are no format the app reads, hold no text, or
        more than MAX_CHARS characters.
    """
    try:
        found = _parse(data)
    except UnreadableError:
        raise
    except Exception:
        # A parser's own error may quote the file (HTMLParser does): none reaches a log.
        raise UnreadableError(NOT_TEXT) from None
    return Parsed(found.format, checked(found.text))


def _parse(data: bytes) -> Parsed:
    if data.startswith(b"PK\x03\x04"):
        return Parsed("docx", markup.docx_text(data))
    text = decode(data)
    head = text.lstrip()
    if head.startswith("WEBVTT"):
        return Parsed("vtt", captions(text, vtt=True))
    if head.startswith("{") and (otr := markup.otr_text(text)) is not None:
        return Parsed("otr", otr)
    if _starts_with_cue(head):
        return Parsed("srt", captions(text, vtt=False))
    return Parsed("txt", from_lines(lines_of(text)))


def checked(text: str) -> str:
    """Return text if a transcript may hold it.

    :raises UnreadableError: when it is empty or longer than MAX_CHARS.
    """
    if not text.strip():
        raise UnreadableError(_l("The transcript holds no text."))
    if len(text) > MAX_CHARS:
        raise UnreadableError(
            # Grouped as the reader's language groups digits ("400 000" in Swedish).
            _l("A transcript can hold at most %(n)s characters.", n=format_number(MAX_CHARS))
        )
    return text


_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def decode(data: bytes) -> str:
    """Return the text the bytes hold: UTF-8 or UTF-16 by their mark, else UTF-8, else Windows-1252.

    :raises UnreadableError: when the bytes are no text (a NUL, or many control characters).
    """
    text = None
    for mark, encoding in _BOMS:
        if data.startswith(mark):
            try:
                text = data[len(mark) :].decode(encoding)
            except UnicodeDecodeError:
                raise UnreadableError(NOT_TEXT) from None
            break
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    controls = len(_CONTROL.findall(text))
    if "\x00" in text or controls > 2 + len(text) // 100:
        raise UnreadableError(NOT_TEXT)
    return text


# A cue's timing line: "00:01.000 --> 00:04.000" (WebVTT) or "00:00:01,000 --> …" (SubRip).
_TIME = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")
_TAG = re.compile(r"<[^<>]*>|\{\\[^{}]*\}")
_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?\s+([^<>]*)>")


def _starts_with_cue(head: str) -> bool:
    """Tell whether text opens as SubRip does: a cue number, then a timing line."""
    first = [line for line in lines_of(head)[:3] if line.strip()]
    return bool(first) and (
        bool(_TIMING.match(first[0]))
        or (len(first) > 1 and first[0].strip().isdigit() and bool(_TIMING.match(first[1])))
    )


def captions(text: str, *, vtt: bool) -> str:
    """Return the turns of WebVTT or SubRip captions, times dropped and speakers kept.

    A speaker is a cue's voice (`<v Anna>`) or a "Name:" at the start of a line; a line
    starting with a dash begins a turn of someone not named. Where captions name speakers,
    a speaker's cues make one turn until someone else speaks; where they name none, each
    cue is a paragraph.
    """
    cues: list[list[tuple[object, str]]] = []
    for block in re.split(r"\n[ \t]*\n", "\n".join(lines_of(text))):
        lines = block.split("\n")
        timing = next((i for i, line in enumerate(lines[:3]) if _TIMING.match(line)), None)
        if timing is None:
            continue  # the header, a NOTE, STYLE or REGION block, or stray text
        cues.append([_segment(line, vtt=vtt) for line in lines[timing + 1 :] if line.strip()])
    named = any(isinstance(speaker, str) for cue in cues for speaker, _text in cue)
    segments: list[tuple[object, str]] = []
    for cue in cues:
        for i, (speaker, words) in enumerate(cue):
            if not named and i == 0 and speaker is None:
                speaker = NEW_TURN
            segments.append((speaker, words))
    return from_lines(merge_turns(segments))


def _segment(line: str, *, vtt: bool) -> tuple[object, str]:
    """Read one caption line: who speaks in it (a name, None or NEW_TURN) and the words."""
    voice = _VOICE.search(line) if vtt else None
    words = html.unescape(_TAG.sub("", line))
    if voice is not None:
        return clean_line(html.unescape(voice[1])) or None, words
    words = clean_line(words)
    if words.startswith(("-", "–")):
        return NEW_TURN, words.lstrip("-– ")
    turn = split_turn(words)
    if turn.speaker:
        return turn.speaker, turn.text
    return None, words
