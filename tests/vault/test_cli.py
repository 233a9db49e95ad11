"""`python -m study.vault` behaves like the age tool for the flags scripts use."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

PASSPHRASE = "en lång fras för arkivet"


@pytest.fixture
def keys(tmp_path: Path, run_vault) -> tuple[Path, str]:
    path = tmp_path / "key.txt"
    result = run_vault("--keygen", "-o", path)
    assert result.returncode == 0, result.stderr
    recipient = path.read_text().splitlines()[1].removeprefix("# public key: ")
    return path, recipient


def test_keygen_writes_a_private_identity_file_like_age_keygen(
    keys: tuple[Path, str], run_vault
) -> None:
    path, recipient = keys
    lines = path.read_text().splitlines()

    assert lines[0].startswith("# created: ")
    assert recipient.startswith("age1")
    assert lines[2].startswith("AGE-SECRET-KEY-1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert run_vault("--keygen", "-o", path).returncode != 0, "a key is never overwritten"


def test_keygen_prints_the_identity_to_stdout(run_vault) -> None:
    result = run_vault("--keygen")

    assert result.returncode == 0
    assert b"AGE-SECRET-KEY-1" in result.stdout
    assert b"Public key: age1" in result.stderr


def test_files_round_trip_through_the_command_line(
    tmp_path: Path, keys: tuple[Path, str], run_vault
) -> None:
    identity_file, recipient = keys
    plaintext = os.urandom(200_000)
    (tmp_path / "in").write_bytes(plaintext)

    encrypted = run_vault("-e", "-r", recipient, "-o", tmp_path / "out.age", tmp_path / "in")
    decrypted = run_vault("-d", "-i", identity_file, "-o", tmp_path / "back", tmp_path / "out.age")

    assert encrypted.returncode == decrypted.returncode == 0
    assert (tmp_path / "back").read_bytes() == plaintext


def test_stdin_and_stdout_are_used_when_no_files_are_named(
    keys: tuple[Path, str], run_vault
) -> None:
    identity_file, recipient = keys

    encrypted = run_vault("-r", recipient, stdin=b"hej")
    decrypted = run_vault("-d", "-i", identity_file, stdin=encrypted.stdout)

    assert encrypted.stdout.startswith(b"age-encryption.org/v1\n")
    assert decrypted.stdout == b"hej"


def test_recipients_files_and_armor_work_with_the_age_tool(
    tmp_path: Path, keys: tuple[Path, str], run_vault, age_tool: str
) -> None:
    identity_file, recipient = keys
    recipients_file = tmp_path / "recipients.txt"
    recipients_file.write_text(f"# handledare\n{recipient}\n")

    armored = run_vault("-R", recipients_file, "-a", stdin=b"bilaga 1")
    opened = subprocess.run(
        [age_tool, "-d", "-i", str(identity_file)], input=armored.stdout, capture_output=True
    )
    from_age = subprocess.run([age_tool, "-a", "-r", recipient], input=b"x", capture_output=True)

    assert armored.stdout.startswith(b"-----BEGIN AGE ENCRYPTED FILE-----\n")
    assert opened.stdout == b"bilaga 1"
    assert run_vault("-d", "-i", identity_file, stdin=from_age.stdout).stdout == b"x"


def test_a_passphrase_comes_from_the_environment(tmp_path: Path, run_vault) -> None:
    environment = {"AGE_PASSPHRASE": PASSPHRASE}
    encrypted = run_vault("-e", "-p", stdin=b"arkiv", env=environment)

    assert run_vault("-d", stdin=encrypted.stdout, env=environment).stdout == b"arkiv"
    assert b"AGE_PASSPHRASE" in run_vault("--help").stdout


@pytest.mark.parametrize(
    "arguments",
    [
        ["-d", "-i", "{identity}", "{damaged}"],
        ["-d", "-i", "{other_identity}", "{good}"],
        ["-d", "-i", "{missing}", "{good}"],
        ["-e", "-r", "age1notakey", "{plain}"],
        ["-e", "{plain}"],
        ["--no-such-flag"],
    ],
)
def test_any_failure_is_one_line_a_non_zero_status_and_no_output_file(
    tmp_path: Path, keys: tuple[Path, str], run_vault, arguments: list[str]
) -> None:
    identity_file, recipient = keys
    other = tmp_path / "other.txt"
    run_vault("--keygen", "-o", other)
    (tmp_path / "plain").write_bytes(os.urandom(300_000))
    run_vault("-r", recipient, "-o", tmp_path / "good", tmp_path / "plain")
    (tmp_path / "damaged").write_bytes((tmp_path / "good").read_bytes()[:-1000])
    names = {
        "identity": identity_file,
        "other_identity": other,
        "damaged": tmp_path / "damaged",
        "good": tmp_path / "good",
        "missing": tmp_path / "missing",
        "plain": tmp_path / "plain",
    }
    before = set(os.listdir(tmp_path))

    result = run_vault(*(a.format(**names) for a in arguments), "-o", tmp_path / "result")

    assert result.returncode != 0
    assert len(result.stderr.decode().strip().splitlines()) == 1
    assert b"Traceback" not in result.stderr
    assert set(os.listdir(tmp_path)) == before
