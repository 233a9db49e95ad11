"""Recordings: who may be recorded, the upload's checks, the duration, playback.

Only a respondent whose consent in force covers recording gets a recording: the choice on
the page lists no one else, and the check is made again under the respondent's lock just
before the upload commits (study/vault/service.py `upload`, `before_commit`), so a
withdrawal or a changed consent that arrives while the file streams in wins.
"""

from __future__ import annotations

import mutagen
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from .. import audit
from ..accounts.models import User
from ..consent.services import current_record
from ..errors import UserError
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

#: The consent items that cover a recording of the interview.
RECORDING_ITEMS = ("audio_recording", "video_recording")
KIND = "recording"


def covers_recording(session: Session, respondent: Respondent) -> bool:
    """Tell whether the respondent's consent in force covers recording the interview."""
    if respondent.withdrawn_at is not None:
        return False
    record = current_record(session, respondent)
    if record is None or record.withdrawn_at is not None:
        return False
    return any(record.items.get(item) for item in RECORDING_ITEMS)


def recordable(session: Session, study: Study) -> list[Respondent]:
    """Return the study's respondents whose consent covers a recording."""
    return [r for r in respondents(session, study) if covers_recording(session, r)]


def require_covered(session: Session, respondent: Respondent) -> None:
    """Refuse a respondent whose consent does not cover recording.

    :raises UserError: at the field respondent.
    """
    if not covers_recording(session, respondent):
        raise UserError(
            _l(
                "%(code)s has not consented to being recorded: nothing can be stored.",
                code=respondent.code,
            ),
            "respondent",
        )


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
        if self.format is None:
            raise UploadRefusedError
        return self.format


def record(
    session: Session,
    study: Study,
    actor: User,
    respondent: Respondent,
    stored: VaultObject,
    found: Format,
) -> Recording:
    """Write the recording's row for a file just stored, under the respondent's lock.

    :raises UserError: when the respondent's consent no longer covers recording.
    """
    review.require_author(session, study, actor)
    require_covered(session, respondent)
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

    The decryption is an audit entry (committed by the vault). A file mutagen cannot read
    keeps no duration.
    """
    stored = vault.session.get(VaultObject, recording.vault_object_id)
    assert stored is not None
    with vault.open(stored, actor_id=actor.id, purpose="duration") as reader:
        try:
            found = mutagen.File(reader)
        except (mutagen.MutagenError, ValueError, OSError):
            found = None
    if found is not None and found.info is not None and found.info.length:
        recording.duration_seconds = float(found.info.length)
        vault.session.add(recording)
        vault.session.flush()
    return recording.duration_seconds


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
