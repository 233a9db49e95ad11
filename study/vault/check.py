"""Storage and records side by side: every recorded file present and intact, no file unrecorded.

A crash between storing a file and committing its record leaves an orphan: ciphertext
nothing refers to. The check finds those, and files that are missing, cut or altered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, select

from ..models import utcnow
from .models import VaultObject
from .storage import ObjectNotFoundError, Storage

_READ_SIZE = 1 << 20
#: An unrecorded file younger than this may be an upload whose record is being committed.
ORPHAN_GRACE = timedelta(hours=1)


@dataclass
class CheckReport:
    """What a check found; each list holds object ids."""

    checked: int = 0
    missing: list[str] = field(default_factory=list)
    altered: list[str] = field(default_factory=list)
    orphans: list[str] = field(default_factory=list)
    removed_orphans: list[str] = field(default_factory=list)
    #: Temporary files of writes that never ended (a killed upload), and those removed.
    unfinished: list[str] = field(default_factory=list)
    removed_unfinished: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every record has its intact file (orphans are only untidy)."""
        return not (self.missing or self.altered)


def check_storage(
    session: Session,
    storage: Storage,
    *,
    backend: str,
    remove_orphans: bool = False,
    now: datetime | None = None,
) -> CheckReport:
    """Compare every record of this backend with its stored file, then look for orphans."""
    report = CheckReport()
    unfinished = list(storage.unfinished())
    listed = list(storage.listing())  # before the records, so a new upload is never an orphan
    recorded = session.exec(select(VaultObject).where(VaultObject.backend == backend)).all()
    for row in recorded:
        report.checked += 1
        try:
            size, digest = _measure(storage, row.object_id)
        except ObjectNotFoundError:
            report.missing.append(row.object_id)
            continue
        if (size, digest) != (row.size, row.sha256):
            report.altered.append(row.object_id)
    known = {row.object_id for row in recorded}
    cutoff = (now or utcnow()) - ORPHAN_GRACE
    for object_id, stored_at in listed:
        if object_id in known or stored_at > cutoff:
            continue
        report.orphans.append(object_id)
        if remove_orphans:
            storage.delete(object_id, missing_ok=True)
            report.removed_orphans.append(object_id)
    for name, written_at in unfinished:
        # A write still streaming touches its file all the time; one untouched this long
        # belongs to a process that is gone.
        if written_at > cutoff:
            continue
        report.unfinished.append(name)
        if remove_orphans:
            storage.delete_unfinished(name)
            report.removed_unfinished.append(name)
    return report


def _measure(storage: Storage, object_id: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with storage.open(object_id) as source:
        while block := source.read(_READ_SIZE):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()
