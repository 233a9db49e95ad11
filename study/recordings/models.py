"""A recording of an interview: the encrypted file it is, and what is known of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Integer
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow


class Recording(SQLModel, table=True):
    """One interview recording, stored in the vault encrypted to its respondent's key.

    The row goes with its file: a withdrawal that destroys the file removes it too (the
    database cascades). No file name is kept: students name files after people.
    """

    __tablename__ = "recording"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    respondent_id: int = Field(foreign_key="respondent.id", index=True)
    vault_object_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("vault_object.id", ondelete="CASCADE"), nullable=False, unique=True
        )
    )
    #: The format found in the file's first bytes ("wav", "mp3" …).
    format: str = Field(max_length=16)
    duration_seconds: float | None = None
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
