"""The respondent record that consent, recordings and keys hang on."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow


class Respondent(SQLModel, table=True):
    """One person interviewed in a study, known inside the app only by a code ("IP1").

    Names and contact details never live here in plaintext; the recruitment step keeps
    them encrypted under the respondent's own key.
    """

    __tablename__ = "respondent"
    __table_args__ = (UniqueConstraint("study_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    code: str = Field(max_length=32)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
