"""The recording formats the app takes, each known by its first bytes, written as data.

A file's name and the type a browser claims say nothing: a format is what the bytes say.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: How many bytes the formats need to be told apart (and an Ogg file's codec named).
HEAD_SIZE = 40


@dataclass(frozen=True)
class Format:
    """One recording format: its name, its media type, and how its first bytes look."""

    name: str
    media_type: str
    matches: Callable[[bytes], bool]
    #: Whether the first bytes show there is sound only; a container that may also carry
    #: pictures (MP4, Matroska, Ogg with another codec) needs consent to video.
    sound_only: Callable[[bytes], bool] = lambda _head: True


def _mp3(head: bytes) -> bool:
    # An ID3 tag, or straight into an MPEG audio frame (11 sync bits set).
    return head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _ogg_sound(head: bytes) -> bool:
    # The first page's first packet names the codec: Opus, Vorbis or FLAC are sound.
    return head[28:36] == b"OpusHead" or head[28:35] == b"\x01vorbis" or head[28:33] == b"\x7fFLAC"


FORMATS: tuple[Format, ...] = (
    Format("wav", "audio/wav", lambda h: h[:4] == b"RIFF" and h[8:12] == b"WAVE"),
    Format("flac", "audio/flac", lambda h: h.startswith(b"fLaC")),
    Format("ogg", "audio/ogg", lambda h: h.startswith(b"OggS"), _ogg_sound),
    Format("webm", "audio/webm", lambda h: h.startswith(b"\x1a\x45\xdf\xa3"), lambda _h: False),
    Format(
        "m4a", "audio/mp4", lambda h: h[4:8] == b"ftyp", lambda h: h[8:12] in (b"M4A ", b"M4B ")
    ),
    Format("mp3", "audio/mpeg", _mp3),
)

#: What the file input accepts (a hint to the browser; the bytes decide).
ACCEPT = ".wav,.mp3,.m4a,.ogg,.opus,.flac,.webm,audio/*"


def sniff(head: bytes) -> Format | None:
    """Return the format the first bytes of a file show, or None."""
    return next((f for f in FORMATS if f.matches(head)), None)
