"""Master keys: kept in instance/keys/ (mode 0600) or given by the environment, never in the database.

A master key seals study keys and nothing else. Each key is known by a short id derived
from it, which study keys record, so a key that is rotated out stays usable until no
study key needs it. The folder form is for a laptop and a single server; a deployment that
keeps secrets elsewhere sets INTERVJUSTUDIE_MASTER_KEY (and, while it rotates,
INTERVJUSTUDIE_RETIRED_MASTER_KEYS).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .age import key_id, new_wrapping_key
from .files import atomic_file

MASTER_KEY_ENV = "INTERVJUSTUDIE_MASTER_KEY"
RETIRED_KEYS_ENV = "INTERVJUSTUDIE_RETIRED_MASTER_KEYS"
_CURRENT = "current"
_KEY_FILE = "master-{}.key"
_KEY_FILE_NOTE = (
    "# Intervjustudie master key {id}. It opens every study's data: keep it secret, back it\n"
    "# up apart from the database, and never put it in the database or a repository.\n"
)


class MasterKeyError(Exception):
    """A master key is missing, malformed or cannot be stored."""


@dataclass(frozen=True)
class MasterKeyring:
    """The master keys this process can use: the current one seals, all of them open."""

    current_id: str
    keys: Mapping[str, bytes] = field(repr=False)
    directory: Path | None = None

    @property
    def current(self) -> bytes:
        """The key that seals new and rotated study keys."""
        return self.keys[self.current_id]

    def is_stale(self) -> bool:
        """Return whether another process has made a new key current since this was read."""
        if self.directory is None:
            return False
        try:
            return _read_current(self.directory) != self.current_id
        except FileNotFoundError:
            return True

    def get(self, master_key_id: str) -> bytes:
        """Return the key with this id.

        :raises MasterKeyError: if this process does not have it.
        """
        try:
            return self.keys[master_key_id]
        except KeyError:
            raise MasterKeyError(
                f"master key {master_key_id} is missing: restore it into instance/keys/ or "
                f"name it in {RETIRED_KEYS_ENV}"
            ) from None


def load_keyring(
    instance_path: Path, environ: Mapping[str, str] = os.environ, *, create: bool = True
) -> MasterKeyring:
    """Return the master keys from the environment, or from instance/keys/.

    The folder and its first key are created when there are none and create is True; the
    caller passes False once study keys exist, so that a lost folder is an error instead of
    a fresh key that opens nothing.

    :raises MasterKeyError: if a key is malformed or missing.
    """
    if environ.get(MASTER_KEY_ENV):
        current = _decode(environ[MASTER_KEY_ENV], MASTER_KEY_ENV)
        retired = [
            _decode(text, RETIRED_KEYS_ENV)
            for text in environ.get(RETIRED_KEYS_ENV, "").split(",")
            if text.strip()
        ]
        keys = {key_id(key): key for key in (*retired, current)}
        return MasterKeyring(key_id(current), keys)
    directory = instance_path / "keys"
    if not (directory / _CURRENT).exists():
        if not create:
            raise MasterKeyError(
                f"no master key in {directory} although study keys exist: restore the folder "
                f"from its backup or set {MASTER_KEY_ENV}"
            )
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        _create_first_key(directory)
    return _read_folder(directory)


def add_master_key(keyring: MasterKeyring) -> MasterKeyring:
    """Create a new master key in the keyring's folder and make it the current one.

    The key file is on disk (fsynced) before it becomes current, so a crash at any point
    leaves a folder that still opens every study key.

    :raises MasterKeyError: if the keys come from the environment.
    """
    directory = _folder_of(keyring)
    new_id = _write_key_file(directory, new_wrapping_key())
    with atomic_file(directory / _CURRENT) as sink:
        sink.write(f"{new_id}\n".encode())
    return _read_folder(directory)


def remove_unused_keys(keyring: MasterKeyring, used_ids: Iterable[str]) -> list[str]:
    """Delete the folder's key files that are neither current nor used by a study key.

    Run it only when every process has picked up the current key (after a restart) and
    no database backup sealed under an old key is still kept. Returns the removed ids.
    """
    if keyring.directory is None:
        return []
    keep = {keyring.current_id, *used_ids}
    removed = []
    for master_key_id in sorted(keyring.keys):
        if master_key_id not in keep:
            (keyring.directory / _KEY_FILE.format(master_key_id)).unlink(missing_ok=True)
            removed.append(master_key_id)
    return removed


def encode_key(key: bytes) -> str:
    """Return a master key in the text form INTERVJUSTUDIE_MASTER_KEY takes."""
    return base64.urlsafe_b64encode(key).decode()


def _decode(text: str, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise MasterKeyError(f"{source} is not a base64 key") from None
    if len(key) != 32:
        raise MasterKeyError(f"{source} must hold a 32-byte key")
    return key


def _folder_of(keyring: MasterKeyring) -> Path:
    if keyring.directory is None:
        raise MasterKeyError(
            f"the master key comes from {MASTER_KEY_ENV}: set a new key there, move the old "
            f"one to {RETIRED_KEYS_ENV}, and run the rotation again"
        )
    return keyring.directory


def _create_first_key(directory: Path) -> None:
    """Create the first master key; when two processes race, one key wins and one is removed."""
    new_id = _write_key_file(directory, new_wrapping_key())
    try:
        with atomic_file(directory / _CURRENT, replace=False) as sink:
            sink.write(f"{new_id}\n".encode())
    except FileExistsError:
        (directory / _KEY_FILE.format(new_id)).unlink(missing_ok=True)


def _write_key_file(directory: Path, key: bytes) -> str:
    master_key_id = key_id(key)
    # atomic_file creates its temporary file with mode 0600 (mkstemp), before any byte.
    with atomic_file(directory / _KEY_FILE.format(master_key_id), replace=False) as sink:
        sink.write(_KEY_FILE_NOTE.format(id=master_key_id).encode())
        sink.write(f"{encode_key(key)}\n".encode())
    return master_key_id


def _read_folder(directory: Path) -> MasterKeyring:
    keys = {}
    for path in sorted(directory.glob(_KEY_FILE.format("*"))):
        try:
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            continue  # removed meanwhile: a lost first-run race or a retired key
        lines = [
            line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
        ]
        if len(lines) != 1:
            raise MasterKeyError(f"{path} does not hold exactly one key")
        key = _decode(lines[0], str(path))
        if _KEY_FILE.format(key_id(key)) != path.name:
            raise MasterKeyError(f"{path} holds a key whose id does not match its name")
        keys[key_id(key)] = key
    current_id = _read_current(directory)
    if current_id not in keys:
        raise MasterKeyError(f"the current master key {current_id} is missing from {directory}")
    return MasterKeyring(current_id, keys, directory)


def _read_current(directory: Path) -> str:
    return (directory / _CURRENT).read_text(encoding="ascii").strip()
