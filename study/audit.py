"""The append-only, hash-chained audit log that every area writes to.

Each row carries the hash of the row before it, so a row that is changed, removed or
inserted afterwards breaks the chain at that point, and `flask --app app audit verify`
names it. The hashes are HMAC-SHA256 under the audit key (study/audit_key.py), which is
kept outside the database, so that whoever can write the database cannot recompute them.
The anchor file instance/audit_head names the newest entry written, and a head printed by
`audit head` and kept elsewhere names an entry the log must still hold: together they show
entries cut off the end. Entries hold facts (who, what, which object), never content or key
material.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import logging
import os
import re
import weakref
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import Column, Engine, Text, text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Field, Session, SQLModel, select

from .audit_key import AUDIT_KEY_ENV, KEY_FILE, AuditKeyError, load_audit_key
from .canonical import canonical_json
from .models import UTCDateTime, utcnow

GENESIS = "0" * 64
#: The file in instance/ that names the newest entry written, so a cut-off end is noticed.
ANCHOR_FILE = "audit_head"
_HEAD = re.compile(r"(\d+) ([0-9a-f]{64})")

log = logging.getLogger(__name__)

#: The application each database engine serves, so that an entry recorded outside an app
#: context (by an object kept past its request) still finds its app's key and anchor.
_APPS: weakref.WeakKeyDictionary[Engine, weakref.ref[Flask]] = weakref.WeakKeyDictionary()


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

    def payload(self) -> bytes:
        """Return the bytes the hash covers: this entry's fields and the previous hash."""
        return canonical_json(
            [
                self.id,
                self.created_at.isoformat(),
                self.action,
                self.actor_id,
                self.study_id,
                self.subject,
                self.details,
                self.prev_hash,
            ]
        ).encode()

    def compute_hash(self, key: bytes) -> str:
        """Seal this entry's fields and the previous entry's hash with the audit key."""
        return hmac.new(key, self.payload(), hashlib.sha256).hexdigest()


class AnchorError(Exception):
    """The anchor file is missing although the log has entries, or it cannot be read."""


def audit_key(session: Session, *, check: bool = True) -> bytes:
    """Return the application's audit key, read once; it is created only while the log is empty.

    With check, the key must also seal the newest entry, so that a wrong key (a new
    INTERVJUSTUDIE_AUDIT_KEY instead of the one the log was written with) stops the app
    before it chains entries that could never be checked. Only a checked key is cached.

    :raises AuditKeyError: if the log has entries and the key is missing, malformed or wrong.
    """
    app = _app_of(session)
    key = app.extensions.get("audit_key")
    if key is not None:
        return key
    newest = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    key = load_audit_key(Path(app.instance_path), create=newest is None)
    if check:
        if newest is not None and not hmac.compare_digest(newest.compute_hash(key), newest.hash):
            raise AuditKeyError(
                f"the audit key does not seal the newest entry {newest.id}: either it is not "
                f"the key the log was written with (restore that one, or set {AUDIT_KEY_ENV} "
                "to it) or the entry was changed; run `flask --app app audit verify`"
            )
        app.extensions["audit_key"] = key
    return key


def record(
    session: Session,
    action: str,
    *,
    actor_id: int | None = None,
    study_id: int | None = None,
    subject: str = "",
    **details: Any,
) -> AuditEvent:
    """Append an entry to the log within the caller's transaction and flush it.

    :raises AuditKeyError: if the log has entries and its key is missing, malformed or wrong.
    """
    _lock_log(session)
    # Looked up after the lock: whether the log is empty decides if a key may be created.
    key = audit_key(session)
    last = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    event = AuditEvent(
        id=(last.id + 1) if last else 1,
        created_at=utcnow(),
        action=action,
        actor_id=actor_id,
        study_id=study_id,
        subject=subject,
        details=canonical_json(details, default=str),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event.compute_hash(key)
    session.add(event)
    session.flush()
    _anchor_after_commit(session, event)
    return event


def _anchor_after_commit(session: Session, event: AuditEvent) -> None:
    """Once this transaction commits, move the head anchor in instance/ up to event.

    The chain alone cannot show that its newest entries were cut off; the anchor, kept
    outside the database, remembers the furthest entry this installation has written.
    """
    path = Path(_app_of(session).instance_path) / ANCHOR_FILE
    earlier = session.info.get("audit_head")
    # Only the transaction that wrote the first entry may create the anchor.
    first = event.id == 1 or (earlier is not None and earlier[3])
    session.info["audit_head"] = (path, event.id, event.hash, first)


@sa_event.listens_for(OrmSession, "after_commit")
def _write_anchor(session: OrmSession) -> None:
    head = session.info.pop("audit_head", None)
    if head is not None:
        _raise_anchor(*head)


@sa_event.listens_for(OrmSession, "after_rollback")
def _forget_anchor(session: OrmSession) -> None:
    session.info.pop("audit_head", None)


def _raise_anchor(path: Path, event_id: int, event_hash: str, first: bool) -> None:
    """Write (id, hash) to the anchor unless it already names a later entry.

    Only the first entries of the log create the anchor. A missing or damaged anchor is left
    as found for `audit verify` to report: writing a fresh one would hide entries cut off
    the end.
    """
    try:
        mode = "a+" if first else "r+"
        anchor = open(path, mode, encoding="ascii", errors="replace")
    except FileNotFoundError:
        log.warning("The audit anchor %s is missing; entry %s was not anchored.", path, event_id)
        return
    with anchor:
        fcntl.flock(anchor, fcntl.LOCK_EX)
        anchor.seek(0)
        content = anchor.read()
        current = read_anchor_text(content)
        # An empty file is damaged too unless it was created just now, for the first entry.
        if current is None and (content or not first):
            log.warning(
                "The audit anchor %s is damaged; entry %s was not anchored.", path, event_id
            )
            return
        if current is not None and current[0] >= event_id:
            return
        anchor.seek(0)
        anchor.truncate()
        anchor.write(f"{format_head((event_id, event_hash))}\n")
        anchor.flush()
        os.fsync(anchor.fileno())


def read_anchor_text(text: str) -> tuple[int, str] | None:
    """Parse a head as the anchor file and `audit head` write it: "<id> <hash>"."""
    match = _HEAD.fullmatch(text.strip())
    if match is None:
        return None
    return int(match[1]), match[2]


def format_head(head: tuple[int, str]) -> str:
    """Return a head (id, hash) as one line of text: "<id> <hash>"."""
    return f"{head[0]} {head[1]}"


def read_anchor(instance_path: str | os.PathLike[str]) -> tuple[int, str] | None:
    """Return the (id, hash) the installation's anchor names, or None if there is no anchor.

    :raises AnchorError: if the anchor file cannot be read or does not hold a head.
    """
    path = Path(instance_path) / ANCHOR_FILE
    try:
        content = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not text"
        raise AnchorError(f"the anchor {path} cannot be read: {reason}") from None
    head = read_anchor_text(content)
    if head is None:
        raise AnchorError(f'the anchor {path} does not hold "<id> <hash>"; it was damaged')
    return head


def current_head(session: Session) -> tuple[int, str] | None:
    """Return the newest entry as (id, hash), to be kept apart from this server, or None."""
    newest = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    return None if newest is None else (newest.id, newest.hash)


def _app_of(session: Session) -> Flask:
    """Return the current application, or else the one whose database the session is on."""
    if has_app_context():
        return current_app._get_current_object()
    ref = _APPS.get(session.get_bind().engine)
    app = ref() if ref is not None else None
    if app is None:
        raise RuntimeError("the audit log is written within an application context")
    return app


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
    session: Session, *anchors: tuple[int, str], key: bytes | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk the chain; return the number of intact entries and the first break, if any.

    For each anchor (id, hash), the chain must still hold that entry unchanged: entries
    cut off the end are found too. Without key, the application's audit key is used.

    :raises AuditKeyError: if the log has entries and its key is missing or malformed.
    """
    expected_prev = GENESIS
    expected_id = 1
    count = 0
    for event in session.exec(select(AuditEvent).order_by(AuditEvent.id)):
        if key is None:
            # Not checked against the newest entry: a wrong key shows as a break at entry 1.
            key = audit_key(session, check=False)
        if event.id != expected_id:
            return count, ChainBreak(event.id, f"expected entry {expected_id} here")
        if event.prev_hash != expected_prev:
            return count, ChainBreak(event.id, "does not chain onto the entry before it")
        if not hmac.compare_digest(event.compute_hash(key), event.hash):
            reason = "its contents were changed"
            if event.id == 1:
                reason += ", or the audit key is not the one the log was written with"
            return count, ChainBreak(event.id, reason)
        for anchor_id, anchor_hash in anchors:
            if anchor_id == event.id and anchor_hash != event.hash:
                return count, ChainBreak(event.id, "it differs from the entry first written")
        expected_prev = event.hash
        expected_id += 1
        count += 1
    beyond = [anchor_id for anchor_id, _hash in anchors if anchor_id > count]
    if beyond:
        return count, ChainBreak(min(beyond), "it and the entries after it were removed")
    return count, None


def verify_log(session: Session, *heads: tuple[int, str]) -> tuple[int, ChainBreak | None]:
    """Verify the application's log against its anchor file and any heads kept elsewhere.

    A log with entries must have its anchor; an empty log needs none.

    :raises AnchorError: if the log has entries and the anchor is missing, or it is unreadable.
    :raises AuditKeyError: if the log has entries and its key is missing or malformed.
    """
    instance_path = _app_of(session).instance_path
    path = Path(instance_path) / ANCHOR_FILE
    anchor = read_anchor(instance_path)
    if anchor is None:
        newest = current_head(session)
        if newest is not None:
            raise AnchorError(
                f"the anchor {path} is missing although the log has entries up to "
                f"{newest[0]}, so entries cut off the end would go unnoticed: restore the file "
                "from its backup"
            )
        if (Path(instance_path) / "keys" / KEY_FILE).exists():
            # The key file is written with the first entry: a log that had one is not empty.
            raise AnchorError(
                f"the audit log is empty and the anchor {path} is missing, although the audit "
                "key shows that entries were written: the whole log was removed"
            )
        return verify(session, *heads)
    return verify(session, anchor, *heads)


def init_app(app: Flask) -> None:
    """Register the `audit` commands and the app as the one its database engine serves."""
    from .audit_commands import audit_group

    _APPS[app.extensions["db_engine"]] = weakref.ref(app)
    app.cli.add_command(audit_group)
    if os.environ.get(AUDIT_KEY_ENV):
        # A malformed key is a configuration error at start, not a 500 at the first log-in.
        try:
            load_audit_key(Path(app.instance_path))
        except AuditKeyError as error:
            from .config import ConfigurationError

            raise ConfigurationError(str(error)) from None
