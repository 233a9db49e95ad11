"""The code key kept in the database, every row sealed by the study's key (a KeyStore)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable

from sqlalchemy import delete
from sqlmodel import Session, col, select

from ..models import utcnow
from ..vault import contexts
from ..vault.age import AgeError, open_sealed, seal
from .codekey import Category, CodeKey, KeyEntry, PseudonymStyle
from .models import CodeKeyRow, CodeKeySettings


def _sealed_row(entry: KeyEntry) -> list:
    return [entry.term, entry.category.value, entry.pseudonym or "", sorted(entry.sources)]


def _entry(row: list) -> KeyEntry:
    # Rows saved before sources were recorded have three cells: such an entry has no
    # sources, like one added by hand, so no withdrawal removes it.
    term, category, pseudonym, *rest = row
    sources = set(rest[0]) if rest else set()
    return KeyEntry(term, Category.parse(category), pseudonym or None, sources)


class SealedKeyStore:
    """A study's code key in the code_key_* tables; nothing readable without the study key.

    Each save writes a new generation: every row is sealed with the study, the generation
    and its position as associated data, and the seed is sealed with the generation and the
    row count, so a row dropped, moved, swapped or replayed from an earlier save is an error.
    The caller owns the transaction (save adds and flushes, the caller commits); stores are
    opened with the vault's study key in vaulted.py, so this module needs neither Flask
    nor the vault's key chain.
    """

    def __init__(
        self,
        session: Session,
        study_id: int,
        study_key: bytes,
        *,
        on_open: Callable[[], None] = lambda: None,
    ) -> None:
        self.session = session
        self.study_id = study_id
        self._study_key = study_key
        self._on_open = on_open

    def load(self) -> CodeKey:
        """Return the study's key (empty, with a fresh secret seed, if none was saved yet).

        :raises AgeError: if the stored key was altered or does not belong to this study.
        """
        settings = self.session.get(CodeKeySettings, self.study_id)
        if settings is None:
            return CodeKey(seed=secrets.token_hex(16))
        self._on_open()
        state = json.loads(
            open_sealed(
                self._study_key, settings.sealed_state, contexts.code_key_state(self.study_id)
            )
        )
        rows = self.session.exec(
            select(CodeKeyRow)
            .where(CodeKeyRow.study_id == self.study_id)
            .order_by(col(CodeKeyRow.position))
        ).all()
        if len(rows) != state["count"] or any(r.generation != state["generation"] for r in rows):
            raise AgeError("the code key's rows do not match its last save")
        entries = [
            _entry(
                json.loads(
                    open_sealed(
                        self._study_key,
                        row.sealed_entry,
                        contexts.code_key_entry(self.study_id, state["generation"], position),
                    )
                )
            )
            for position, row in enumerate(rows)
        ]
        return CodeKey(entries, seed=state["seed"], style=PseudonymStyle(settings.style))

    def save(self, key: CodeKey) -> None:
        """Replace the stored key with key, sealing each entry afresh under a new generation."""
        settings = self.session.get(CodeKeySettings, self.study_id)
        if settings is None:
            settings = CodeKeySettings(study_id=self.study_id, style="", sealed_state=b"")
        else:
            settings.generation += 1
        rows = [_sealed_row(entry) for entry in key.entries]
        state = {"seed": key.seed, "generation": settings.generation, "count": len(rows)}
        settings.style = key.style.value
        settings.sealed_state = seal(
            self._study_key, json.dumps(state).encode(), contexts.code_key_state(self.study_id)
        )
        settings.updated_at = utcnow()
        self.session.add(settings)
        self.session.execute(delete(CodeKeyRow).where(col(CodeKeyRow.study_id) == self.study_id))
        for position, row in enumerate(rows):
            context = contexts.code_key_entry(self.study_id, settings.generation, position)
            sealed = seal(self._study_key, json.dumps(row, ensure_ascii=False).encode(), context)
            self.session.add(
                CodeKeyRow(
                    study_id=self.study_id,
                    generation=settings.generation,
                    position=position,
                    sealed_entry=sealed,
                )
            )
        self.session.flush()
