"""The interview guide of a study."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow
from .edits import clean


class InterviewGuide(SQLModel, table=True):
    """A study's interview guide (life-cycle step 5).

    The sections are kept as one JSON document because the guide is edited, frozen and
    approved as a whole; a frozen version is then the hash of exactly this document.
    """

    __tablename__ = "interview_guide"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", unique=True)
    title: str = Field(max_length=300)
    language: str = Field(default="sv", max_length=16)
    intro_script: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    closing_script: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sections_json: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    #: The whole draft before the last change, for undo.
    previous_json: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def sections(self) -> list[dict[str, Any]]:
        """Return the sections: each a title and questions with their probes."""
        return self.document["sections"]

    @property
    def document(self) -> dict[str, Any]:
        """Return the guide as one document, every part with its id (see guide/edits.py)."""
        return clean(
            {
                "title": self.title,
                "language": self.language,
                "intro_script": self.intro_script,
                "closing_script": self.closing_script,
                "sections": json.loads(self.sections_json),
            }
        )
