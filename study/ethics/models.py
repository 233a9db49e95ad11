"""The self-review's working draft: the student's answers, saved as they are typed."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow


class EthicsAnswers(SQLModel, table=True):
    """A study's current self-review answers; submitted versions are frozen apart."""

    __tablename__ = "ethics_answers"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", unique=True)
    # {question key: {"value": …, "explanation": …}}
    answers: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    updated_by: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def content(self) -> dict:
        """Return the answers."""
        return json.loads(self.answers)
