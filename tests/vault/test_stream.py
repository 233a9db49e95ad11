"""Encrypting while data streams in, and reading any byte range of a recording."""

from __future__ import annotations

import hashlib
import io
import os
import random
import tracemalloc
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from study.vault.age import CHUNK_SIZE, AgeError, X25519Identity
from study.vault.reader import AgeReader, plaintext_size
from study.vault.stream import AgeWriter, decrypt_stream, encrypt_stream


def _decrypt(ciphertext: bytes, identity: X25519Identity) -> bytes:
    sink = io.BytesIO()
    decrypt_stream(io.BytesIO(ciphertext), sink, [identity])
    return sink.getvalue()


class _GeneratedUpload(io.RawIOBase):
    """An upload of pseudo-random bytes that exists only while it is read."""

    def __init__(self, size: int) -> None:
        self.remaining = size
        self.hash = hashlib.sha256()
        self.random = random.Random(size)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:
        count = min(len(buffer), self.remaining, 1 << 20)
        data = self.random.randbytes(count)
        buffer[:count] = data
        self.hash.update(data)
        self.remaining -= count
        return count


class _HashingSink(io.RawIOBase):
    """A destination that keeps only a hash and a byte count of what reaches it."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()
        self.size = 0
        self.kept = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        self.hash.update(data)
        self.size += len(data)
        return len(data)


def test_an_upload_written_in_ragged_pieces_decrypts_to_the_same_bytes(
    identity: X25519Identity,
) -> None:
    plaintext = os.urandom(5 * CHUNK_SIZE + 123)
    sink = io.BytesIO()
    pieces = random.Random(7)

    with AgeWriter(sink, [identity.recipient]) as writer:
        position = 0
        while position < len(plaintext):
            step = pieces.choice([1, 100, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 300_000])
            writer.write(plaintext[position : position + step])
            position += step

    assert writer.plaintext_size == len(plaintext)
    assert writer.ciphertext_size == len(sink.getvalue())
    assert _decrypt(sink.getvalue(), identity) == plaintext


def test_ciphertext_reaches_the_sink_while_the_upload_is_still_arriving(
    identity: X25519Identity,
) -> None:
    sink = io.BytesIO()
    writer = AgeWriter(sink, [identity.recipient])

    writer.write(os.urandom(3 * CHUNK_SIZE + 1))

    assert len(sink.getvalue()) > 3 * CHUNK_SIZE
    writer.close()


@pytest.mark.parametrize("how", ["abort", "exception in with", "writer dropped", "never finished"])
def test_an_interrupted_upload_leaves_nothing_that_decrypts(
    identity: X25519Identity, how: str
) -> None:
    sink = io.BytesIO()
    writer = AgeWriter(sink, [identity.recipient])
    writer.write(os.urandom(2 * CHUNK_SIZE + 5))
    if how == "abort":
        writer.abort()
    elif how == "exception in with":
        with pytest.raises(ConnectionResetError), writer:
            raise ConnectionResetError("the browser went away")
    elif how == "writer dropped":
        del writer

    with pytest.raises(AgeError):
        _decrypt(sink.getvalue(), identity)
    with pytest.raises(AgeError):
        AgeReader(io.BytesIO(sink.getvalue()), [identity])


def test_encrypting_and_decrypting_a_large_upload_uses_constant_memory(
    identity: X25519Identity,
) -> None:
    size = 48 * 1024 * 1024 + 11
    upload = _GeneratedUpload(size)
    ciphertext = io.BytesIO()
    tracemalloc.start()
    try:
        encrypt_stream(upload, ciphertext, [identity.recipient])
        ciphertext.seek(0)
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        sink = _HashingSink()
        decrypt_stream(ciphertext, sink, [identity])
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()

    assert sink.hash.digest() == upload.hash.digest()
    assert peak < 16 * 1024 * 1024


@pytest.fixture(scope="module")
def recording(encrypt_to: Callable[[bytes], bytes]) -> tuple[bytes, bytes]:
    plaintext = os.urandom(7 * CHUNK_SIZE + 4321)
    return plaintext, encrypt_to(plaintext)


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_byte_range_reads_the_same_as_the_original(
    recording: tuple[bytes, bytes], identity: X25519Identity, data: st.DataObject
) -> None:
    plaintext, ciphertext = recording
    start = data.draw(st.integers(0, len(plaintext) + 10), label="start")
    length = data.draw(st.integers(0, len(plaintext) + 10), label="length")

    with AgeReader(io.BytesIO(ciphertext), [identity]) as reader:
        reader.seek(start)
        assert reader.read(length) == plaintext[start : start + length]
        assert reader.tell() == min(start + length, len(plaintext)) or start > len(plaintext)


def test_seeking_works_from_the_start_the_current_position_and_the_end(
    recording: tuple[bytes, bytes], identity: X25519Identity
) -> None:
    plaintext, ciphertext = recording
    with io.BufferedReader(AgeReader(io.BytesIO(ciphertext), [identity])) as reader:
        assert reader.seek(-176_000, os.SEEK_END) == len(plaintext) - 176_000
        assert reader.read() == plaintext[-176_000:]
        assert reader.seek(10) == 10
        assert reader.seek(5, os.SEEK_CUR) == 15
        assert reader.read(3) == plaintext[15:18]
        with pytest.raises(ValueError):
            reader.seek(-1)


def test_reading_the_last_second_decrypts_only_the_chunks_it_touches(
    encrypt_to: Callable[[bytes], bytes], identity: X25519Identity
) -> None:
    plaintext = os.urandom(10 * 1024 * 1024)

    class CountingSource(io.BytesIO):
        read_bytes = 0

        def read(self, size: int | None = -1) -> bytes:
            data = super().read(size)
            CountingSource.read_bytes += len(data)
            return data

    source = CountingSource(encrypt_to(plaintext))
    with AgeReader(source, [identity]) as reader:
        reader.seek(-176_000, os.SEEK_END)
        assert reader.read() == plaintext[-176_000:]

    assert CountingSource.read_bytes < 400_000


@pytest.mark.parametrize("size", [0, 1, 65535, 65536, 65537, 3 * 65536, 1_000_000])
def test_the_plaintext_size_follows_from_the_ciphertext_size(
    size: int, encrypt_to: Callable[[bytes], bytes], identity: X25519Identity
) -> None:
    ciphertext = encrypt_to(bytes(size))
    with AgeReader(io.BytesIO(ciphertext), [identity]) as reader:
        header_size = len(ciphertext) - reader.size - 16 - 16 * max(1, -(-size // 65536))
        assert reader.size == size
    assert plaintext_size(len(ciphertext), header_size) == size


def test_a_closed_reader_refuses_to_read(
    recording: tuple[bytes, bytes], identity: X25519Identity
) -> None:
    reader = AgeReader(io.BytesIO(recording[1]), [identity])
    reader.close()
    with pytest.raises(ValueError):
        reader.read(1)
