"""The key hierarchy and the files it protects, as the rest of the application uses them.

master key (outside the database) ─seals→ study key ─seals→ respondent's X25519 identity
                                                            ↓ opens
                       files encrypted to the respondent's public key (age v1)

Storing a file needs only the respondent's public key; reading one needs the whole chain,
and every read is written to the audit log. The caller owns the transaction: methods add
and flush rows, the caller commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from .. import audit
from ..models import utcnow
from ..respondents.models import Respondent
from .age import X25519Identity, X25519Recipient, new_wrapping_key, open_sealed, seal
from .keys import MasterKeyring, load_keyring
from .models import RespondentKey, StudyKey, VaultObject
from .reader import AgeReader
from .storage import FileSystemStorage, MemoryStorage, Storage
from .stream import AgeWriter

_COPY_SIZE = 1 << 20


class KeyDestroyedError(Exception):
    """The respondent's key was destroyed: nothing can be stored for or read from them."""


def _study_key_context(study_id: int) -> bytes:
    return f"intervjustudie/study-key/v1\0study={study_id}".encode()


def _identity_context(study_id: int, respondent_id: int) -> bytes:
    return f"intervjustudie/respondent-identity/v1\0study={study_id}\0respondent={respondent_id}".encode()


class Upload:
    """A file being encrypted into the vault: write plaintext to it; record is set at the end."""

    def __init__(self, sink: AgeWriter) -> None:
        self._sink = sink
        self.record: VaultObject | None = None

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Encrypt data into storage."""
        return self._sink.write(data)


@dataclass
class Vault:
    """Keys and encrypted files for one unit of work (a request or a command)."""

    session: Session
    keyring: MasterKeyring
    storage: Storage
    backend: str

    # Study keys ---------------------------------------------------------------------------

    def study_key(self, study_id: int, *, actor_id: int | None = None) -> bytes:
        """Return the study's key, creating and sealing it on first use."""
        row = self._study_key_row(study_id)
        if row is None:
            row = self._create_study_key(study_id, actor_id)
        return open_sealed(
            self.keyring.get(row.master_key_id), row.sealed_key, _study_key_context(study_id)
        )

    def _study_key_row(self, study_id: int) -> StudyKey | None:
        return self.session.exec(select(StudyKey).where(StudyKey.study_id == study_id)).first()

    def _create_study_key(self, study_id: int, actor_id: int | None) -> StudyKey:
        row = StudyKey(
            study_id=study_id,
            master_key_id=self.keyring.current_id,
            sealed_key=seal(self.keyring.current, new_wrapping_key(), _study_key_context(study_id)),
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            # Another request created it first; theirs is the study's key.
            existing = self._study_key_row(study_id)
            assert existing is not None
            return existing
        audit.record(
            self.session,
            "key.study_created",
            actor_id=actor_id,
            study_id=study_id,
            subject=f"study:{study_id}",
            master_key_id=row.master_key_id,
        )
        return row

    def rewrap_study_keys(self, *, actor_id: int | None = None) -> int:
        """Seal every study key not under the current master key with it; return how many.

        File contents and respondent keys are untouched: only the top of the chain moves.
        """
        current = self.keyring.current_id
        rows = self.session.exec(select(StudyKey).where(StudyKey.master_key_id != current)).all()
        for row in rows:
            context = _study_key_context(row.study_id)
            study_key = open_sealed(self.keyring.get(row.master_key_id), row.sealed_key, context)
            row.sealed_key = seal(self.keyring.current, study_key, context)
            row.master_key_id = current
            row.rotated_at = utcnow()
            self.session.add(row)
        self.session.flush()
        audit.record(
            self.session,
            "key.rotated",
            actor_id=actor_id,
            subject=f"master:{current}",
            study_keys=len(rows),
        )
        return len(rows)

    def master_key_ids_in_use(self) -> set[str]:
        """Return the ids of the master keys that seal at least one study key."""
        return set(self.session.exec(select(StudyKey.master_key_id).distinct()).all())

    # Respondent keys ----------------------------------------------------------------------

    def recipient(self, respondent: Respondent, *, actor_id: int | None = None) -> X25519Recipient:
        """Return the public key the respondent's files are encrypted to, creating it once.

        :raises KeyDestroyedError: if the respondent's key was destroyed.
        """
        row = self._respondent_key_row(respondent)
        if row is None:
            row = self._create_respondent_key(respondent, actor_id)
        if row.sealed_identity is None:
            raise KeyDestroyedError(f"the key of respondent {respondent.id} was destroyed")
        return X25519Recipient.parse(row.recipient)

    def _respondent_key_row(self, respondent: Respondent) -> RespondentKey | None:
        return self.session.exec(
            select(RespondentKey).where(RespondentKey.respondent_id == respondent.id)
        ).first()

    def _create_respondent_key(self, respondent: Respondent, actor_id: int | None) -> RespondentKey:
        assert respondent.id is not None
        identity = X25519Identity.generate()
        study_key = self.study_key(respondent.study_id, actor_id=actor_id)
        row = RespondentKey(
            respondent_id=respondent.id,
            study_id=respondent.study_id,
            recipient=str(identity.recipient),
            sealed_identity=seal(
                study_key,
                identity.private_bytes,
                _identity_context(respondent.study_id, respondent.id),
            ),
        )
        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            existing = self._respondent_key_row(respondent)
            assert existing is not None
            return existing
        audit.record(
            self.session,
            "key.respondent_created",
            actor_id=actor_id,
            study_id=respondent.study_id,
            subject=f"respondent:{respondent.id}",
        )
        return row

    def _identity(self, respondent_id: int, actor_id: int | None) -> X25519Identity:
        row = self.session.exec(
            select(RespondentKey).where(RespondentKey.respondent_id == respondent_id)
        ).first()
        if row is None or row.sealed_identity is None:
            raise KeyDestroyedError(f"the key of respondent {respondent_id} was destroyed")
        study_key = self.study_key(row.study_id, actor_id=actor_id)
        private = open_sealed(
            study_key, row.sealed_identity, _identity_context(row.study_id, respondent_id)
        )
        return X25519Identity(private)

    def destroy_respondent_key(self, respondent: Respondent, *, actor_id: int | None) -> None:
        """Destroy the respondent's private key: their files can never be read again."""
        row = self._respondent_key_row(respondent)
        if row is None or row.sealed_identity is None:
            return
        row.sealed_identity = None
        row.destroyed_at = utcnow()
        self.session.add(row)
        self.session.flush()
        audit.record(
            self.session,
            "key.respondent_destroyed",
            actor_id=actor_id,
            study_id=respondent.study_id,
            subject=f"respondent:{respondent.id}",
        )

    # Files --------------------------------------------------------------------------------

    @contextmanager
    def upload(
        self,
        respondent: Respondent,
        *,
        kind: str,
        media_type: str = "application/octet-stream",
        actor_id: int | None = None,
    ) -> Iterator[Upload]:
        """Yield an Upload that encrypts what is written to it into storage as it arrives.

        The file is recorded (upload.record) when the block ends without error. On error
        nothing is stored: the partial ciphertext never gets a name and has no final chunk.

        :raises KeyDestroyedError: if the respondent's key was destroyed.
        """
        recipient = self.recipient(respondent, actor_id=actor_id)
        object_id = f"study-{respondent.study_id}/respondent-{respondent.id}/{uuid.uuid4().hex}"
        with self.storage.writer(object_id) as sink:
            with AgeWriter(sink, [recipient]) as encrypting:
                upload = Upload(encrypting)
                yield upload
        stored = sink.stored
        assert stored is not None
        upload.record = VaultObject(
            study_id=respondent.study_id,
            respondent_id=respondent.id,
            kind=kind,
            media_type=media_type,
            backend=self.backend,
            object_id=object_id,
            size=stored.size,
            sha256=stored.sha256,
            created_by=actor_id,
        )
        self.session.add(upload.record)
        self.session.flush()

    def store(
        self,
        respondent: Respondent,
        source: BinaryIO,
        *,
        kind: str,
        media_type: str = "application/octet-stream",
        actor_id: int | None = None,
    ) -> VaultObject:
        """Encrypt everything read from source into storage and return its record."""
        with self.upload(respondent, kind=kind, media_type=media_type, actor_id=actor_id) as upload:
            while chunk := source.read(_COPY_SIZE):
                upload.write(chunk)
        assert upload.record is not None
        return upload.record

    def open(self, vault_object: VaultObject, *, actor_id: int | None, purpose: str) -> AgeReader:
        """Return a seekable reader of the file's plaintext and audit the decryption.

        :raises KeyDestroyedError: if the respondent's key was destroyed.
        """
        identity = self._identity(vault_object.respondent_id, actor_id)
        reader = AgeReader(self.storage.open(vault_object.object_id), [identity], close_source=True)
        audit.record(
            self.session,
            "vault.decrypted",
            actor_id=actor_id,
            study_id=vault_object.study_id,
            subject=f"object:{vault_object.id}",
            purpose=purpose,
        )
        return reader

    def delete(self, vault_object: VaultObject, *, actor_id: int | None) -> None:
        """Remove the file from storage and its record."""
        self.storage.delete(vault_object.object_id, missing_ok=True)
        self.session.delete(vault_object)
        self.session.flush()
        audit.record(
            self.session,
            "vault.deleted",
            actor_id=actor_id,
            study_id=vault_object.study_id,
            subject=f"object:{vault_object.id}",
        )


def init_app(app: Flask) -> None:
    """Give the application its storage; master keys are loaded on first use."""
    if app.config["VAULT_BACKEND"] == "memory":
        storage: Storage = MemoryStorage()
    else:
        storage = FileSystemStorage(app.config["VAULT_PATH"])
    app.extensions["vault_storage"] = storage


def keyring() -> MasterKeyring:
    """Return this application's master keys, loading (or on first run creating) them once."""
    app = current_app
    if "vault_keyring" not in app.extensions:
        app.extensions["vault_keyring"] = load_keyring(Path(app.instance_path))
    return app.extensions["vault_keyring"]


def get_vault(session: Session) -> Vault:
    """Return the vault for the current application, working in session's transaction."""
    return Vault(
        session,
        keyring(),
        current_app.extensions["vault_storage"],
        current_app.config["VAULT_BACKEND"],
    )
