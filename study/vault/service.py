"""The key hierarchy and the files it protects, as the rest of the application uses them.

master key (outside the database) ─seals→ study key ─seals→ respondent's X25519 identity
                                                            ↓ opens
                       files encrypted to the respondent's public key (age v1)

Storing a file needs only the respondent's public key; reading one needs the whole chain.
Key creation, rotation and destruction and every decryption are audit events. Methods add
and flush rows in the caller's session; the ones that must not be rolled back on their own
(an upload, a decryption's audit entry) commit, and say so.

The chain lives in keychain.py, the files in objects.py, every sealing context in
contexts.py; `Vault` puts them together for one unit of work (a request or a command).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app
from sqlmodel import Session, select

from ..respondents.models import Respondent
from .age import X25519Identity, X25519Recipient
from .errors import KeyDestroyedError, KeyMismatchError, RespondentWithdrawnError
from .keychain import KeyChain
from .keys import MasterKeyring, load_keyring
from .models import StudyKey, VaultObject
from .objects import EncryptedFiles, Upload
from .reader import AgeReader
from .storage import FileSystemStorage, MemoryStorage, Storage
from .transaction import after_commit

__all__ = [
    "KeyDestroyedError",
    "KeyMismatchError",
    "RespondentWithdrawnError",
    "Upload",
    "Vault",
    "get_vault",
    "init_app",
    "keyring",
]


@dataclass
class Vault:
    """Keys and encrypted files for one unit of work (a request or a command)."""

    session: Session
    keyring: MasterKeyring
    storage: Storage
    backend: str

    # Built on each use, not kept: `keys rotate` swaps the keyring of a vault in hand.
    @property
    def keys(self) -> KeyChain:
        """The key chain under this vault's current keyring."""
        return KeyChain(self.session, self.keyring)

    @property
    def files(self) -> EncryptedFiles:
        """The encrypted files, their keys from this vault's key chain."""
        return EncryptedFiles(self.session, self.keys, self.storage, self.backend)

    # Keys ---------------------------------------------------------------------------------

    def study_key(self, study_id: int, actor_id: int | None) -> bytes:
        """Return the study's key, creating it on first use (see KeyChain.study_key)."""
        return self.keys.study_key(study_id, actor_id)

    def rewrap_study_keys(self, *, actor_id: int | None = None) -> int:
        """Seal every study key with the current master key (see KeyChain)."""
        return self.keys.rewrap_study_keys(actor_id=actor_id)

    def master_key_ids_in_use(self) -> set[str]:
        """Return the ids of the master keys that seal at least one study key."""
        return self.keys.master_key_ids_in_use()

    def recipient(self, respondent: Respondent, *, actor_id: int | None = None) -> X25519Recipient:
        """Return the respondent's public key, creating it once (see KeyChain.recipient)."""
        return self.keys.recipient(respondent, actor_id=actor_id)

    def identity(self, respondent_id: int, actor_id: int | None) -> X25519Identity:
        """Return the respondent's private key (see KeyChain.identity)."""
        return self.keys.identity(respondent_id, actor_id)

    def destroy_respondent_key(self, respondent: Respondent, *, actor_id: int | None) -> None:
        """Destroy the respondent's private key (see KeyChain.destroy_respondent_key)."""
        self.keys.destroy_respondent_key(respondent, actor_id=actor_id)

    def after_commit(self, action: Callable[[Session], None]) -> None:
        """Run action once this transaction commits, and never if it is rolled back."""
        after_commit(self.session, action)

    # Files --------------------------------------------------------------------------------

    def upload(
        self,
        respondent: Respondent,
        *,
        kind: str,
        media_type: str = "application/octet-stream",
        actor_id: int | None = None,
        before_commit: Callable[[VaultObject], object] | None = None,
    ) -> AbstractContextManager[Upload]:
        """Encrypt a file into storage as it is written (see EncryptedFiles.upload)."""
        return self.files.upload(
            respondent,
            kind=kind,
            media_type=media_type,
            actor_id=actor_id,
            before_commit=before_commit,
        )

    def store(
        self,
        respondent: Respondent,
        source: BinaryIO,
        *,
        kind: str,
        media_type: str = "application/octet-stream",
        actor_id: int | None = None,
    ) -> VaultObject:
        """Encrypt everything read from source into storage; commit and return its record."""
        return self.files.store(
            respondent, source, kind=kind, media_type=media_type, actor_id=actor_id
        )

    def open(self, vault_object: VaultObject, *, actor_id: int | None, purpose: str) -> AgeReader:
        """Return a seekable reader of the file's plaintext (see EncryptedFiles.open)."""
        return self.files.open(vault_object, actor_id=actor_id, purpose=purpose)

    def delete(self, vault_object: VaultObject, *, actor_id: int | None) -> None:
        """Remove the file's record now and the file itself once that is committed."""
        self.files.delete(vault_object, actor_id=actor_id)


def init_app(app: Flask) -> None:
    """Give the application its storage; master keys are loaded on first use."""
    if app.config["VAULT_BACKEND"] == "memory":
        storage: Storage = MemoryStorage()
    else:
        storage = FileSystemStorage(app.config["VAULT_PATH"])
    app.extensions["vault_storage"] = storage


def keyring(session: Session) -> MasterKeyring:
    """Return the application's master keys, reloaded when another process rotated them.

    On first run the folder and its key are created, but never once study keys exist.
    """
    app = current_app
    ring = app.extensions.get("vault_keyring")
    if ring is None or ring.is_stale():
        first_run = session.exec(select(StudyKey.id).limit(1)).first() is None
        ring = load_keyring(Path(app.instance_path), create=first_run)
        app.extensions["vault_keyring"] = ring
    return ring


def get_vault(session: Session) -> Vault:
    """Return the vault for the current application, working in session's transaction."""
    return Vault(
        session,
        keyring(session),
        current_app.extensions["vault_storage"],
        current_app.config["VAULT_BACKEND"],
    )
