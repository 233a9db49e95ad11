"""The append-only, hash-chained audit log that every area writes to.

Each row carries the hash of the row before it, so a row that is changed, removed or
inserted afterwards breaks the chain at that point, and `flask --app app audit verify`
names it. Entries hold facts (who, what, which object), never content or key material.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import Column, Text, text
from sqlmodel import Field, Session, SQLModel, select

from .models import UTCDateTime, utcnow

GENESIS = "0" * 64


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
    return event


def _lock_log(session: Session) -> None:
    """Serialise appends so that two writers never chain onto the same row."""
    # SQLite serialises writers itself (a stale writer fails instead of forking the chain);
    # PostgreSQL needs a lock held until the transaction ends.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(4242001)"))


@dataclass(frozen=True)
class ChainBreak:
    """Where and why the audit chain stops being intact."""

    event_id: int
    reason: str


def verify(session: Session) -> tuple[int, ChainBreak | None]:
    """Walk the chain; return the number of intact entries and the first break, if any."""
    expected_prev = GENESIS
    expected_id = 1
    count = 0
    for event in session.exec(select(AuditEvent).order_by(AuditEvent.id)):
        if event.id != expected_id:
            return count, ChainBreak(event.id, f"expected entry {expected_id} here")
        if event.prev_hash != expected_prev:
            return count, ChainBreak(event.id, "does not chain onto the entry before it")
        if event.compute_hash() != event.hash:
            return count, ChainBreak(event.id, "its contents were changed")
        expected_prev = event.hash
        expected_id += 1
        count += 1
    return count, None


@click.group("audit", cls=AppGroup)
def audit_group() -> None:
    """Inspect the audit log."""


@audit_group.command("verify")
def verify_command() -> None:
    """Check the hash chain; exit 1 and name the first bad entry if it is broken."""
    from .db import session_scope

    with session_scope() as session:
        count, broken = verify(session)
    if broken:
        click.echo(f"Audit log broken at entry {broken.event_id}: {broken.reason}.", err=True)
        raise SystemExit(1)
    click.echo(f"Audit log intact: {count} entries.")


def init_app(app: Flask) -> None:
    """Register the `audit` commands."""
    app.cli.add_command(audit_group)
