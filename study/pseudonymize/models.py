"""A study's code key as tables: every term, pseudonym and the seed sealed by the study key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow


class CodeKeySettings(SQLModel, table=True):
    """How a study's pseudonyms are generated; the seed is sealed, since it could reveal them."""

    __tablename__ = "code_key_settings"

    study_id: int = Field(foreign_key="study.id", primary_key=True)
    style: str = Field(max_length=16)
    sealed_seed: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class CodeKeyRow(SQLModel, table=True):
    """One entry of a study's code key (term, category, pseudonym), sealed as a whole."""

    __tablename__ = "code_key_row"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    position: int
    sealed_entry: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
