"""What the vault does once a transaction has committed: remove files, empty SQLite's log."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlmodel import Session


def after_commit(session: Session, action: Callable[[Session], None]) -> None:
    """Run action once session's transaction commits, and never if it is rolled back.

    (A listener left after a rollback would otherwise run at the session's next commit,
    deleting files of a withdrawal that did not happen.)
    """
    live = [True]

    def committed(committed_session: Session) -> None:
        if live[0]:
            action(committed_session)

    def rolled_back(_session: Session) -> None:
        live[0] = False

    event.listen(session, "after_commit", committed, once=True)
    event.listen(session, "after_rollback", rolled_back, once=True)


def checkpoint_sqlite(session: Session) -> None:
    """Move SQLite's write-ahead log into the database file and empty it."""
    bind = session.get_bind()
    if bind.dialect.name == "sqlite":
        with bind.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
