"""Random access into an age file: decrypt only the chunks a byte range touches."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from typing import BinaryIO

from study.vault.age import (
    CHUNK_SIZE,
    ENCRYPTED_CHUNK_SIZE,
    NONCE_SIZE,
    AgeError,
    Identity,
    open_header,
)
from study.vault.format import read_header

TAG_SIZE = ENCRYPTED_CHUNK_SIZE - CHUNK_SIZE
# One read of the ciphertext covers at most this many chunks: big enough that sequential
# reading runs at the cipher's speed, small enough to keep memory at a few MiB.
MAX_CHUNKS_PER_READ = 64


def payload_layout(payload_size: int) -> tuple[int, int]:
    """Return (chunk count, plaintext size) for a payload of this many bytes after the nonce.

    :raises AgeError: if no sequence of valid chunks has this size.
    """
    full, rest = divmod(payload_size, ENCRYPTED_CHUNK_SIZE)
    if payload_size < TAG_SIZE or 0 < rest < TAG_SIZE:
        raise AgeError("truncated file: payload ends inside a chunk tag")
    chunks = full + (1 if rest else 0)
    if rest == TAG_SIZE and chunks > 1:
        raise AgeError("invalid file: empty final chunk in a non-empty file")
    return chunks, payload_size - chunks * TAG_SIZE


def plaintext_size(ciphertext_size: int, header_size: int) -> int:
    """Return the plaintext size of an age file from its total and header sizes alone.

    :raises AgeError: if no valid age file has these sizes.
    """
    return payload_layout(ciphertext_size - header_size - NONCE_SIZE)[1]


class AgeReader(io.RawIOBase):
    """A seekable, read-only file object over an age file's plaintext.

    Opening checks the header MAC and authenticates the final chunk, so `size` is known to
    be the size the writer wrote. Every read decrypts only the chunks it touches, and no byte
    is returned before its chunk is authenticated. Not safe to share between threads.
    """

    def __init__(
        self, source: BinaryIO, identities: Iterable[Identity], *, close_source: bool = False
    ) -> None:
        super().__init__()
        self._source = source
        self._close_source = close_source
        self._position = 0
        self._cached_index = -1
        self._cached = b""
        try:
            source.seek(0)
            header, _ = read_header(source)
            self._payload_start = header.size + NONCE_SIZE
            source.seek(header.size)
            nonce = source.read(NONCE_SIZE)
            self._cipher = open_header(header, identities, nonce)
            payload_size = source.seek(0, os.SEEK_END) - self._payload_start
            self._chunk_count, self.size = payload_layout(payload_size)
            # Authenticating the final chunk proves the file has not been cut or extended.
            self._chunk(self._chunk_count - 1)
        except BaseException:
            self.close()
            raise

    def readable(self) -> bool:
        """Return True: this stream can be read."""
        return True

    def seekable(self) -> bool:
        """Return True: any position can be read."""
        return True

    def tell(self) -> int:
        """Return the plaintext position."""
        self._check_open()
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        """Move to a plaintext position, as for any binary file; return the new one."""
        self._check_open()
        if whence == os.SEEK_SET:
            position = offset
        elif whence == os.SEEK_CUR:
            position = self._position + offset
        elif whence == os.SEEK_END:
            position = self.size + offset
        else:
            raise ValueError(f"invalid whence {whence}")
        if position < 0:
            raise ValueError("negative seek position")
        self._position = position
        return position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        """Read into buffer from the current position; return the count (0 at the end)."""
        self._check_open()
        with memoryview(buffer) as raw, raw.cast("B") as target:
            wanted = min(len(target), self.size - self._position)
            if wanted <= 0:
                return 0
            first = self._position // CHUNK_SIZE
            last = min((self._position + wanted - 1) // CHUNK_SIZE, first + MAX_CHUNKS_PER_READ - 1)
            filled = 0
            for index, plaintext in self._chunks(first, last):
                start = self._position - index * CHUNK_SIZE
                count = min(len(plaintext) - start, wanted - filled)
                target[filled : filled + count] = plaintext[start : start + count]
                filled += count
                self._position += count
            return filled

    def readall(self) -> bytes:
        """Read from the current position to the end."""
        parts = bytearray()
        block = bytearray(MAX_CHUNKS_PER_READ * CHUNK_SIZE)
        while count := self.readinto(block):
            parts += memoryview(block)[:count]
        return bytes(parts)

    def close(self) -> None:
        """Close the reader, and its source if it was opened with close_source."""
        if not self.closed and self._close_source:
            self._source.close()
        self._cached = b""
        super().close()

    def _check_open(self) -> None:
        if self.closed:
            raise ValueError("I/O operation on closed AgeReader")

    def _chunks(self, first: int, last: int) -> Iterable[tuple[int, bytes]]:
        if first == last or (first == self._cached_index and first + 1 == last):
            yield first, self._chunk(first)
            if last != first:
                yield last, self._chunk(last)
            return
        ciphertext = self._read_ciphertext(first, last)
        with memoryview(ciphertext) as view:
            for index in range(first, last + 1):
                offset = (index - first) * ENCRYPTED_CHUNK_SIZE
                sealed = view[offset : offset + ENCRYPTED_CHUNK_SIZE]
                plaintext = self._cipher.open(index, sealed, index == self._chunk_count - 1)
                yield index, plaintext
        self._cached_index, self._cached = last, plaintext

    def _chunk(self, index: int) -> bytes:
        if index != self._cached_index:
            sealed = self._read_ciphertext(index, index)
            self._cached = self._cipher.open(index, sealed, index == self._chunk_count - 1)
            self._cached_index = index
        return self._cached

    def _read_ciphertext(self, first: int, last: int) -> bytes:
        offset = self._payload_start + first * ENCRYPTED_CHUNK_SIZE
        # The final chunk may be short; reading past the end of the file just stops there.
        length = (last - first + 1) * ENCRYPTED_CHUNK_SIZE
        self._source.seek(offset)
        data = self._source.read(length)
        expected = min(length, self._payload_start + self._payload_size_of(last) - offset)
        if len(data) < expected:
            data += _read_more(self._source, expected - len(data))
        if len(data) != expected:
            raise AgeError("age file changed size while it was being read")
        return data

    def _payload_size_of(self, last: int) -> int:
        if last < self._chunk_count - 1:
            return (last + 1) * ENCRYPTED_CHUNK_SIZE
        return self.size + self._chunk_count * TAG_SIZE


def _read_more(source: BinaryIO, count: int) -> bytes:
    parts = []
    while count > 0 and (block := source.read(count)):
        parts.append(block)
        count -= len(block)
    return b"".join(parts)
