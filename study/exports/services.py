"""Exports: what a study's archive holds, writing it in the background, and its life after.

A member of the study asks for an export; the pseudonymized transcripts always go in, and
the supervisor alone may add the raw material (recordings and transcripts as stored). The
archive is written on a thread of the process that was asked (`launch`), into the export
folder, encrypted to an age recipient or a passphrase its owner gives: the secret lives in
that thread's memory only, never in the database, the session or a log. Progress is kept in
the export's row, so any process can show it; a running export whose row has not moved for
STALE is dead (its process went away) and shows as failed.

An archive stays KEEP, then goes; its owner may delete it sooner; a withdrawal or the
study's retention deletes every archive of the study (and stops one being written), since
they may hold the respondent's material.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from flask import Flask, current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlmodel import Session, col, select

from .. import audit
from ..accounts.models import User
from ..errors import UserError
from ..models import utcnow
from ..recordings.models import Recording
from ..respondents.models import Respondent
from ..studies.models import MemberRole, Study
from ..studies.services import membership
from ..transcripts.models import Transcript, TranscriptVersion
from ..vault.age import Recipient
from ..vault.models import VaultObject
from ..vault.service import get_vault
from ..vault.storage import FileSystemStorage, MemoryStorage, Storage
from ..vault.transaction import after_commit
from . import archive
from .models import Export, ExportState

log = logging.getLogger(__name__)

#: How long a finished archive waits to be downloaded.
KEEP = timedelta(hours=24)
#: A running export not heard from this long belongs to a process that is gone.
STALE = timedelta(minutes=5)
#: Progress is written to the row at most this often (in bytes of material read).
PROGRESS_STEP = 16 << 20


class StoppedError(Exception):
    """The export was deleted while it was being written (a withdrawal, its owner)."""


@dataclass(frozen=True)
class Planned:
    """A file the archive will hold: where it goes inside, and the vault file it comes from."""

    path: str
    stored: VaultObject
    compress: bool


# What goes in -------------------------------------------------------------------------------


def plan(session: Session, study: Study, *, raw: bool) -> list[Planned]:
    """Return the files an archive of the study holds, pseudonymized first.

    Pseudonymized: each transcript's newest pseudonymized version. Raw (when asked): each
    recording as uploaded and each transcript's newest version that is not pseudonymized.
    Withdrawn respondents have nothing left to hold.
    """
    rows = session.exec(
        select(Transcript, TranscriptVersion, Respondent.code, VaultObject)
        .join(TranscriptVersion, col(TranscriptVersion.transcript_id) == Transcript.id)
        .join(Respondent, col(Respondent.id) == Transcript.respondent_id)
        .join(VaultObject, col(VaultObject.id) == TranscriptVersion.vault_object_id)
        .where(Transcript.study_id == study.id)
        .order_by(col(Respondent.code), col(Transcript.id), col(TranscriptVersion.number).desc())
    ).all()
    newest: dict[tuple[int, bool], Planned] = {}
    for transcript, version, code, stored in rows:
        key = (transcript.id, version.pseudonymized)
        if key in newest:
            continue
        folder = "pseudonymized" if version.pseudonymized else "raw/transcripts"
        name = f"{folder}/{code}-transcript-{transcript.id}-v{version.number}.txt"
        newest[key] = Planned(name, stored, compress=True)
    planned = [p for (_id, pseudonymized), p in newest.items() if pseudonymized]
    if raw:
        recordings = session.exec(
            select(Recording, Respondent.code, VaultObject)
            .join(Respondent, col(Respondent.id) == Recording.respondent_id)
            .join(VaultObject, col(VaultObject.id) == Recording.vault_object_id)
            .where(Recording.study_id == study.id)
            .order_by(col(Respondent.code), col(Recording.id))
        ).all()
        planned += [
            Planned(f"raw/recordings/{code}-recording-{r.id}.{r.format}", stored, compress=False)
            for r, code, stored in recordings
        ]
        planned += [p for (_id, pseudonymized), p in newest.items() if not pseudonymized]
    return planned


def may_export_raw(session: Session, study: Study, actor: User) -> bool:
    """Tell whether the actor may add the raw material: the study's supervisor alone."""
    member = membership(session, study.id, actor)
    return member is not None and member.role is MemberRole.SUPERVISOR


# Asking, and writing in the background ------------------------------------------------------


def start(
    session: Session, study: Study, actor: User, *, raw: bool, protection: str
) -> tuple[Export, list[Planned]]:
    """Record a new export of the study for the actor, and return it with what it will hold.

    :raises UserError: when the actor is not a member, asks for the raw material without
        being the supervisor, has an export of the study still running, or there is
        nothing to export.
    """
    if membership(session, study.id, actor) is None:
        raise UserError(_l("Only the study's members export its material."))
    if raw and not may_export_raw(session, study, actor):
        raise UserError(_l("Only the study's supervisor may export the raw material."), "raw")
    expire_dead(session)
    running = session.exec(
        select(Export.id).where(
            Export.study_id == study.id,
            Export.requested_by == actor.id,
            Export.state == ExportState.RUNNING,
        )
    ).first()
    if running is not None:
        raise UserError(_l("An export of this study is being written: wait until it is ready."))
    planned = plan(session, study, raw=raw)
    if not planned:
        raise UserError(
            _l("There is nothing to export yet: no transcript of the study is pseudonymized."),
            "raw",
        )
    export = Export(
        study_id=study.id,
        requested_by=actor.id,
        raw=raw,
        protection=protection,
        files_total=len(planned),
        bytes_total=sum(p.stored.size for p in planned),
    )
    session.add(export)
    session.flush()
    audit.record(
        session,
        "export.started",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"export:{export.id}",
        raw=raw,
        protection=protection,
        files=len(planned),
    )
    return export, planned


def launch(export_id: int, recipients: Sequence[Recipient], language: str) -> threading.Thread:
    """Write the export on a thread of this process; the recipients stay in its memory only.

    Call after the export's row is committed.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    thread = threading.Thread(
        target=write,
        args=(app, export_id, list(recipients), language),
        name=f"export-{export_id}",
        daemon=False,
    )
    thread.start()
    return thread


def write(app: Flask, export_id: int, recipients: Sequence[Recipient], language: str) -> None:
    """Write the archive of an export that was started, then mark it ready (or failed).

    Runs on its own thread with its own session. A deletion while it writes (a withdrawal,
    the owner) stops it at the next step and leaves no file.
    """
    with app.app_context(), Session(app.extensions["db_engine"], expire_on_commit=False) as db:
        export = db.get(Export, export_id)
        assert export is not None
        storage = export_storage(app)
        object_id = f"study-{export.study_id}/export-{export.id}-{uuid.uuid4().hex}.zip.age"
        try:
            with force_locale(language):
                size = _write_archive(db, export, storage, object_id, recipients)
        except StoppedError:
            db.rollback()
            return
        except Exception:
            db.rollback()
            log.exception("export %s failed", export_id)
            _finish_failed(db, export_id)
            return
        _finish_ready(db, export, storage, object_id, size)


def _write_archive(
    db: Session, export: Export, storage: Storage, object_id: str, recipients: Sequence[Recipient]
) -> int:
    """Write the archive into storage under object_id; return its size."""
    study = db.get(Study, export.study_id)
    owner = db.get(User, export.requested_by)
    assert study is not None and owner is not None
    vault = get_vault(db)
    planned = plan(db, study, raw=export.raw)
    if not planned:
        raise StoppedError

    @contextmanager
    def opened(stored: VaultObject) -> Iterator[BinaryIO]:
        with vault.open(stored, actor_id=owner.id, purpose="export") as reader:
            yield reader

    members = [
        archive.Member(p.path, p.stored.size, lambda s=p.stored: opened(s), p.compress)
        for p in planned
    ]
    reported = [0]

    def progress(files: int, done: int) -> None:
        if done - reported[0] < PROGRESS_STEP and files < len(members):
            return
        reported[0] = done
        _report(db, export.id, files, done)

    now = utcnow()

    def readme(written: list[archive.Written]) -> str:
        # Straight from the environment: no request here, so no request's context processors.
        template = current_app.jinja_env.get_template("exports/readme.txt")
        return template.render(study=study, owner=owner, export=export, written=written, now=now)

    _report(db, export.id, 0, 0, totals=(len(members), sum(m.size for m in members)))
    with storage.writer(object_id) as sink:
        archive.write(sink, recipients, members, readme, progress, when=now)
    assert sink.stored is not None
    return sink.stored.size


def _report(
    db: Session, export_id: int, files: int, done: int, *, totals: tuple[int, int] | None = None
) -> None:
    """Write progress in its own transaction; stop if the export was deleted meanwhile.

    :param totals: the files and bytes the archive holds, as the writer found them.
    """
    values: dict[str, object] = {"files_done": files, "bytes_done": done, "updated_at": utcnow()}
    if totals is not None:
        values["files_total"], values["bytes_total"] = totals
    moved = db.execute(
        update(Export)
        .where(col(Export.id) == export_id, col(Export.state) == ExportState.RUNNING)
        .values(**values)
    ).rowcount
    db.commit()
    if not moved:
        raise StoppedError


def _finish_ready(db: Session, export: Export, storage: Storage, object_id: str, size: int) -> None:
    now = utcnow()
    done = db.execute(
        update(Export)
        .where(col(Export.id) == export.id, col(Export.state) == ExportState.RUNNING)
        .values(
            state=ExportState.READY,
            object_id=object_id,
            size=size,
            files_done=export.files_total,
            bytes_done=export.bytes_total,
            updated_at=now,
            finished_at=now,
            expires_at=now + KEEP,
        )
    ).rowcount
    if not done:
        # Deleted while its last bytes were written: the file goes too.
        db.rollback()
        storage.delete(object_id, missing_ok=True)
        return
    audit.record(
        db,
        "export.ready",
        actor_id=export.requested_by,
        study_id=export.study_id,
        subject=f"export:{export.id}",
        size=size,
    )
    db.commit()


def _finish_failed(db: Session, export_id: int) -> None:
    export = db.get(Export, export_id)
    if export is None or export.state is not ExportState.RUNNING:
        return
    export.state = ExportState.FAILED
    export.reason = "error"
    export.updated_at = export.finished_at = utcnow()
    db.add(export)
    audit.record(
        db,
        "export.failed",
        actor_id=export.requested_by,
        study_id=export.study_id,
        subject=f"export:{export.id}",
    )
    db.commit()


# After --------------------------------------------------------------------------------------


def exports_of(session: Session, study: Study, actor: User) -> list[Export]:
    """Return the actor's last exports of the study, newest first (deleted ones too)."""
    return list(
        session.exec(
            select(Export)
            .where(Export.study_id == study.id, Export.requested_by == actor.id)
            .order_by(col(Export.id).desc())
            .limit(10)
        )
    )


def export_of(session: Session, study: Study, actor: User, export_id: int) -> Export | None:
    """Return the actor's export of the study with this id, if there is one."""
    found = session.get(Export, export_id)
    if found is None or found.study_id != study.id or found.requested_by != actor.id:
        return None
    return found


def open_archive(session: Session, export: Export, actor: User) -> BinaryIO:
    """Return the ready archive's file for its owner to download; audited.

    :raises UserError: when it is not ready (still written, failed, deleted or expired).
    """
    if state_of(export) is not ExportState.READY or export.object_id is None:
        raise UserError(_l("This export can no longer be downloaded."))
    audit.record(
        session,
        "export.downloaded",
        actor_id=actor.id,
        study_id=export.study_id,
        subject=f"export:{export.id}",
    )
    session.commit()
    return export_storage(current_app).open(export.object_id)


def delete(session: Session, export: Export, actor: User, *, reason: str = "owner") -> None:
    """Delete an export: its file once this commits; one being written stops."""
    if export.state in (ExportState.DELETED, ExportState.FAILED) and export.object_id is None:
        return
    _delete(session, [export], reason)
    audit.record(
        session,
        "export.deleted",
        actor_id=actor.id,
        study_id=export.study_id,
        subject=f"export:{export.id}",
        reason=reason,
    )


def delete_for_study(session: Session, study_id: int, *, reason: str) -> int:
    """Delete every archive of the study and stop those being written; return how many.

    A withdrawal and the retention run call this: an archive may hold what must go.
    """
    alive = list(
        session.exec(
            select(Export).where(
                Export.study_id == study_id,
                col(Export.state).in_([ExportState.RUNNING, ExportState.READY]),
            )
        )
    )
    _delete(session, alive, reason)
    return len(alive)


def expire_dead(session: Session) -> None:
    """Delete archives past their time, and mark exports whose writer went away as failed."""
    now = utcnow()
    expired = list(
        session.exec(
            select(Export).where(Export.state == ExportState.READY, col(Export.expires_at) <= now)
        )
    )
    _delete(session, expired, "expired")
    session.execute(
        update(Export)
        .where(col(Export.state) == ExportState.RUNNING, col(Export.updated_at) < now - STALE)
        .values(state=ExportState.FAILED, reason="interrupted", finished_at=now)
    )
    session.flush()


def _delete(session: Session, exports: list[Export], reason: str) -> None:
    files = [e.object_id for e in exports if e.object_id]
    now = utcnow()
    for export in exports:
        export.state = ExportState.DELETED
        export.reason = reason
        export.object_id = None
        export.finished_at = export.finished_at or now
        export.updated_at = now
        session.add(export)
    session.flush()
    if files:
        storage = export_storage(current_app)
        after_commit(session, lambda _session: _unlink(storage, files))


def _unlink(storage: Storage, files: list[str]) -> None:
    for object_id in files:
        storage.delete(object_id, missing_ok=True)


def sweep(session: Session) -> int:
    """Expire what is due and remove the files no export row names; return files removed.

    `retention run` calls this every night: it also takes away what a killed writer left.
    """
    expire_dead(session)
    session.commit()
    storage = export_storage(current_app)
    named = set(session.exec(select(Export.object_id).where(col(Export.object_id).is_not(None))))
    cutoff = utcnow() - STALE
    removed = 0
    for name, written_at in list(storage.unfinished()):
        if written_at < cutoff:
            storage.delete_unfinished(name)
            removed += 1
    for object_id, stored_at in list(storage.listing()):
        if object_id not in named and stored_at < cutoff:
            storage.delete(object_id, missing_ok=True)
            removed += 1
    return removed


# The folder ---------------------------------------------------------------------------------


def export_storage(app: Flask) -> Storage:
    """Return the folder archives are written to (beside the vault's, never inside it)."""
    storage = app.extensions.get("export_storage")
    if storage is None:
        if app.config["VAULT_BACKEND"] == "memory":
            storage = MemoryStorage()
        else:
            storage = FileSystemStorage(app.config["EXPORT_PATH"])
        app.extensions["export_storage"] = storage
    return storage


def state_of(export: Export) -> ExportState:
    """Return the export's state as it is now: a dead writer's failed, an expired one deleted.

    The row itself is brought up to date by the next export started and by the nightly
    sweep; a page only reads.
    """
    now = utcnow()
    if export.state is ExportState.RUNNING and export.updated_at < now - STALE:
        return ExportState.FAILED
    if export.state is ExportState.READY and export.expires_at and export.expires_at <= now:
        return ExportState.DELETED
    return export.state


def progress_of(export: Export) -> dict[str, object]:
    """Return what the page shows of an export's progress (also as JSON while it runs)."""
    state = state_of(export)
    percent = 100 if state is ExportState.READY else 0
    if state is ExportState.RUNNING and export.bytes_total:
        percent = min(99, export.bytes_done * 100 // export.bytes_total)
    return {
        "state": str(state),
        "files_done": export.files_done,
        "files_total": export.files_total,
        "percent": percent,
    }
