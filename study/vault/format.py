"""The text grammar of an age v1 header: version line, recipient stanzas, MAC line."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import BinaryIO

VERSION_LINE = b"age-encryption.org/v1"
MAC_PREFIX = b"---"
STANZA_PREFIX = b"-> "
BODY_COLUMNS = 64
# A header is a few hundred bytes per recipient; a bound keeps a hostile file from making the
# parser buffer gigabytes while it looks for the MAC line.
MAX_HEADER_SIZE = 1 << 20
_READ_SIZE = 4096

_ARGUMENT = re.compile(rb"[\x21-\x7e]+")
_BASE64_LINE = re.compile(rb"[A-Za-z0-9+/]*")


class AgeError(Exception):
    """Anything wrong with an age file, key or passphrase; the message says what."""


@dataclass(frozen=True)
class Stanza:
    """One recipient stanza: a type, its arguments and a binary body."""

    type: str
    args: tuple[str, ...]
    body: bytes

    def encode(self) -> bytes:
        """Return the stanza as header lines, body wrapped at 64 columns."""
        line = b" ".join([STANZA_PREFIX + self.type.encode()] + [a.encode() for a in self.args])
        body = b64encode(self.body)
        lines = [body[i : i + BODY_COLUMNS] for i in range(0, len(body), BODY_COLUMNS)]
        if len(body) % BODY_COLUMNS == 0:
            # The body always ends with a short line, empty if need be, so a reader knows
            # where it stops.
            lines.append(b"")
        return line + b"\n" + b"\n".join(lines) + b"\n"


@dataclass(frozen=True)
class Header:
    """A parsed header: its stanzas, its MAC, and the bytes the MAC covers."""

    stanzas: tuple[Stanza, ...]
    mac: bytes
    mac_input: bytes
    size: int


def b64encode(data: bytes) -> bytes:
    """Encode base64 without padding, as every base64 string in an age header is."""
    return base64.b64encode(data).rstrip(b"=")


def b64decode(text: bytes) -> bytes:
    """Decode canonical unpadded base64.

    :raises AgeError: if the text has padding, stray characters or non-zero trailing bits.
    """
    if not _BASE64_LINE.fullmatch(text) or len(text) % 4 == 1:
        raise AgeError("invalid base64 in header")
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        raise AgeError("invalid base64 in header") from None
    if b64encode(data) != text:
        raise AgeError("non-canonical base64 in header")
    return data


def encode_header_without_mac(stanzas: list[Stanza]) -> bytes:
    """Return the header up to and including the `---` the MAC is computed over."""
    return VERSION_LINE + b"\n" + b"".join(s.encode() for s in stanzas) + MAC_PREFIX


def read_header(source: BinaryIO) -> tuple[Header, bytes]:
    """Read and parse the header at the start of source.

    Returns the header and the bytes read past its end (the start of the payload), so that
    non-seekable sources such as stdin work.

    :raises AgeError: if the header is malformed, truncated or larger than MAX_HEADER_SIZE.
    """
    buffer = bytearray()
    searched = 0
    while True:
        # The MAC line is the first line starting with "---": stanza lines start with "->"
        # and body lines are base64.
        mac_at = buffer.find(b"\n" + MAC_PREFIX, max(0, searched - len(MAC_PREFIX)))
        if mac_at >= 0:
            end = buffer.find(b"\n", mac_at + 1)
            if end >= 0:
                break
        searched = len(buffer)
        if len(buffer) > MAX_HEADER_SIZE:
            raise AgeError("header too large or not an age file")
        block = source.read(_READ_SIZE)
        if not block:
            if not buffer:
                raise AgeError("empty input: not an age file")
            raise AgeError("truncated header or not an age file")
        buffer += block
    header = parse_header(bytes(buffer[: end + 1]))
    return header, bytes(buffer[end + 1 :])


def parse_header(data: bytes) -> Header:
    """Parse a complete header (ending with the MAC line's newline).

    :raises AgeError: if any line breaks the age v1 grammar.
    """
    lines = data.split(b"\n")
    if lines[-1] != b"":
        raise AgeError("header does not end with a newline")
    lines.pop()
    if not lines or lines[0] != VERSION_LINE:
        if lines and lines[0].startswith(b"age-encryption.org/"):
            raise AgeError("unsupported age format version")
        raise AgeError("not an age file: missing version line")
    stanzas = []
    index = 1
    while index < len(lines) and lines[index].startswith(STANZA_PREFIX):
        stanza, index = _parse_stanza(lines, index)
        stanzas.append(stanza)
    if index != len(lines) - 1:
        raise AgeError("malformed header line")
    mac_line = lines[index]
    if not mac_line.startswith(MAC_PREFIX + b" "):
        raise AgeError("malformed header MAC line")
    mac = b64decode(mac_line[len(MAC_PREFIX) + 1 :])
    if len(mac) != 32:
        raise AgeError("header MAC has the wrong length")
    if not stanzas:
        raise AgeError("header has no recipient stanzas")
    mac_input = data[: len(data) - len(mac_line) - 1 + len(MAC_PREFIX)]
    return Header(tuple(stanzas), mac, mac_input, len(data))


def _parse_stanza(lines: list[bytes], index: int) -> tuple[Stanza, int]:
    words = lines[index][len(STANZA_PREFIX) :].split(b" ")
    if not all(_ARGUMENT.fullmatch(word) for word in words):
        raise AgeError("malformed stanza line in header")
    index += 1
    body = []
    while True:
        if index >= len(lines) - 1:
            raise AgeError("stanza body is not terminated by a short line")
        line = lines[index]
        if len(line) > BODY_COLUMNS:
            raise AgeError("stanza body line too long")
        body.append(line)
        index += 1
        if len(line) < BODY_COLUMNS:
            break
    decoded_body = b64decode(b"".join(body))
    type_, *args = (word.decode("ascii") for word in words)
    return Stanza(type_, tuple(args), decoded_body), index
