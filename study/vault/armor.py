"""The ASCII armor of age files (PEM-style, strict base64 at 64 columns), both directions."""

from __future__ import annotations

import base64
import binascii
import io
import re
from typing import BinaryIO

from study.vault.format import AgeError

BEGIN = b"-----BEGIN AGE ENCRYPTED FILE-----"
END = b"-----END AGE ENCRYPTED FILE-----"
COLUMNS = 64
_BYTES_PER_LINE = COLUMNS * 3 // 4
_LINE = re.compile(rb"[A-Za-z0-9+/]*={0,2}")
_WHITESPACE = b" \t\r\n"


class ArmorWriter(io.RawIOBase):
    """A writable stream that armors what is written to it into a text sink."""

    def __init__(self, sink: BinaryIO) -> None:
        super().__init__()
        self._sink = sink
        self._pending = bytearray()
        sink.write(BEGIN + b"\n")

    def writable(self) -> bool:
        """Return True: this is an output stream."""
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        """Armor data; whole 64-column lines go out at once."""
        self._pending += data
        whole = len(self._pending) // _BYTES_PER_LINE * _BYTES_PER_LINE
        if whole:
            text = base64.b64encode(self._pending[:whole])
            lines = [text[i : i + COLUMNS] for i in range(0, len(text), COLUMNS)]
            self._sink.write(b"\n".join(lines) + b"\n")
            del self._pending[:whole]
        return len(data)

    def close(self) -> None:
        """Write the last line and the end marker; the sink stays open."""
        if not self.closed:
            if self._pending:
                self._sink.write(base64.b64encode(self._pending) + b"\n")
            self._sink.write(END + b"\n")
            self._sink.flush()
        super().close()


class ArmorReader(io.RawIOBase):
    """A readable stream of the binary age file inside an armored text stream."""

    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self._source = source
        self._decoded = b""
        self._ended = False
        first = source.readline(len(BEGIN) + 256).lstrip(_WHITESPACE)
        while not first and (line := source.readline(len(BEGIN) + 256)):
            first = line.lstrip(_WHITESPACE)
        if _without_eol(first) != BEGIN:
            raise AgeError("invalid armor: missing or malformed BEGIN line")

    def readable(self) -> bool:
        """Return True: this stream can be read."""
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Decode the next lines into buffer; return the count (0 after the END line)."""
        while not self._decoded and not self._ended:
            self._decoded = self._next_line()
        count = min(len(buffer), len(self._decoded))
        buffer[:count] = self._decoded[:count]
        self._decoded = self._decoded[count:]
        return count

    def _next_line(self) -> bytes:
        line = self._source.readline(COLUMNS + 3)
        text = _without_eol(line)
        if text == END:
            self._finish()
            return b""
        if not line.endswith(b"\n") or len(text) > COLUMNS or not _LINE.fullmatch(text):
            raise AgeError("invalid armor: malformed line")
        if not text:
            raise AgeError("invalid armor: empty line")
        try:
            data = base64.b64decode(text, validate=True)
        except binascii.Error:
            raise AgeError("invalid armor: bad base64") from None
        if base64.b64encode(data) != text:
            raise AgeError("invalid armor: non-canonical base64")
        if len(text) < COLUMNS or text.endswith(b"="):
            # Only the last line may be short or padded: the END line must follow.
            if _without_eol(self._source.readline(len(END) + 3)) != END:
                raise AgeError("invalid armor: short line before the end")
            self._finish()
        return data

    def _finish(self) -> None:
        self._ended = True
        while block := self._source.read(1 << 16):
            if block.strip(_WHITESPACE):
                raise AgeError("invalid armor: data after the END line")


def _without_eol(line: bytes) -> bytes:
    if line.endswith(b"\r\n"):
        return line[:-2]
    return line[:-1] if line.endswith(b"\n") else line


def dearmored(source: BinaryIO) -> BinaryIO:
    """Return source as a binary age stream, removing armor if it is armored."""
    buffered = source if hasattr(source, "peek") else io.BufferedReader(source)  # type: ignore[arg-type]
    start = buffered.peek(len(BEGIN))[:64].lstrip(_WHITESPACE)  # type: ignore[attr-defined]
    if start.startswith(b"-"):
        return io.BufferedReader(ArmorReader(buffered))  # type: ignore[return-value]
    return buffered
