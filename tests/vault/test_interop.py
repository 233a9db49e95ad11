"""Files the vault writes open with the age tool and pyrage, and files they write open here."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import time
from pathlib import Path

import pyrage
import pytest

from study.vault.age import ScryptIdentity, ScryptRecipient, X25519Identity
from study.vault.reader import AgeReader
from study.vault.stream import decrypt_stream, encrypt_stream

SIZES = [0, 1, 65535, 65536, 65537, 3 * 1024 * 1024 + 17]
PASSPHRASE = "korrekt häst batteri häftklammer"


def _payload(size: int) -> bytes:
    return os.urandom(size)


def _vault_encrypt(plaintext: bytes, recipients: list) -> bytes:
    sink = io.BytesIO()
    encrypt_stream(io.BytesIO(plaintext), sink, recipients)
    return sink.getvalue()


def _vault_decrypt(ciphertext: bytes, identities: list) -> bytes:
    sink = io.BytesIO()
    decrypt_stream(io.BytesIO(ciphertext), sink, identities)
    return sink.getvalue()


@pytest.fixture
def identity_file(tmp_path: Path, identity: X25519Identity) -> Path:
    path = tmp_path / "identity.txt"
    path.write_text(f"# public key: {identity.recipient}\n{identity}\n")
    return path


@pytest.mark.parametrize("size", SIZES)
def test_the_age_tool_decrypts_what_the_vault_encrypts(
    size: int, identity: X25519Identity, identity_file: Path, age_tool: str
) -> None:
    plaintext = _payload(size)
    ciphertext = _vault_encrypt(plaintext, [identity.recipient])

    result = subprocess.run(
        [age_tool, "-d", "-i", str(identity_file)], input=ciphertext, capture_output=True
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout == plaintext


@pytest.mark.parametrize("size", SIZES)
def test_the_vault_decrypts_what_the_age_tool_encrypts(
    size: int, identity: X25519Identity, age_tool: str
) -> None:
    plaintext = _payload(size)
    result = subprocess.run(
        [age_tool, "-e", "-r", str(identity.recipient)], input=plaintext, capture_output=True
    )
    assert result.returncode == 0, result.stderr

    assert _vault_decrypt(result.stdout, [identity]) == plaintext
    with AgeReader(io.BytesIO(result.stdout), [identity]) as reader:
        assert reader.size == size
        assert reader.read() == plaintext


@pytest.mark.parametrize("size", SIZES)
def test_pyrage_and_the_vault_read_each_others_files(size: int) -> None:
    plaintext = _payload(size)
    ours = X25519Identity.generate()
    theirs = pyrage.x25519.Identity.generate()
    from_them = pyrage.encrypt(plaintext, [pyrage.x25519.Recipient.from_str(str(ours.recipient))])
    from_us = _vault_encrypt(plaintext, [ours.recipient])

    assert _vault_decrypt(from_them, [ours]) == plaintext
    assert pyrage.decrypt(from_us, [pyrage.x25519.Identity.from_str(str(ours))]) == plaintext
    assert str(X25519Identity.parse(str(theirs)).recipient) == str(theirs.to_public())


def test_a_file_for_several_recipients_opens_with_any_of_them(age_tool: str) -> None:
    people = [X25519Identity.generate() for _ in range(3)]
    ciphertext = _vault_encrypt(b"intervju 7", [p.recipient for p in people])

    for person in people:
        assert _vault_decrypt(ciphertext, [person]) == b"intervju 7"


def test_pyrage_decrypts_a_passphrase_archive_from_the_vault() -> None:
    plaintext = _payload(65537)
    ciphertext = _vault_encrypt(plaintext, [ScryptRecipient(PASSPHRASE, work_factor=12)])

    assert pyrage.passphrase.decrypt(ciphertext, PASSPHRASE) == plaintext


def test_the_vault_decrypts_a_passphrase_file_from_pyrage() -> None:
    plaintext = _payload(1000)
    ciphertext = pyrage.passphrase.encrypt(plaintext, PASSPHRASE)

    assert _vault_decrypt(ciphertext, [ScryptIdentity(PASSPHRASE)]) == plaintext


def test_the_age_tool_opens_a_passphrase_archive_from_the_vault(
    tmp_path: Path, age_tool: str
) -> None:
    plaintext = _payload(70000)
    archive = tmp_path / "export.age"
    archive.write_bytes(_vault_encrypt(plaintext, [ScryptRecipient(PASSPHRASE, work_factor=10)]))
    output = tmp_path / "export"

    # age reads passphrases only from a terminal, so give it one.
    status = _run_with_terminal_input([age_tool, "-d", "-o", str(output), str(archive)], PASSPHRASE)

    assert status == 0
    assert output.read_bytes() == plaintext


def _run_with_terminal_input(command: list[str], line: str) -> int:
    controller, terminal = pty.openpty()
    with subprocess.Popen(
        command, stdin=terminal, stdout=subprocess.DEVNULL, stderr=terminal
    ) as process:
        os.close(terminal)
        prompt = b""
        deadline = time.monotonic() + 30
        while b":" not in prompt and time.monotonic() < deadline:
            if select.select([controller], [], [], 1)[0]:
                prompt += os.read(controller, 1024)
        os.write(controller, line.encode() + b"\n")
        status = process.wait(timeout=60)
    os.close(controller)
    return status
