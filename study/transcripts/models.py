"""A transcript of an interview and its versions, each an encrypted file of the vault."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow


class Transcript(SQLModel, table=True):
    """One interview's transcript: whose it is, the recording it transcribes, its versions.

    The row goes with its files: it hangs on the file of its first version (never deleted
    alone), so a withdrawal, which destroys every file of the respondent, removes the
    transcript and its versions too (the database cascades).
    """

    __tablename__ = "transcript"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    respondent_id: int = Field(foreign_key="respondent.id", index=True)
    recording_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("recording.id", ondelete="SET NULL"), index=True),
    )
    first_object_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("vault_object.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class TranscriptVersion(SQLModel, table=True):
    """One saved version of a transcript: its text is a vault file (kind "transcript").

    Versions are never changed: every save, upload or edit, adds the next number.
    """

    __tablename__ = "transcript_version"
    __table_args__ = (UniqueConstraint("transcript_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    transcript_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("transcript.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    number: int
    vault_object_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("vault_object.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    #: Where the text came from: the format of an uploaded file ("docx", "vtt" …), "typed"
    #: for a transcript written in the browser, "edited" for a save in the editor.
    source: str = Field(max_length=16)
    #: The text with identifiers replaced by pseudonyms (the code key's), made from the
    #: version before it: what may leave the app in the study's export.
    pseudonymized: bool = False
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
