"""A time-boxed fuzz run of the header parser: as long as FUZZ_SECONDS allows (CI: 30 s).

Each round is a fresh Hypothesis run with a new random seed, mutating a real header
(flipped, inserted, deleted and duplicated bytes) and feeding it to both parsers and to
the decoder. The only acceptable answers are a header, plaintext equal to the original
(the mutation was a no-op) or AgeError.
"""

from __future__ import annotations

import io
import os
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from study.vault.age import AgeError, X25519Identity
from study.vault.stream import decrypt_stream, encrypt_stream

from .conftest import assert_header_or_age_error

FUZZ_SECONDS = float(os.environ.get("FUZZ_SECONDS", "3"))
IDENTITY = X25519Identity.generate()
PLAINTEXT = b"an interview of a few words"


def _sealed() -> bytes:
    sink = io.BytesIO()
    encrypt_stream(
        io.BytesIO(PLAINTEXT), sink, [IDENTITY.recipient, X25519Identity.generate().recipient]
    )
    return sink.getvalue()


SEALED = _sealed()

_MUTATION = st.tuples(
    st.sampled_from(["flip", "insert", "delete", "duplicate"]),
    st.integers(0, len(SEALED) - 1),
    st.binary(min_size=1, max_size=8),
)


def _mutate(data: bytes, mutations: list[tuple[str, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, position, value in mutations:
        position %= max(len(out), 1)
        if kind == "flip" and out:
            out[position] ^= value[0] or 1
        elif kind == "insert":
            out[position:position] = value
        elif kind == "delete":
            del out[position : position + len(value)]
        else:
            out[position:position] = out[position : position + len(value)]
    return bytes(out)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    derandomize=False,
    suppress_health_check=list(HealthCheck),
)
@given(mutations=st.lists(_MUTATION, min_size=1, max_size=4))
def _one_round(mutations: list[tuple[str, int, bytes]]) -> None:
    mutated = _mutate(SEALED, mutations)
    assert_header_or_age_error(mutated)
    plaintext = io.BytesIO()
    try:
        decrypt_stream(io.BytesIO(mutated), plaintext, [IDENTITY])
    except AgeError:
        return
    assert plaintext.getvalue() == PLAINTEXT


def test_the_header_parser_survives_a_time_boxed_fuzz_run() -> None:
    rounds = 0
    deadline = time.monotonic() + FUZZ_SECONDS
    while rounds == 0 or time.monotonic() < deadline:
        _one_round()
        rounds += 1
    print(f"header fuzz: {rounds} rounds of 300 mutated files in {FUZZ_SECONDS:g} s")
