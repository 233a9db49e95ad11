"""Transcripts: who may have one, storing a version (encrypted), reading one (audited).

A transcript is kept only for a respondent whose consent is in force (given, not
withdrawn); it needs no consent to recording, since it may be typed from notes. The check
is made when the respondent is chosen and again under the respondent's lock in the last
transaction of the version's upload (study/vault/service.py `upload`, `before_commit`), so
a withdrawal that arrives meanwhile wins. Every version is a vault file of kind
"transcript", encrypted to the respondent's key; its text never reaches a disk unencrypted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, func, select

from .. import audit
from ..accounts.models import User
from ..consent.services import current_record
from ..errors import UserError
from ..recordings.models import Recording
from ..respondents.models import Respondent
from ..respondents.services import respondents
from ..review import services as review
from ..studies.models import Study
from ..vault.models import VaultObject
from ..vault.service import Vault
from .models import Transcript, TranscriptVersion

KIND = "transcript"
MEDIA_TYPE = "text/plain; charset=utf-8"


def consented(session: Session, respondent: Respondent) -> bool:
    """Tell whether the respondent's consent is in force (given and not withdrawn)."""
    if respondent.withdrawn_at is not None:
        return False
    record = current_record(session, respondent)
    return record is not None and record.withdrawn_at is None


def transcribable(session: Session, study: Study) -> list[Respondent]:
    """Return the study's respondents whose consent is in force."""
    return [r for r in respondents(session, study) if consented(session, r)]


def require_consented(session: Session, respondent: Respondent) -> None:
    """Refuse a respondent whose consent is not in force.

    :raises UserError: at the field respondent.
    """
    if not consented(session, respondent):
        raise UserError(
            _l(
                "%(code)s has no consent in force: no transcript can be stored.",
                code=respondent.code,
            ),
            "respondent",
        )


def recordings_of(session: Session, study: Study) -> list[Recording]:
    """Return the study's recordings, oldest first (a transcript may name one)."""
    return list(
        session.exec(
            select(Recording).where(Recording.study_id == study.id).order_by(col(Recording.id))
        )
    )


def check_recording(
    session: Session, study: Study, respondent: Respondent, recording_id: int | None
) -> Recording | None:
    """Return the recording a new transcript names, which must be the respondent's.

    :raises UserError: at the field recording, when it is someone else's or gone.
    """
    if recording_id is None:
        return None
    recording = session.get(Recording, recording_id)
    if recording is None or recording.study_id != study.id:
        raise UserError(_l("This recording is no longer stored."), "recording")
    if recording.respondent_id != respondent.id:
        raise UserError(
            _l("This recording is of another respondent than %(code)s.", code=respondent.code),
            "recording",
        )
    return recording


def store_text(
    vault: Vault,
    respondent: Respondent,
    text: str,
    actor: User,
    write: Callable[[VaultObject], TranscriptVersion],
) -> TranscriptVersion:
    """Encrypt a version's text to the respondent's key and commit it with its rows.

    `write` gets the file's record in the upload's last transaction, under the respondent's
    lock, and writes the rows and the audit entry (begin or add_version). Commits, as the
    vault's upload does; on any error nothing is stored.

    :raises RespondentWithdrawnError: if the respondent has withdrawn meanwhile.
    :raises UserError: whatever `write` refuses.
    """
    written: list[TranscriptVersion] = []
    with vault.upload(
        respondent,
        kind=KIND,
        media_type=MEDIA_TYPE,
        actor_id=actor.id,
        before_commit=lambda stored: written.append(write(stored)),
    ) as upload:
        upload.write(text.encode("utf-8"))
    return written[0]


def begin(
    session: Session,
    study: Study,
    actor: User,
    respondent: Respondent,
    recording_id: int | None,
    stored: VaultObject,
    source: str,
) -> TranscriptVersion:
    """Write a new transcript and its first version for a file just stored (under the lock).

    :param source: the uploaded file's format, or "typed" for one written here.
    :raises UserError: when the consent is no longer in force or the recording is not the
        respondent's.
    """
    review.require_author(session, study, actor)
    require_consented(session, respondent)
    recording = check_recording(session, study, respondent, recording_id)
    transcript = Transcript(
        study_id=study.id,
        respondent_id=respondent.id,
        recording_id=recording.id if recording else None,
        first_object_id=stored.id,
        created_by=actor.id,
    )
    session.add(transcript)
    session.flush()
    version = _version(session, transcript, stored, 1, source, actor)
    audit.record(
        session,
        "transcript.saved" if source == "typed" else "transcript.uploaded",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"transcript:{transcript.id}",
        respondent=respondent.id,
        recording=transcript.recording_id,
        version=1,
        format=source,
        size=stored.size,
    )
    return version


def add_version(
    session: Session,
    study: Study,
    actor: User,
    transcript: Transcript,
    stored: VaultObject,
    *,
    base: int,
) -> TranscriptVersion:
    """Write the next version of a transcript for a file just stored (under the lock).

    :param base: the version the editor started from; a newer one saved meanwhile wins.
    :raises UserError: when the consent is no longer in force, or another version was
        saved since `base`.
    """
    review.require_author(session, study, actor)
    respondent = session.get(Respondent, transcript.respondent_id)
    assert respondent is not None
    require_consented(session, respondent)
    latest = latest_number(session, transcript)
    if latest != base:
        raise UserError(
            _l(
                "Version %(n)d was saved while you were editing. Your text is still in the "
                "editor: compare it with the newest version, then save again.",
                n=latest,
            ),
            "text",
        )
    version = _version(session, transcript, stored, latest + 1, "edited", actor)
    audit.record(
        session,
        "transcript.saved",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"transcript:{transcript.id}",
        version=version.number,
        size=stored.size,
    )
    return version


def add_pseudonymized(
    session: Session,
    study: Study,
    actor: User,
    transcript: Transcript,
    stored: VaultObject,
    *,
    base: int,
) -> TranscriptVersion:
    """Write a pseudonymized version, made from version `base`, for a file just stored.

    It is the next version, marked pseudonymized: what the study's export takes. The
    pseudonymization's own checks (the code key, what remains) come before this.

    :raises UserError: when the consent is no longer in force, or another version was
        saved since `base`.
    """
    review.require_author(session, study, actor)
    respondent = session.get(Respondent, transcript.respondent_id)
    assert respondent is not None
    require_consented(session, respondent)
    latest = latest_number(session, transcript)
    if latest != base:
        raise UserError(
            _l("Version %(n)d was saved meanwhile: pseudonymize the newest version.", n=latest)
        )
    version = _version(
        session, transcript, stored, latest + 1, "pseudonymized", actor, pseudonymized=True
    )
    audit.record(
        session,
        "transcript.pseudonymized",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"transcript:{transcript.id}",
        version=version.number,
        base=base,
        size=stored.size,
    )
    return version


def _version(
    session: Session,
    transcript: Transcript,
    stored: VaultObject,
    number: int,
    source: str,
    actor: User,
    *,
    pseudonymized: bool = False,
) -> TranscriptVersion:
    version = TranscriptVersion(
        transcript_id=transcript.id,
        number=number,
        vault_object_id=stored.id,
        source=source,
        pseudonymized=pseudonymized,
        created_by=actor.id,
    )
    session.add(version)
    session.flush()
    return version


def latest_number(session: Session, transcript: Transcript) -> int:
    """Return the number of the transcript's newest version (0 if it has none)."""
    return session.exec(
        select(func.coalesce(func.max(TranscriptVersion.number), 0)).where(
            TranscriptVersion.transcript_id == transcript.id
        )
    ).one()


@dataclass(frozen=True)
class Listed:
    """A transcript as the study's list shows it."""

    transcript: Transcript
    code: str
    versions: int
    updated_at: datetime


def transcripts(session: Session, study: Study) -> list[Listed]:
    """Return the study's transcripts, most recently saved first."""
    counts = (
        select(
            TranscriptVersion.transcript_id,
            func.count().label("versions"),
            func.max(TranscriptVersion.created_at).label("updated_at"),
        )
        .group_by(TranscriptVersion.transcript_id)
        .subquery()
    )
    rows = session.exec(
        select(Transcript, Respondent.code, counts.c.versions, counts.c.updated_at)
        .join(Respondent, col(Respondent.id) == Transcript.respondent_id)
        .join(counts, counts.c.transcript_id == Transcript.id)
        .where(Transcript.study_id == study.id)
        .order_by(counts.c.updated_at.desc(), col(Transcript.id).desc())
    )
    return [Listed(t, code, n, updated) for t, code, n, updated in rows]


def transcript_of(session: Session, study: Study, transcript_id: int) -> Transcript | None:
    """Return the study's transcript with this id, if it has one."""
    found = session.get(Transcript, transcript_id)
    return found if found is not None and found.study_id == study.id else None


def versions(session: Session, transcript: Transcript) -> list[TranscriptVersion]:
    """Return the transcript's versions, newest first."""
    return list(
        session.exec(
            select(TranscriptVersion)
            .where(TranscriptVersion.transcript_id == transcript.id)
            .order_by(col(TranscriptVersion.number).desc())
        )
    )


def read_version(
    vault: Vault, study: Study, actor: User, transcript: Transcript, version: TranscriptVersion
) -> str:
    """Return a version's text for the page that shows it: one audit entry per view.

    The entry (and the vault's own of the decryption) is committed before the text is
    returned.

    :raises KeyDestroyedError: if the respondent's key was destroyed.
    """
    review.require_author(vault.session, study, actor)
    audit.record(
        vault.session,
        "transcript.viewed",
        actor_id=actor.id,
        study_id=study.id,
        subject=f"transcript:{transcript.id}",
        version=version.number,
    )
    return decrypt(vault, actor, version, purpose="transcript")


def decrypt(vault: Vault, actor: User, version: TranscriptVersion, *, purpose: str) -> str:
    """Return a version's text; the decryption is audited (and committed) by the vault.

    :raises KeyDestroyedError: if the respondent's key was destroyed.
    """
    stored = vault.session.get(VaultObject, version.vault_object_id)
    assert stored is not None
    with vault.open(stored, actor_id=actor.id, purpose=purpose) as reader:
        return reader.readall().decode("utf-8")
