"""The append-only, hash-chained audit log that every area writes to.

Each row carries the hash of the row before it, so a row that is changed, removed or
inserted afterwards breaks the chain at that point, and `flask --app app audit verify`
names it. Entries hold facts (who, what, which object), never content or key material.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app, has_app_context
from flask.cli import AppGroup
from sqlalchemy import Column, Text, text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, select

from .models import UTCDateTime, utcnow

GENESIS = "0" * 64
#: The file in instance/ that names the newest entry written, so a cut-off end is noticed.
ANCHOR_FILE = "audit_head"


class AuditEvent(SQLModel, table=True):
    """One entry of the audit log."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    action: str = Field(max_length=64, index=True)
    actor_id: int | None = Field(default=None, index=True)
    study_id: int | None = Field(default=None, index=True)
    subject: str = Field(default="", max_length=128)
    details: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)

    def compute_hash(self) -> str:
        """Hash this entry's fields together with the previous entry's hash."""
        payload = json.dumps(
            [
                self.id,
                self.created_at.isoformat(),
                self.action,
                self.actor_id,
                self.study_id,
                self.subject,
                self.details,
                self.prev_hash,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        return hashlib.sha256(payload.encode()).hexdigest()


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    study_id: int | None = None,
    subject: str = "",
    **details: Any,
) -> AuditEvent:
    """Append an entry to the log within the caller's transaction and flush it."""
    _lock_log(session)
    last = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    event = AuditEvent(
        id=(last.id + 1) if last else 1,
        created_at=utcnow(),
        action=action,
        actor_id=actor_id,
        study_id=study_id,
        subject=subject,
        details=json.dumps(details, ensure_ascii=False, sort_keys=True, default=str),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event.compute_hash()
    session.add(event)
    session.flush()
    _anchor_after_commit(session, event)
    return event


def _anchor_after_commit(session: Session, event: AuditEvent) -> None:
    """Once this transaction commits, move the head anchor in instance/ up to event.

    The chain alone cannot show that its newest entries were cut off; the anchor, kept
    outside the database, remembers the furthest entry this installation has written.
    """
    if has_app_context():
        path = Path(current_app.instance_path) / ANCHOR_FILE
        session.info["audit_head"] = (path, event.id, event.hash)


@sa_event.listens_for(OrmSession, "after_commit")
def _write_anchor(session: OrmSession) -> None:
    head = session.info.pop("audit_head", None)
    if head is not None:
        _raise_anchor(*head)


@sa_event.listens_for(OrmSession, "after_rollback")
def _forget_anchor(session: OrmSession) -> None:
    session.info.pop("audit_head", None)


def _raise_anchor(path: Path, event_id: int, event_hash: str) -> None:
    """Write (id, hash) to the anchor unless it already names a later entry."""
    with open(path, "a+", encoding="ascii") as anchor:
        fcntl.flock(anchor, fcntl.LOCK_EX)
        anchor.seek(0)
        current = read_anchor_text(anchor.read())
        if current is not None and current[0] >= event_id:
            return
        anchor.seek(0)
        anchor.truncate()
        anchor.write(f"{event_id} {event_hash}\n")
        anchor.flush()
        os.fsync(anchor.fileno())


def read_anchor_text(text: str) -> tuple[int, str] | None:
    """Parse an anchor file's content: "<id> <hash>"."""
    parts = text.split()
    if len(parts) != 2 or not parts[0].isdigit():
        return None
    return int(parts[0]), parts[1]


def read_anchor(instance_path: str | os.PathLike[str]) -> tuple[int, str] | None:
    """Return the (id, hash) the installation's anchor names, if there is one."""
    path = Path(instance_path) / ANCHOR_FILE
    if not path.exists():
        return None
    return read_anchor_text(path.read_text(encoding="ascii"))


def _lock_log(session: Session) -> None:
    """Serialise appends so that two writers never chain onto the same row.

    The lock is held until the transaction ends, and taken before the newest entry is read.
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
    elif dialect == "sqlite":
        # A write statement, even one that changes nothing, takes SQLite's write lock (the
        # second writer waits for the first to commit) and starts the transaction.
        session.execute(text("UPDATE audit_event SET id = id WHERE id < 0"))


@dataclass(frozen=True)
class ChainBreak:
    """Where and why the audit chain stops being intact."""

    event_id: int
    reason: str


def verify(
    session: Session, anchor: tuple[int, str] | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk the chain; return the number of intact entries and the first break, if any.

    With an anchor (id, hash), the chain must still hold that entry unchanged: entries
    cut off the end are found too.
    """
    expected_prev = GENESIS
    expected_id = 1
    count = 0
    anchored = anchor is None
    for event in session.exec(select(AuditEvent).order_by(AuditEvent.id)):
        if event.id != expected_id:
            return count, ChainBreak(event.id, f"expected entry {expected_id} here")
        if event.prev_hash != expected_prev:
            return count, ChainBreak(event.id, "does not chain onto the entry before it")
        if event.compute_hash() != event.hash:
            return count, ChainBreak(event.id, "its contents were changed")
        if anchor is not None and event.id == anchor[0]:
            if event.hash != anchor[1]:
                return count, ChainBreak(event.id, "it differs from the entry first written")
            anchored = True
        expected_prev = event.hash
        expected_id += 1
        count += 1
    if not anchored:
        assert anchor is not None
        return count, ChainBreak(anchor[0], "it and the entries after it were removed")
    return count, None


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """Inspect the audit log."""


@audit_group.command("verify")
def verify_command() -> None:
    """Check the hash chain; exit 1 and name the first bad entry if it is broken."""
    from .db import session_scope

    with session_scope() as session:
        count, broken = verify(session, read_anchor(current_app.instance_path))
    if broken:
        click.echo(f"Audit log broken at entry {broken.event_id}: {broken.reason}.", err=True)
        raise SystemExit(1)
    click.echo(f"Audit log intact: {count} entries.")


def init_app(app: Flask) -> None:
    """Register the `audit` commands."""
    app.cli.add_command(audit_group)
