"""The working drafts of the information letter and the consent form."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow


class LetterDraft(SQLModel, table=True):
    """A study's current letter or consent form, every language in one document.

    The steps are edited, frozen and approved whole: a submitted version is the hash of
    the document this draft holds (with the facts it is checked against).
    """

    __tablename__ = "letter_draft"
    __table_args__ = (UniqueConstraint("study_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    # The unique (study_id, step) constraint is the index queries by study use.
    study_id: int = Field(foreign_key="study.id")
    #: "letter" or "consent_form".
    step: str = Field(max_length=32)
    content_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    updated_by: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def content(self) -> dict:
        """Return the draft's document."""
        return json.loads(self.content_json)
