"""A study's choice of appendices."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow


class AppendixPlan(SQLModel, table=True):
    """Which appendices the thesis has, their order, numbering and titles (see settings.py)."""

    __tablename__ = "appendix_plan"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", unique=True)
    content_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )

    @property
    def content(self) -> dict:
        """Return the stored choice."""
        return json.loads(self.content_json)
