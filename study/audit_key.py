"""The audit key: kept in instance/keys/audit.key (mode 0600) or given by the environment.

Every entry of the audit log is sealed with HMAC-SHA256 under this key, so someone who can
write the database and the anchor, but does not have the key, cannot rewrite the chain
unnoticed. It is kept with the master key and never in the database. A deployment that keeps
secrets elsewhere sets INTERVJUSTUDIE_AUDIT_KEY, read here where it is used and never copied
into app.config.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from .vault.files import atomic_file

AUDIT_KEY_ENV = "INTERVJUSTUDIE_AUDIT_KEY"
KEY_FILE = "audit.key"
_KEY_FILE_NOTE = (
    "# Intervjustudie audit key. It seals the audit log: without it the log can be neither\n"
    "# written nor checked. Keep it secret, back it up with the master key apart from the\n"
    "# database, and never put it in the database or a repository.\n"
)


class AuditKeyError(Exception):
    """The audit key is missing, malformed or cannot be stored."""


def load_audit_key(
    instance_path: Path, environ: Mapping[str, str] = os.environ, *, create: bool = True
) -> bytes:
    """Return the audit key from the environment, or from instance/keys/audit.key.

    The file is created when it is missing and create is True; the caller passes False once
    the log has entries, so that a lost key is an error instead of a fresh key under which
    every entry looks forged.

    :raises AuditKeyError: if the key is malformed, unreadable or missing.
    """
    if environ.get(AUDIT_KEY_ENV):
        return _decode(environ[AUDIT_KEY_ENV], AUDIT_KEY_ENV)
    path = instance_path / "keys" / KEY_FILE
    if not path.exists():
        if not create:
            raise AuditKeyError(
                f"no audit key in {path} although the audit log has entries: restore the file "
                f"from its backup or set {AUDIT_KEY_ENV}"
            )
        _create_key_file(path)
    return _read_key_file(path)


def encode_key(key: bytes) -> str:
    """Return an audit key in the text form INTERVJUSTUDIE_AUDIT_KEY takes."""
    return base64.urlsafe_b64encode(key).decode()


def _create_key_file(path: Path) -> None:
    """Write a new key; when two processes race, the first file stays and both read it."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        # atomic_file creates its temporary file with mode 0600 (mkstemp), before any byte.
        with atomic_file(path, replace=False) as sink:
            sink.write(_KEY_FILE_NOTE.encode())
            sink.write(f"{encode_key(secrets.token_bytes(32))}\n".encode())
    except FileExistsError:
        pass
    except OSError as error:
        raise AuditKeyError(f"cannot create the audit key {path}: {error.strerror}") from None


def _read_key_file(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not text"
        raise AuditKeyError(f"cannot read the audit key {path}: {reason}") from None
    lines = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    if len(lines) != 1:
        raise AuditKeyError(f"{path} does not hold exactly one key")
    return _decode(lines[0], str(path))


def _decode(text: str, source: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise AuditKeyError(f"{source} is not a base64 key") from None
    if len(key) != 32:
        raise AuditKeyError(f"{source} must hold a 32-byte key")
    return key
