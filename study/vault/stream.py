"""Streaming age encryption and decryption in constant memory, chunk by chunk."""

from __future__ import annotations

import io
from collections.abc import Iterable
from types import TracebackType
from typing import BinaryIO, NoReturn

from study.vault.age import (
    CHUNK_SIZE,
    ENCRYPTED_CHUNK_SIZE,
    NONCE_SIZE,
    AgeError,
    Identity,
    PayloadCipher,
    Recipient,
    new_header,
    open_header,
)
from study.vault.format import read_header

TAG_SIZE = ENCRYPTED_CHUNK_SIZE - CHUNK_SIZE
# Reads of this many chunks at a time keep Python's per-call overhead far below the cost of
# the cipher while memory stays a few MiB whatever the file size.
BATCH_CHUNKS = 64
READ_SIZE = BATCH_CHUNKS * ENCRYPTED_CHUNK_SIZE


def write_all(sink: BinaryIO, data: bytes | memoryview) -> None:
    """Write all of data, even to a raw stream that accepts it in parts."""
    view = memoryview(data)
    while view:
        written = sink.write(view)
        if written is None:
            raise AgeError("output stream would block")
        view = view[written:]


class AgeWriter(io.RawIOBase):
    """A writable file object that encrypts to recipients and writes ciphertext as it goes.

    The header goes out at once and each full chunk as soon as more data follows it. Only
    close() writes the final chunk: a writer that is aborted, left by an exception in a
    `with` block or dropped unclosed leaves ciphertext that no identity can decrypt.
    The sink is not closed.
    """

    def __init__(self, sink: BinaryIO, recipients: Iterable[Recipient]) -> None:
        super().__init__()
        self._pending = bytearray()
        self._aborted = False
        header, self._cipher = new_header(recipients)
        self._sink = sink
        self._index = 0
        self.plaintext_size = 0
        write_all(sink, header)
        self.ciphertext_size = len(header)

    def writable(self) -> bool:
        """Return True: this is an output stream."""
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        """Encrypt data; whole chunks go to the sink once more data follows them."""
        if self.closed:
            raise ValueError("write to closed AgeWriter")
        view = memoryview(data).cast("B")
        size = len(view)
        self.plaintext_size += size
        if self._pending and len(self._pending) + size > CHUNK_SIZE:
            # Top up the held-back chunk; it is not the last one since more data follows.
            taken = CHUNK_SIZE - len(self._pending)
            self._pending += view[:taken]
            view = view[taken:]
            self._seal(self._pending, last=False)
            self._pending.clear()
        if not self._pending:
            # Encrypt straight from the caller's buffer in batches, keeping back the last
            # 1..64 KiB: it is the final chunk if nothing more comes.
            while len(view) > CHUNK_SIZE:
                count = min((len(view) - 1) // CHUNK_SIZE, BATCH_CHUNKS)
                sealed = self._cipher.seal_chunks(self._index, view[: count * CHUNK_SIZE])
                self._index += count
                self._emit(sealed)
                view = view[count * CHUNK_SIZE :]
        self._pending += view
        return size

    def _seal(self, plaintext: bytes | bytearray | memoryview, last: bool) -> None:
        self._emit(self._cipher.seal(self._index, plaintext, last))
        self._index += 1

    def _emit(self, sealed: bytes | bytearray) -> None:
        write_all(self._sink, sealed)
        self.ciphertext_size += len(sealed)

    def flush(self) -> None:
        """Flush the sink; the held-back chunk stays until more data or close()."""
        if not self.closed and not self._aborted:
            self._sink.flush()

    def close(self) -> None:
        """Write the final chunk, flush the sink and close the writer (not the sink)."""
        if self.closed:
            return
        try:
            if not self._aborted:
                self._seal(self._pending, last=True)
                self._sink.flush()
        finally:
            self._pending.clear()
            super().close()

    def abort(self) -> None:
        """Close without the final chunk, so what was written can never be decrypted."""
        self._aborted = True
        self._pending.clear()
        super().close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self.abort()
        else:
            self.close()

    def __del__(self) -> None:
        # io.IOBase.__del__ would call close() and so complete a file whose writer was
        # abandoned half-way; an abandoned writer must leave nothing decryptable.
        if not self.closed:
            self.abort()


def encrypt_stream(source: BinaryIO, sink: BinaryIO, recipients: Iterable[Recipient]) -> int:
    """Encrypt everything from source to sink; return the plaintext size."""
    buffer = bytearray(READ_SIZE)
    with AgeWriter(sink, recipients) as writer, memoryview(buffer) as view:
        while count := _read_into(source, view):
            writer.write(view[:count])
    return writer.plaintext_size


def _read_into(source: BinaryIO, target: memoryview) -> int:
    readinto = getattr(source, "readinto", None)
    if readinto is not None:
        return readinto(target) or 0
    data = source.read(len(target))
    target[: len(data)] = data
    return len(data)


def decrypt_stream(source: BinaryIO, sink: BinaryIO, identities: Iterable[Identity]) -> int:
    """Decrypt everything from source to sink, each chunk authenticated before it is written.

    Returns the plaintext size. A file that breaks off is detected at its end, after the
    authentic chunks before the break were written: callers that must not keep a partial
    result write to a temporary place and keep it only when this returns.

    :raises AgeError: on any malformed, altered, truncated or extended file, or no match.
    """
    header, after_header = read_header(source)
    while len(after_header) < NONCE_SIZE and (block := source.read(NONCE_SIZE)):
        after_header += block
    cipher = open_header(header, identities, after_header[:NONCE_SIZE])
    return _decrypt_payload(cipher, source, sink, after_header[NONCE_SIZE:])


def _decrypt_payload(
    cipher: PayloadCipher, source: BinaryIO, sink: BinaryIO, initial: bytes
) -> int:
    # One buffer, refilled in place: memory stays at two batches whatever the file size.
    buffer = bytearray(READ_SIZE + ENCRYPTED_CHUNK_SIZE)
    buffer[: len(initial)] = initial
    filled = len(initial)
    index = 0
    size = 0
    with memoryview(buffer) as view:
        while count := _read_into(source, view[filled:]):
            filled += count
            # A chunk followed by at least one more byte is not the last; the last one is
            # only known at the end of the input.
            chunks = (filled - 1) // ENCRYPTED_CHUNK_SIZE
            if chunks:
                done = chunks * ENCRYPTED_CHUNK_SIZE
                try:
                    plaintext = cipher.open_chunks(index, view[:done])
                except AgeError:
                    _release_until_failure(cipher, index, view[:done], sink)
                write_all(sink, plaintext)
                size += len(plaintext)
                del plaintext  # before the next batch is allocated
                index += chunks
                view[: filled - done] = view[done:filled]
                filled -= done
        if filled < TAG_SIZE:
            raise AgeError("truncated file: final chunk missing or incomplete")
        try:
            plaintext = cipher.open(index, view[:filled], True)
        except AgeError:
            if filled == ENCRYPTED_CHUNK_SIZE:
                _release_if_not_final(cipher, index, view[:filled], sink)
            raise
    write_all(sink, plaintext)
    return size + len(plaintext)


def _release_until_failure(
    cipher: PayloadCipher, first: int, ciphertext: memoryview, sink: BinaryIO
) -> NoReturn:
    """Release a failed batch's authentic chunks one at a time, up to the one that fails.

    As the age reference does, a chunk that is authentic as the final one is released
    before the data after it is refused.
    """
    for offset in range(0, len(ciphertext), ENCRYPTED_CHUNK_SIZE):
        index = first + offset // ENCRYPTED_CHUNK_SIZE
        chunk = ciphertext[offset : offset + ENCRYPTED_CHUNK_SIZE]
        try:
            write_all(sink, cipher.open(index, chunk, False))
        except AgeError as error:
            try:
                final = cipher.open(index, chunk, True)
            except AgeError:
                raise error from None
            write_all(sink, final)
            raise AgeError("invalid file: data after the final chunk") from None
    raise AgeError("payload failed authentication")


def _release_if_not_final(
    cipher: PayloadCipher, index: int, ciphertext: memoryview, sink: BinaryIO
) -> None:
    """Release a full last chunk that is authentic but not marked final, then refuse the file."""
    try:
        plaintext = cipher.open(index, ciphertext, False)
    except AgeError:
        return
    write_all(sink, plaintext)
    raise AgeError("truncated file: it ends without its final chunk")
