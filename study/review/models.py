"""Frozen versions of ethics steps and the supervisor's decisions on them."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, enum_column, utcnow


class StepVersion(SQLModel, table=True):
    """A step's document as it was submitted: numbered, canonical JSON, its SHA-256."""

    __tablename__ = "step_version"
    __table_args__ = (UniqueConstraint("study_id", "step", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    step: str = Field(max_length=32)
    number: int
    document: str = Field(sa_column=Column(Text, nullable=False))
    content_hash: str = Field(max_length=64)
    submitted_by: int = Field(foreign_key="user_account.id")
    submitted_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def content(self) -> dict:
        """Return the frozen document."""
        return json.loads(self.document)


class Outcome(StrEnum):
    """What the supervisor decided about a version."""

    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


class ReviewDecision(SQLModel, table=True):
    """The supervisor's decision on one version, with comments and acknowledged warnings."""

    __tablename__ = "review_decision"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="step_version.id", unique=True)
    outcome: Outcome = Field(sa_column=enum_column(Outcome))
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # {item key: comment}, on single questions or sections.
    item_comments: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    # The keys of the blocking warnings the supervisor acknowledged explicitly.
    acknowledged: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    decided_by: int = Field(foreign_key="user_account.id")
    decided_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def comments_by_item(self) -> dict[str, str]:
        """Return the comments on single items."""
        return json.loads(self.item_comments)

    @property
    def acknowledged_keys(self) -> list[str]:
        """Return the blocking warnings acknowledged with this decision."""
        return json.loads(self.acknowledged)
