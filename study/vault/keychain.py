"""The key chain: master keys seal study keys, study keys seal respondents' identities.

Creating, rotating and destroying a key are audit events; opening one is not (the caller
audits what it opens the key for). Methods add and flush rows in the caller's session and
never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from .. import audit
from ..models import utcnow
from ..respondents.models import Respondent
from . import contexts
from .age import X25519Identity, X25519Recipient, new_wrapping_key, open_sealed, seal
from .errors import KeyDestroyedError, KeyMismatchError
from .keys import MasterKeyring
from .models import RespondentKey, StudyKey
from .transaction import after_commit, checkpoint_sqlite


@dataclass
class KeyChain:
    """Study and respondent keys in session's transaction, under keyring's master keys."""

    session: Session
    keyring: MasterKeyring

    # Study keys ---------------------------------------------------------------------------

    def study_key(self, study_id: int, actor_id: int | None) -> bytes:
        """Return the study's key, creating and sealing it on first use (no audit entry)."""
        row = self.session.exec(select(StudyKey).where(StudyKey.study_id == study_id)).first()
        if row is None:
            row = StudyKey(
                study_id=study_id,
                master_key_id=self.keyring.current_id,
                sealed_key=seal(
                    self.keyring.current, new_wrapping_key(), contexts.study_key(study_id)
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
            self.keyring.get(row.master_key_id), row.sealed_key, contexts.study_key(study_id)
        )

    def rewrap_study_keys(self, *, actor_id: int | None = None) -> int:
        """Seal every study key not under the current master key with it; return how many.

        File contents, respondent keys and code keys are untouched: only the top of the
        chain moves.
        """
        current = self.keyring.current_id
        rows = self.session.exec(select(StudyKey).where(StudyKey.master_key_id != current)).all()
        for row in rows:
            context = contexts.study_key(row.study_id)
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
                contexts.respondent_identity(respondent.study_id, respondent.id, recipient),
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
        :raises KeyMismatchError: if the public key on record is not the private key's.
        """
        row = self._respondent_key(respondent_id)
        if row is None or row.sealed_identity is None:
            raise KeyDestroyedError(f"the key of respondent {respondent_id} was destroyed")
        study_key = self.study_key(row.study_id, actor_id)
        context = contexts.respondent_identity(row.study_id, respondent_id, row.recipient)
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
        after_commit(self.session, checkpoint_sqlite)
