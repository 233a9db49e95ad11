"""What the database knows about the vault: wrapped keys and where each encrypted file lies.

No row holds a usable secret: study keys are sealed by a master key that lives outside the
database, respondents' private keys are sealed by their study's key, and files are only
referenced (backend, object id, size, ciphertext hash).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, LargeBinary
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow


class StudyKey(SQLModel, table=True):
    """A study's key, sealed by the master key named by master_key_id."""

    __tablename__ = "study_key"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", unique=True)
    master_key_id: str = Field(max_length=16, index=True)
    sealed_key: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    rotated_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class RespondentKey(SQLModel, table=True):
    """A respondent's X25519 key pair: the public half in the clear, the private half sealed.

    Destroying the key (crypto-shredding) empties sealed_identity for good; every file
    encrypted to the recipient is unreadable from then on, copies and backups included.
    """

    __tablename__ = "respondent_key"

    id: int | None = Field(default=None, primary_key=True)
    respondent_id: int = Field(foreign_key="respondent.id", unique=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    recipient: str = Field(max_length=100)
    sealed_identity: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    destroyed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class VaultObject(SQLModel, table=True):
    """One encrypted file in storage: a recording, a transcript or an export."""

    __tablename__ = "vault_object"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    respondent_id: int = Field(foreign_key="respondent.id", index=True)
    kind: str = Field(max_length=32)
    media_type: str = Field(default="application/octet-stream", max_length=100)
    backend: str = Field(max_length=32)
    object_id: str = Field(max_length=255, unique=True)
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(max_length=64)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
