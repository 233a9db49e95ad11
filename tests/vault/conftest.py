"""Fixtures for the vault: identities, files made by the age tool, and the command line."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from study.vault.age import AgeError, X25519Identity
from study.vault.format import parse_header, read_header
from study.vault.stream import encrypt_stream

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def identity() -> X25519Identity:
    return X25519Identity.generate()


@pytest.fixture(scope="session")
def encrypt_to(identity: X25519Identity) -> Callable[[bytes], bytes]:
    """Encrypt bytes to the session identity with the vault."""

    def encrypt(plaintext: bytes) -> bytes:
        sink = io.BytesIO()
        encrypt_stream(io.BytesIO(plaintext), sink, [identity.recipient])
        return sink.getvalue()

    return encrypt


@pytest.fixture(scope="session")
def age_tool() -> str:
    path = shutil.which("age")
    if path is None:
        pytest.skip("the age tool is not installed (apt-get install age)")
    return path


@pytest.fixture
def run_vault() -> Callable[..., subprocess.CompletedProcess[bytes]]:
    """Run `python -m study.vault` with arguments, as a script would."""

    def run(
        *arguments: str | os.PathLike[str],
        stdin: bytes = b"",
        env: dict[str, str] | None = None,
    ) -> subprocess.CompletedProcess[bytes]:
        environment = {**os.environ, "PYTHONPATH": str(REPOSITORY), **(env or {})}
        return subprocess.run(
            [sys.executable, "-m", "study.vault", *map(str, arguments)],
            input=stdin,
            capture_output=True,
            cwd=REPOSITORY,
            env=environment,
            timeout=120,
        )

    return run


def assert_header_or_age_error(data: bytes) -> None:
    """Both header parsers answer any input with a well-formed header or AgeError."""
    for parse in (parse_header, lambda raw: read_header(io.BytesIO(raw))[0]):
        try:
            parsed = parse(data)
        except AgeError:
            continue
        assert parsed.stanzas and len(parsed.mac) == 32
