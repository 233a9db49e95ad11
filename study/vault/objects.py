"""The files the key chain protects: encrypted as they arrive, read back through the chain.

Storing a file needs only the respondent's public key; reading one needs the whole chain.
Storing, decrypting and deleting are audit events. An upload and a decryption's audit entry
must not be rolled back with the caller's work, so those commit, and say so.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO

from sqlmodel import Session

from .. import audit
from ..respondents.locks import refuse_withdrawn
from ..respondents.models import Respondent
from .errors import RespondentWithdrawnError
from .keychain import KeyChain
from .models import VaultObject
from .reader import AgeReader
from .storage import Storage
from .stream import AgeWriter
from .transaction import after_commit

_COPY_SIZE = 1 << 20


class Upload:
    """A file being encrypted into the vault: write plaintext to it; record is set at the end."""

    def __init__(self, sink: AgeWriter) -> None:
        self._sink = sink
        self.record: VaultObject | None = None

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Encrypt data into storage."""
        return self._sink.write(data)


@dataclass
class EncryptedFiles:
    """Respondents' files in storage, their records in session, their keys from keys."""

    session: Session
    keys: KeyChain
    storage: Storage
    backend: str

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
        recipient = self.keys.recipient(respondent, actor_id=actor_id)
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
        identity = self.keys.identity(vault_object.respondent_id, actor_id)
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
        after_commit(self.session, lambda _session: storage.delete(object_id, missing_ok=True))
