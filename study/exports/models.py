"""An archive export: who asked for what, how far it has come, and where its file is."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Column
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, enum_column, utcnow


class ExportState(StrEnum):
    """Where an export is: being written, ready to download, or gone."""

    RUNNING = "running"
    READY = "ready"
    #: It stopped before its end (an error, or the process that wrote it went away).
    FAILED = "failed"
    #: Its file was deleted: by its owner, on expiry, or because a respondent withdrew.
    DELETED = "deleted"


class Export(SQLModel, table=True):
    """One archive of a study's material, encrypted to a recipient or passphrase of its owner.

    The row holds no secret and no content: the archive is an age file in the export
    folder that only the owner's identity or passphrase opens. Progress is counted in
    bytes of the material read (the stored files' sizes), so the page can show how far
    the export has come and how long is left.
    """

    __tablename__ = "export"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    requested_by: int = Field(foreign_key="user_account.id")
    #: The raw material (recordings and transcripts as stored) besides the pseudonymized.
    raw: bool = False
    #: "passphrase" or "recipient": what the archive is encrypted to (never the secret).
    protection: str = Field(max_length=16)
    state: ExportState = Field(default=ExportState.RUNNING, sa_column=enum_column(ExportState))
    files_total: int = 0
    files_done: int = 0
    bytes_total: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    bytes_done: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    #: The archive's name in the export folder, once it is complete.
    object_id: str | None = Field(default=None, max_length=200)
    size: int | None = Field(default=None, sa_column=Column(BigInteger))
    #: Why it failed or was deleted: a short code the page explains ("withdrawal" …).
    reason: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    #: Touched as the export progresses: a running export untouched for long is dead.
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    finished_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    expires_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
