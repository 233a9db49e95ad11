"""A study's code key as tables: every term, pseudonym and the seed sealed by the study key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow


class CodeKeySettings(SQLModel, table=True):
    """A study's code key as a whole: its pseudonym style and its sealed state.

    The state seals together the seed (which could reveal pseudonyms), the generation of
    the rows and their count, so no row can be dropped, reordered or replayed.
    """

    __tablename__ = "code_key_settings"

    study_id: int = Field(foreign_key="study.id", primary_key=True)
    style: str = Field(max_length=16)
    generation: int = 0
    sealed_state: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class CodeKeyRow(SQLModel, table=True):
    """One entry of a study's code key (term, category, pseudonym), sealed as a whole."""

    __tablename__ = "code_key_row"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    generation: int
    position: int
    sealed_entry: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
