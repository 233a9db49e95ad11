"""One lock per respondent, so that a consent, a withdrawal and an upload's end never interleave."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select

from ..vault.errors import KeyDestroyedError, RespondentWithdrawnError
from ..vault.models import RespondentKey
from .models import Respondent


def lock_respondent(session: Session, respondent_id: int | None) -> Respondent | None:
    """Lock the respondent's row until the transaction ends and return it as now stored.

    PostgreSQL locks the row itself. SQLite has one write lock for the whole database: a
    write statement, even one that changes nothing, takes it (waiting for a writer that
    holds it), and what is read after it is what the last writer committed.
    """
    if respondent_id is None:
        return None
    query = select(Respondent).where(Respondent.id == respondent_id)
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            text("UPDATE respondent SET code = code WHERE id = :id"), {"id": respondent_id}
        )
    else:
        query = query.with_for_update()
    return session.exec(query.execution_options(populate_existing=True)).first()


def refuse_withdrawn(session: Session, respondent: Respondent) -> None:
    """Raise if the respondent withdrew (or lost their key) while their upload streamed in."""
    current = lock_respondent(session, respondent.id)
    if current is None or current.withdrawn_at is not None:
        raise RespondentWithdrawnError(f"respondent {respondent.id} has withdrawn")
    key = session.exec(
        select(RespondentKey).where(RespondentKey.respondent_id == respondent.id)
    ).first()
    if key is None or key.sealed_identity is None:
        raise KeyDestroyedError(f"the key of respondent {respondent.id} was destroyed")
