"""Recordings: who may be recorded, the upload's checks, the duration, playback.

Only a respondent whose consent in force covers recording gets a recording: the choice on
the page lists no one else, and the check is made again under the respondent's lock just
before the upload commits (study/vault/service.py `upload`, `before_commit`), so a
withdrawal or a changed consent that arrives while the file streams in wins.
"""

from __future__ import annotations

import mutagen
from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlmodel import Session, col, select

from .. import audit
from ..accounts.models import User
from ..closing import retention
from ..consent.models import RECORDING_ITEMS, RECORDING_KIND
from ..consent.services import current_record
from ..errors import UserError
from ..models import utcnow
from ..respondents.models import Respondent
from ..respondents.services import respondents
from ..review import services as review
from ..studies.models import Study
from ..uploads import UploadRefusedError
from ..vault.models import VaultObject
from ..vault.reader import AgeReader
from ..vault.service import Vault
from .formats import HEAD_SIZE, Format, sniff
from .models import Recording

KIND = RECORDING_KIND


def covers_recording(session: Session, respondent: Respondent, *, video: bool = False) -> bool:
    """Tell whether the respondent's consent in force covers recording (with `video`, on video)."""
    if respondent.withdrawn_at is not None:
        return False
    record = current_record(session, respondent)
    if record is None or record.withdrawn_at is not None:
        return False
    if video:
        return bool(record.items.get("video_recording"))
    return any(record.items.get(item) for item in RECORDING_ITEMS)


def recordable(session: Session, study: Study) -> list[Respondent]:
    """Return the study's respondents whose consent covers a recording (none once closed)."""
    if not open_for_material(session, study):
        return []
    return [r for r in respondents(session, study) if covers_recording(session, r)]


def open_for_material(session: Session, study: Study) -> bool:
    """Tell whether the study may store new material: not closed, its retention date ahead."""
    if study.closed_at is not None:
        return False
    kept = retention.retention_date(session, study)
    return kept is None or utcnow().date() <= kept


def require_covered(session: Session, respondent: Respondent, *, video: bool = False) -> None:
    """Refuse a respondent whose consent does not cover this recording.

    :raises UserError: at the field respondent.
    """
    study = session.get(Study, respondent.study_id)
    if study is None or not open_for_material(session, study):
        raise UserError(
            _l("The study is closed or past its retention date: nothing new is stored."),
            "respondent",
        )
    if not covers_recording(session, respondent, video=video):
        message = (
            _l(
                "This file may hold video, and %(code)s has not consented to being filmed.",
                code=respondent.code,
            )
            if video and covers_recording(session, respondent)
            else _l(
                "%(code)s has not consented to being recorded: nothing can be stored.",
                code=respondent.code,
            )
        )
        raise UserError(message, "respondent")


class SniffingSink:
    """Pass an upload's bytes to the vault, refusing a file whose first bytes are no recording."""

    def __init__(self, sink) -> None:
        self.sink = sink
        self.head = b""
        self.format: Format | None = None
        #: The recording's row, once the upload's last transaction has written it.
        self.recording: Recording | None = None

    def write(self, data: bytes | bytearray | memoryview) -> int:
        """Write data on; once the first bytes are in, the format must be one we take.

        :raises UploadRefusedError: when the first bytes are no recording's.
        """
        if self.format is None:
            self.head += bytes(data[: HEAD_SIZE - len(self.head)])
            if len(self.head) >= HEAD_SIZE:
                self.require_format()
        return self.sink.write(data)

    def require_format(self) -> Format:
        """Return the format the first bytes show.

        :raises UploadRefusedError: when they show none the app takes.
        """
        self.format = self.format or sniff(self.head)
        if self.format is None or len(self.head) < HEAD_SIZE:
            raise UploadRefusedError
        return self.format

    @property
    def video(self) -> bool:
        """Tell whether the file may carry pictures as well as sound."""
        return self.format is not None and not self.format.sound_only(self.head)


def record(
    session: Session,
    study: Study,
    actor: User,
    respondent: Respondent,
    stored: VaultObject,
    found: Format,
    *,
    video: bool = False,
) -> Recording:
    """Write the recording's row for a file just stored, under the respondent's lock.

    :raises UserError: when the respondent's consent no longer covers recording.
    """
    review.require_author(session, study, actor)
    require_covered(session, respondent, video=video)
    stored.media_type = found.media_type
    session.add(stored)
    recording = Recording(
        study_id=study.id,
        respondent_id=respondent.id,
        vault_object_id=stored.id,
        format=found.name,
        created_by=actor.id,
    )
    session.add(recording)
    session.flush()
    audit.record(
        session,
        "recording.uploaded",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"recording:{recording.id}",
        respondent=respondent.id,
        format=found.name,
        size=stored.size,
    )
    return recording


def measure(vault: Vault, recording: Recording, actor: User) -> float | None:
    """Read the recording's duration from its decrypted bytes (in memory) and keep it.

    Best effort: the recording is stored already, so a file mutagen cannot read, a header
    that asks for more than READ_LIMIT at once, or a withdrawal meanwhile leaves it without
    a duration. The decryption is an audit entry (committed by the vault).
    """
    stored = vault.session.get(VaultObject, recording.vault_object_id)
    if stored is None:
        return None
    try:
        with vault.open(stored, actor_id=actor.id, purpose="duration") as reader:
            found = mutagen.File(_Capped(reader))
    except Exception:  # noqa: BLE001 - mutagen raises many kinds on damaged files
        return None
    if found is None or found.info is None or not getattr(found.info, "length", 0):
        return None
    seconds = float(found.info.length)
    vault.session.execute(
        update(Recording).where(col(Recording.id) == recording.id).values(duration_seconds=seconds)
    )
    recording.duration_seconds = seconds
    return seconds


#: The most mutagen may read at once: a header may claim any size for a chunk.
READ_LIMIT = 16 * 1024 * 1024


class _Capped:
    """A reader that refuses single reads larger than READ_LIMIT (memory stays small)."""

    def __init__(self, reader: AgeReader) -> None:
        self.reader = reader

    def read(self, size: int = -1) -> bytes:
        """Read at most READ_LIMIT bytes (all that is left, when no size is given).

        :raises ValueError: when more are asked for at once.
        """
        if size is None or size < 0:
            # "The rest": fine near the end (mutagen reads a tag footer so), not from the start.
            size = self.reader.size - self.reader.tell()
        if size > READ_LIMIT:
            raise ValueError("read too large")
        return self.reader.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        """Seek the underlying reader."""
        return self.reader.seek(offset, whence)

    def tell(self) -> int:
        """Tell the underlying reader's position."""
        return self.reader.tell()


def recordings(session: Session, study: Study) -> list[tuple[Recording, Respondent, VaultObject]]:
    """Return the study's recordings with their respondents and files, newest first."""
    return list(
        session.exec(
            select(Recording, Respondent, VaultObject)
            .join(Respondent, col(Respondent.id) == Recording.respondent_id)
            .join(VaultObject, col(VaultObject.id) == Recording.vault_object_id)
            .where(Recording.study_id == study.id)
            .order_by(col(Recording.id).desc())
        )
    )


def recording_of(session: Session, study: Study, recording_id: int) -> Recording | None:
    """Return the study's recording with this id, if it has one."""
    found = session.get(Recording, recording_id)
    return found if found is not None and found.study_id == study.id else None


def start_playback(session: Session, study: Study, actor: User, recording: Recording) -> None:
    """Write one audit entry for a playback session (its Range requests write none)."""
    review.require_author(session, study, actor)
    audit.record(
        session,
        "recording.played",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"recording:{recording.id}",
    )


def open_for_playback(vault: Vault, recording: Recording) -> tuple[AgeReader, str]:
    """Return a seekable reader of the recording's plaintext and its media type.

    No audit entry of its own: the playback session it belongs to has one (start_playback).

    :raises KeyDestroyedError: if the respondent's key was destroyed.
    """
    stored = vault.session.get(VaultObject, recording.vault_object_id)
    assert stored is not None
    identity = vault.identity(stored.respondent_id, None)
    source = vault.storage.open(stored.object_id)
    try:
        return AgeReader(source, [identity], close_source=True), stored.media_type
    except BaseException:
        source.close()
        raise


def record_download(session: Session, study: Study, actor: User, recording: Recording) -> None:
    """Write the download of an original recording to the audit log."""
    review.require_author(session, study, actor)
    audit.record(
        session,
        "recording.downloaded",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"recording:{recording.id}",
    )
