"""The age project's public test vectors (C2SP CCTV, npm `cctv-age`) decrypt as they must.

`make test` fetches the package from the npm registry into .venv/cctv-age/. Each vector
says what decrypting it must give: success with a payload of a known SHA-256, or one of
the failures (header, HMAC, no match, payload, armor). Whatever plaintext the streaming
decoder releases before a payload failure must match the vector's hash too: nothing
unauthenticated ever comes out. Vectors for the post-quantum hybrid recipients, which
the vault does not implement, are skipped as the test kit's README allows.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from study.vault.age import AgeError, ScryptIdentity, X25519Identity
from study.vault.armor import dearmored
from study.vault.stream import decrypt_stream

from ..conftest import require

TESTKIT = Path(
    os.environ.get("AGE_TESTKIT", Path(__file__).resolve().parents[2] / ".venv/cctv-age/index.js")
)
_VECTOR = re.compile(r'// \.\./testdata/(\w+)\nvar \w+ = __toBinary\("([A-Za-z0-9+/=]*)"\)')


@dataclass
class Vector:
    """One test file: its header fields and the age file after them."""

    name: str
    fields: dict[str, list[str]]
    body: bytes

    @property
    def expect(self) -> str:
        return self.fields["expect"][0]

    def identities(self) -> list:
        found: list = [ScryptIdentity(p) for p in self.fields.get("passphrase", [])]
        for text in self.fields.get("identity", []):
            if not text.startswith("AGE-SECRET-KEY-1"):
                pytest.skip("a post-quantum hybrid identity, which the vault does not implement")
            found.append(X25519Identity.parse(text))
        return found


def _vectors() -> dict[str, Vector]:
    if not TESTKIT.exists():
        return {}
    vectors = {}
    for name, encoded in _VECTOR.findall(TESTKIT.read_text()):
        head, _, body = base64.b64decode(encoded).partition(b"\n\n")
        fields: dict[str, list[str]] = {}
        for line in head.decode().splitlines():
            key, _, value = line.partition(": ")
            fields.setdefault(key, []).append(value)
        if fields.get("compressed") == ["zlib"]:
            body = zlib.decompress(body)
        vectors[name] = Vector(name, fields, body)
    return vectors


VECTORS = _vectors()


def test_the_test_vectors_are_installed() -> None:
    require(len(VECTORS) > 100, f"the age test vectors are missing at {TESTKIT} (make test)")


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_a_vector_decrypts_exactly_as_it_says(name: str) -> None:
    vector = VECTORS[name]
    released = io.BytesIO()
    try:
        decrypt_stream(dearmored(io.BytesIO(vector.body)), released, vector.identities())
    except AgeError:
        assert vector.expect != "success", f"refused a valid file ({vector.fields.get('comment')})"
    else:
        assert vector.expect == "success", f"accepted a file that must fail: {vector.expect}"
    if "payload" in vector.fields:
        assert hashlib.sha256(released.getvalue()).hexdigest() == vector.fields["payload"][0]
    else:
        assert released.getvalue() == b""
