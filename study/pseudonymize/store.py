"""The code key kept in the database, every row sealed by the study's key (a KeyStore)."""

from __future__ import annotations

import json
import secrets

from sqlalchemy import delete
from sqlmodel import Session, col, select

from ..models import utcnow
from ..vault.age import open_sealed, seal
from .codekey import CodeKey, PseudonymStyle
from .models import CodeKeyRow, CodeKeySettings


def _entry_context(study_id: int) -> bytes:
    return f"intervjustudie/code-key-entry/v1\0study={study_id}".encode()


def _seed_context(study_id: int) -> bytes:
    return f"intervjustudie/code-key-seed/v1\0study={study_id}".encode()


class SealedKeyStore:
    """A study's code key in the code_key_* tables; nothing readable without the study key.

    The caller owns the transaction (save adds and flushes, the caller commits) and gets
    the study key from the vault, so this module needs neither Flask nor the master key.
    """

    def __init__(self, session: Session, study_id: int, study_key: bytes) -> None:
        self.session = session
        self.study_id = study_id
        self._study_key = study_key

    def load(self) -> CodeKey:
        """Return the study's key (empty, with a fresh secret seed, if none was saved yet).

        :raises AgeError: if a row does not open with this study's key.
        """
        settings = self.session.get(CodeKeySettings, self.study_id)
        if settings is None:
            return CodeKey(seed=secrets.token_hex(16))
        seed = open_sealed(self._study_key, settings.sealed_seed, _seed_context(self.study_id))
        rows = self.session.exec(
            select(CodeKeyRow)
            .where(CodeKeyRow.study_id == self.study_id)
            .order_by(col(CodeKeyRow.position))
        ).all()
        context = _entry_context(self.study_id)
        entries = [json.loads(open_sealed(self._study_key, r.sealed_entry, context)) for r in rows]
        return CodeKey.from_rows(entries, seed=seed.decode(), style=PseudonymStyle(settings.style))

    def save(self, key: CodeKey) -> None:
        """Replace the stored key with key, sealing each entry afresh."""
        settings = self.session.get(CodeKeySettings, self.study_id) or CodeKeySettings(
            study_id=self.study_id, style=key.style.value, sealed_seed=b""
        )
        settings.style = key.style.value
        settings.sealed_seed = seal(
            self._study_key, key.seed.encode(), _seed_context(self.study_id)
        )
        settings.updated_at = utcnow()
        self.session.add(settings)
        self.session.execute(delete(CodeKeyRow).where(col(CodeKeyRow.study_id) == self.study_id))
        context = _entry_context(self.study_id)
        for position, row in enumerate(key.rows()):
            sealed = seal(self._study_key, json.dumps(row, ensure_ascii=False).encode(), context)
            self.session.add(
                CodeKeyRow(study_id=self.study_id, position=position, sealed_entry=sealed)
            )
        self.session.flush()
