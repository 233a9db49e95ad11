"""The key hierarchy and the files it protects, as the rest of the application uses them.

master key (outside the database) ─seals→ study key ─seals→ respondent's X25519 identity
                                                            ↓ opens
                       files encrypted to the respondent's public key (age v1)

Storing a file needs only the respondent's public key; reading one needs the whole chain.
Key creation, rotation and destruction and every decryption are audit events. Methods add
and flush rows in the caller's session; the ones that must not be rolled back on their own
(an upload, a decryption's audit entry) commit, and say so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import Flask, current_app
from sqlalchemy import event
from sqlmodel import Session, select

from .. import audit
from ..models import utcnow
from ..pseudonymize.store import SealedKeyStore
from ..respondents.locks import refuse_withdrawn
from ..respondents.models import Respondent
from .age import X25519Identity, X25519Recipient, new_wrapping_key, open_sealed, seal
from .errors import KeyDestroyedError, KeyMismatchError, RespondentWithdrawnError
from .keys import MasterKeyring, load_keyring
from .models import RespondentKey, StudyKey, VaultObject
from .reader import AgeReader
from .storage import FileSystemStorage, MemoryStorage, Storage
from .stream import AgeWriter

_COPY_SIZE = 1 << 20


def _study_key_context(study_id: int) -> bytes:
    return f"intervjustudie/study-key/v1\0study={study_id}".encode()


def _identity_context(study_id: int, respondent_id: int, recipient: str) -> bytes:
    return (
        f"intervjustudie/respondent-identity/v1\0study={study_id}"
        f"\0respondent={respondent_id}\0recipient={recipient}"
    ).encode()


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

    def study_key(self, study_id: int, actor_id: int | None) -> bytes:
        """Return the study's key, creating and sealing it on first use (no audit entry)."""
        row = self.session.exec(select(StudyKey).where(StudyKey.study_id == study_id)).first()
        if row is None:
            row = StudyKey(
                study_id=study_id,
                master_key_id=self.keyring.current_id,
                sealed_key=seal(
                    self.keyring.current, new_wrapping_key(), _study_key_context(study_id)
                ),
            )
            # Two first uses racing: the second fails on the unique study_id, nothing is kept.
            self.session.add(row)
            self.session.flush()
            audit.record(
                self.session,
                "key.study_created",
                actor_id=actor_id,
                study_id=study_id,
                subject=f"study:{study_id}",
                master_key_id=row.master_key_id,
            )
        return open_sealed(
            self.keyring.get(row.master_key_id), row.sealed_key, _study_key_context(study_id)
        )

    def rewrap_study_keys(self, *, actor_id: int | None = None) -> int:
        """Seal every study key not under the current master key with it; return how many.

        File contents, respondent keys and code keys are untouched: only the top of the
        chain moves.
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

    def code_key_store(self, study_id: int, *, actor_id: int | None) -> SealedKeyStore:
        """Return the study's code key store; opening the key is an audit event."""

        def opened() -> None:
            audit.record(
                self.session,
                "code_key.opened",
                actor_id=actor_id,
                study_id=study_id,
                subject=f"study:{study_id}",
            )

        return SealedKeyStore(
            self.session, study_id, self.study_key(study_id, actor_id), on_open=opened
        )

    # Respondent keys ----------------------------------------------------------------------

    def _respondent_key(self, respondent_id: int) -> RespondentKey | None:
        return self.session.exec(
            select(RespondentKey).where(RespondentKey.respondent_id == respondent_id)
        ).first()

    def recipient(self, respondent: Respondent, *, actor_id: int | None = None) -> X25519Recipient:
        """Return the public key the respondent's files are encrypted to, creating it once.

        :raises KeyDestroyedError: if the respondent's key was destroyed.
        """
        assert respondent.id is not None
        row = self._respondent_key(respondent.id)
        if row is None:
            row = self._create_respondent_key(respondent, actor_id)
        if row.sealed_identity is None:
            raise KeyDestroyedError(f"the key of respondent {respondent.id} was destroyed")
        return X25519Recipient.parse(row.recipient)

    def _create_respondent_key(self, respondent: Respondent, actor_id: int | None) -> RespondentKey:
        assert respondent.id is not None
        identity = X25519Identity.generate()
        recipient = str(identity.recipient)
        study_key = self.study_key(respondent.study_id, actor_id)
        row = RespondentKey(
            respondent_id=respondent.id,
            study_id=respondent.study_id,
            recipient=recipient,
            sealed_identity=seal(
                study_key,
                identity.private_bytes,
                _identity_context(respondent.study_id, respondent.id, recipient),
            ),
        )
        self.session.add(row)
        self.session.flush()
        audit.record(
            self.session,
            "key.respondent_created",
            actor_id=actor_id,
            study_id=respondent.study_id,
            subject=f"respondent:{respondent.id}",
        )
        return row

    def identity(self, respondent_id: int, actor_id: int | None) -> X25519Identity:
        """Return the respondent's private key, opened through the chain (no audit entry).

        :raises KeyDestroyedError: if the respondent's key was destroyed.
        """
        row = self._respondent_key(respondent_id)
        if row is None or row.sealed_identity is None:
            raise KeyDestroyedError(f"the key of respondent {respondent_id} was destroyed")
        study_key = self.study_key(row.study_id, actor_id)
        context = _identity_context(row.study_id, respondent_id, row.recipient)
        identity = X25519Identity(open_sealed(study_key, row.sealed_identity, context))
        if str(identity.recipient) != row.recipient:
            raise KeyMismatchError(f"the public key of respondent {respondent_id} was altered")
        return identity

    def destroy_respondent_key(self, respondent: Respondent, *, actor_id: int | None) -> None:
        """Destroy the respondent's private key: their files can never be read again.

        On SQLite the write-ahead log is checkpointed after the commit, so the sealed key
        does not linger there. Database backups taken before still hold it until they expire.
        """
        assert respondent.id is not None
        row = self._respondent_key(respondent.id)
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
        self.after_commit(checkpoint_sqlite)

    def after_commit(self, action: Callable[[Session], None]) -> None:
        """Run action once this transaction commits, and never if it is rolled back.

        (A listener left after a rollback would otherwise run at the session's next commit,
        deleting files of a withdrawal that did not happen.)
        """
        live = [True]

        def committed(session: Session) -> None:
            if live[0]:
                action(session)

        def rolled_back(_session: Session) -> None:
            live[0] = False

        event.listen(self.session, "after_commit", committed, once=True)
        event.listen(self.session, "after_rollback", rolled_back, once=True)

    # Files --------------------------------------------------------------------------------

    @contextmanager
    def upload(
        self,
        respondent: Respondent,
        *,
        kind: str,
        media_type: str = "application/octet-stream",
        actor_id: int | None = None,
        before_commit: Callable[[VaultObject], object] | None = None,
    ) -> Iterator[Upload]:
        """Yield an Upload that encrypts what is written to it into storage as it arrives.

        Commits twice: the respondent's key before the first byte (so no lock is held while
        a long upload streams in), and the file's record with its audit entry at the end.
        On error nothing is stored: the partial ciphertext never gets a name and has no
        final chunk. `before_commit` gets the file's record in that last transaction,
        under the respondent's lock, to write what belongs with it; if it raises, the file
        is gone too.

        :raises RespondentWithdrawnError: if the respondent has withdrawn.
        :raises KeyDestroyedError: if the respondent's key was destroyed.
        """
        if respondent.withdrawn_at is not None:
            raise RespondentWithdrawnError(f"respondent {respondent.id} has withdrawn")
        recipient = self.recipient(respondent, actor_id=actor_id)
        self.session.commit()
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
        try:
            self.session.add(upload.record)
            self.session.flush()
            # Only now, holding the write lock, is a withdrawal that came in meanwhile seen.
            refuse_withdrawn(self.session, respondent)
            if before_commit is not None:
                before_commit(upload.record)
            audit.record(
                self.session,
                "vault.stored",
                actor_id=actor_id,
                study_id=respondent.study_id,
                subject=f"object:{upload.record.id}",
                kind=kind,
            )
            self.session.commit()
        except BaseException:
            self.session.rollback()
            self.storage.delete(object_id, missing_ok=True)
            raise

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
        with self.upload(respondent, kind=kind, media_type=media_type, actor_id=actor_id) as upload:
            while chunk := source.read(_COPY_SIZE):
                upload.write(chunk)
        assert upload.record is not None
        return upload.record

    def open(self, vault_object: VaultObject, *, actor_id: int | None, purpose: str) -> AgeReader:
        """Return a seekable reader of the file's plaintext.

        The decryption's audit entry is committed before the reader is returned, so no
        plaintext leaves without a trace.

        :raises KeyDestroyedError: if the respondent's key was destroyed.
        """
        identity = self.identity(vault_object.respondent_id, actor_id)
        audit.record(
            self.session,
            "vault.decrypted",
            actor_id=actor_id,
            study_id=vault_object.study_id,
            subject=f"object:{vault_object.id}",
            purpose=purpose,
        )
        self.session.commit()
        source = self.storage.open(vault_object.object_id)
        try:
            return AgeReader(source, [identity], close_source=True)
        except BaseException:
            source.close()
            raise

    def delete(self, vault_object: VaultObject, *, actor_id: int | None) -> None:
        """Remove the file's record now and the file itself once that is committed."""
        object_id = vault_object.object_id
        self.session.delete(vault_object)
        self.session.flush()
        audit.record(
            self.session,
            "vault.deleted",
            actor_id=actor_id,
            study_id=vault_object.study_id,
            subject=f"object:{vault_object.id}",
        )
        storage = self.storage
        self.after_commit(lambda _session: storage.delete(object_id, missing_ok=True))


def checkpoint_sqlite(session: Session) -> None:
    """Move SQLite's write-ahead log into the database file and empty it."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        with bind.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


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
