"""An altered, cut, extended or misaddressed file never yields plaintext, only AgeError."""

from __future__ import annotations

import io
import os
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from study.vault.age import CHUNK_SIZE, ENCRYPTED_CHUNK_SIZE, AgeError, X25519Identity
from study.vault.format import read_header
from study.vault.reader import AgeReader
from study.vault.stream import decrypt_stream

from .conftest import assert_header_or_age_error

PLAINTEXT = os.urandom(3 * CHUNK_SIZE + 999)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def sealed(encrypt_to: Callable[[bytes], bytes]) -> bytes:
    return encrypt_to(PLAINTEXT)


def _payload_start(ciphertext: bytes) -> int:
    header, _ = read_header(io.BytesIO(ciphertext))
    return header.size + 16


def _assert_refused(ciphertext: bytes, identity: X25519Identity) -> None:
    """Both the streaming decoder and the random-access reader refuse, with AgeError."""
    with pytest.raises(AgeError):
        decrypt_stream(io.BytesIO(ciphertext), io.BytesIO(), [identity])
    with pytest.raises(AgeError):
        with AgeReader(io.BytesIO(ciphertext), [identity]) as reader:
            reader.read()


def _chunks(ciphertext: bytes) -> tuple[bytes, list[bytes]]:
    start = _payload_start(ciphertext)
    payload = ciphertext[start:]
    chunks = [
        payload[i : i + ENCRYPTED_CHUNK_SIZE] for i in range(0, len(payload), ENCRYPTED_CHUNK_SIZE)
    ]
    return ciphertext[:start], chunks


@FAST
@given(data=st.data())
def test_a_single_flipped_bit_anywhere_is_detected(
    sealed: bytes, identity: X25519Identity, data: st.DataObject
) -> None:
    # Half the draws land in the header and nonce, where a flip is subtler than in a chunk.
    header_end = _payload_start(sealed)
    position = data.draw(
        st.one_of(st.integers(0, header_end - 1), st.integers(0, len(sealed) - 1)),
        label="position",
    )
    bit = data.draw(st.integers(0, 7), label="bit")
    altered = bytearray(sealed)
    altered[position] ^= 1 << bit

    _assert_refused(bytes(altered), identity)


@FAST
@given(data=st.data())
def test_a_file_truncated_at_any_offset_never_yields_plaintext(
    sealed: bytes, identity: X25519Identity, data: st.DataObject
) -> None:
    boundaries = [_payload_start(sealed) + i * ENCRYPTED_CHUNK_SIZE for i in range(4)]
    length = data.draw(
        st.one_of(st.sampled_from(boundaries), st.integers(0, len(sealed) - 1)), label="length"
    )

    _assert_refused(sealed[:length], identity)


@FAST
@given(garbage=st.binary(min_size=1, max_size=ENCRYPTED_CHUNK_SIZE + 20))
def test_trailing_garbage_after_the_last_chunk_is_refused(
    sealed: bytes, identity: X25519Identity, garbage: bytes
) -> None:
    _assert_refused(sealed + garbage, identity)


@pytest.mark.parametrize(
    "order",
    [
        [1, 0, 2, 3],
        [0, 2, 1, 3],
        [0, 1, 3, 2],
        [0, 0, 1, 2, 3],
        [0, 1, 2, 2, 3],
        [0, 1, 2, 3, 3],
        [0, 1, 3],
        [1, 2, 3],
        [0, 1, 2],
    ],
)
def test_chunks_reordered_duplicated_or_dropped_are_refused(
    sealed: bytes, identity: X25519Identity, order: list[int]
) -> None:
    head, chunks = _chunks(sealed)

    _assert_refused(head + b"".join(chunks[i] for i in order), identity)


def test_chunks_from_another_file_for_the_same_person_are_refused(
    sealed: bytes, encrypt_to: Callable[[bytes], bytes], identity: X25519Identity
) -> None:
    head, chunks = _chunks(sealed)
    _, other = _chunks(encrypt_to(PLAINTEXT))

    _assert_refused(head + chunks[0] + other[1] + chunks[2] + chunks[3], identity)


def test_a_file_for_someone_else_is_refused(sealed: bytes) -> None:
    _assert_refused(sealed, X25519Identity.generate())


def test_an_empty_final_chunk_after_full_chunks_is_refused(identity: X25519Identity) -> None:
    from study.vault.age import new_header

    header, cipher = new_header([identity.recipient])
    forged = header + cipher.seal(0, bytes(CHUNK_SIZE), False) + cipher.seal(1, b"", True)

    _assert_refused(forged, identity)


_HEADER_LINES = st.one_of(
    st.sampled_from(
        [
            b"",
            b"-> ",
            b"->  X25519",
            b"-> X25519",
            b"-> X25519 AAAA",
            b"-> scrypt AAAAAAAAAAAAAAAAAAAAAA 10",
            b"--- ",
            b"---",
            b"age-encryption.org/v1",
            b"age-encryption.org/v2",
            b"A" * 64,
            b"A" * 65,
            b"\r",
        ]
    ),
    st.binary(max_size=80).filter(lambda line: b"\n" not in line),
)


@FAST
@given(data=st.data())
def test_malformed_header_lines_are_refused(
    sealed: bytes, identity: X25519Identity, data: st.DataObject
) -> None:
    header_end = _payload_start(sealed) - 16
    lines = sealed[:header_end].split(b"\n")[:-1]
    position = data.draw(st.integers(0, len(lines)), label="position")
    new_line = data.draw(_HEADER_LINES, label="line")
    replace = data.draw(st.booleans(), label="replace") and position < len(lines)
    altered_lines = lines[:position] + [new_line] + lines[position + replace :]
    altered = b"\n".join(altered_lines) + b"\n" + sealed[header_end:]

    if altered != sealed:
        _assert_refused(altered, identity)


@settings(max_examples=500, deadline=None)
@given(
    header=st.one_of(
        st.binary(max_size=400),
        st.lists(_HEADER_LINES, max_size=8).map(
            lambda lines: b"\n".join([b"age-encryption.org/v1", *lines]) + b"\n"
        ),
    )
)
def test_the_header_parser_answers_any_input_with_a_header_or_age_error(header: bytes) -> None:
    assert_header_or_age_error(header)
