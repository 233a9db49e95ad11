"""Small secrets kept in database rows, and a respondent's crypto-shredding.

A respondent's contact details and typed signatures are age files encrypted to their own
key, like their recordings, so destroying that key leaves none of them readable. What must
outlive the respondent's key but still say nothing to a reader of the database (the reason
for a withdrawal) is sealed by the study's key instead.
"""

from __future__ import annotations

import io
from collections import Counter

from sqlmodel import select

from .. import audit
from ..models import utcnow
from ..respondents.models import Respondent
from . import contexts
from .age import open_sealed, seal
from .models import RespondentKey, VaultObject
from .reader import AgeReader
from .service import Vault
from .stream import encrypt_stream
from .transaction import checkpoint_sqlite


def seal_for_respondent(
    vault: Vault, respondent: Respondent, data: bytes, *, actor_id: int | None
) -> bytes:
    """Return data as an age file encrypted to the respondent's key (created on first use).

    :raises KeyDestroyedError: if the respondent's key was destroyed.
    """
    sealed = io.BytesIO()
    encrypt_stream(io.BytesIO(data), sealed, [vault.recipient(respondent, actor_id=actor_id)])
    return sealed.getvalue()


def open_for_respondent(
    vault: Vault,
    respondent: Respondent,
    sealed: bytes,
    *,
    actor_id: int | None,
    purpose: str,
) -> bytes:
    """Return what seal_for_respondent sealed; the decryption is an audit event.

    :raises KeyDestroyedError: if the respondent's key was destroyed.
    """
    assert respondent.id is not None
    identity = vault.identity(respondent.id, actor_id)
    audit.record(
        vault.session,
        "vault.decrypted",
        actor_id=actor_id,
        study_id=respondent.study_id,
        subject=f"respondent:{respondent.id}",
        purpose=purpose,
    )
    with AgeReader(io.BytesIO(sealed), [identity]) as reader:
        return reader.readall()


def seal_for_study(vault: Vault, study_id: int, data: bytes, purpose: str) -> bytes:
    """Seal data with the study's key, bound to the study and to what it is for."""
    return seal(vault.study_key(study_id, None), data, contexts.study_sealed(study_id, purpose))


def open_for_study(vault: Vault, study_id: int, sealed: bytes, purpose: str) -> bytes:
    """Open what seal_for_study sealed for the same study and purpose."""
    return open_sealed(
        vault.study_key(study_id, None), sealed, contexts.study_sealed(study_id, purpose)
    )


def shred_respondent(vault: Vault, respondent: Respondent) -> dict[str, int]:
    """Destroy the respondent's key and every file stored for them; return what went, by kind.

    No audit entry of its own: the caller writes one entry for the whole operation. The
    files leave storage once the transaction commits; the key is gone with the commit.
    """
    assert respondent.id is not None
    session = vault.session
    objects = session.exec(
        select(VaultObject).where(VaultObject.respondent_id == respondent.id)
    ).all()
    destroyed = Counter(item.kind for item in objects)
    object_ids = [item.object_id for item in objects]
    for item in objects:
        session.delete(item)
    key = session.exec(
        select(RespondentKey).where(RespondentKey.respondent_id == respondent.id)
    ).first()
    key_destroyed = key is not None and key.sealed_identity is not None
    if key_destroyed:
        key.sealed_identity = None
        key.destroyed_at = utcnow()
        session.add(key)
    session.flush()
    storage = vault.storage

    def remove_files(_session) -> None:
        for object_id in object_ids:
            storage.delete(object_id, missing_ok=True)
        checkpoint_sqlite(_session)

    vault.after_commit(remove_files)
    return {
        "files": len(object_ids),
        **{f"files_{k}": n for k, n in destroyed.items()},
        "key": int(key_destroyed),
    }
