"""A study's code key store, opened with the study's key from the vault.

The dependency runs this way (pseudonymization uses the vault, never the reverse), so the
vault knows nothing of code keys: only that a study key opens them.
"""

from __future__ import annotations

from .. import audit
from ..vault.service import Vault
from .store import SealedKeyStore


def code_key_store(vault: Vault, study_id: int, *, actor_id: int | None) -> SealedKeyStore:
    """Return the study's code key store; opening the key is an audit event."""

    def opened() -> None:
        audit.record(
            vault.session,
            "code_key.opened",
            actor_id=actor_id,
            study_id=study_id,
            subject=f"study:{study_id}",
        )

    return SealedKeyStore(
        vault.session, study_id, vault.study_key(study_id, actor_id), on_open=opened
    )
