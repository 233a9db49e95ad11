"""Studies: the plan, who works on it, invitations and the status of each step."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, enum_column, utcnow


class MemberRole(StrEnum):
    """A person's part in one study."""

    AUTHOR = "author"
    SUPERVISOR = "supervisor"


class StepStatus(StrEnum):
    """Where a life-cycle step stands."""

    NOT_STARTED = "not_started"
    DRAFT = "draft"
    #: A step that needs no approval (the plan) has every required field filled.
    COMPLETE = "complete"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


class Study(SQLModel, table=True):
    """An interview study and its plan (life-cycle step 1)."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    level: str = Field(default="", max_length=200)
    university: str = Field(default="", max_length=200)
    department: str = Field(default="", max_length=200)
    controller: str = Field(default="", max_length=300)
    data_protection_officer: str = Field(default="", max_length=300)
    purpose: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    research_questions: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    method: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    sample: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    recruitment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    planned_interviews: int | None = None
    interviews_from: date | None = None
    interviews_to: date | None = None
    submission_on: date | None = None
    retention: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    closed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))

    @property
    def question_list(self) -> list[str]:
        """Return the research questions, one per line of the stored text."""
        return [line.strip() for line in self.research_questions.splitlines() if line.strip()]


class StudyMember(SQLModel, table=True):
    """A person who works on a study: an author (student) or its supervisor."""

    __tablename__ = "study_member"
    __table_args__ = (UniqueConstraint("study_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    role: MemberRole = Field(sa_column=enum_column(MemberRole))
    joined_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )


class StudyInvitation(SQLModel, table=True):
    """An e-mailed invitation to join a study; only the token's hash is stored."""

    __tablename__ = "study_invitation"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    email: str = Field(max_length=254)
    role: MemberRole = Field(sa_column=enum_column(MemberRole))
    token_hash: str = Field(max_length=64, unique=True)
    invited_by: int = Field(foreign_key="user_account.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    accepted_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    accepted_by: int | None = Field(default=None, foreign_key="user_account.id")


class StudyStep(SQLModel, table=True):
    """The stored status of one life-cycle step; a step without a row has not started."""

    __tablename__ = "study_step"
    __table_args__ = (UniqueConstraint("study_id", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    step: str = Field(max_length=32)
    status: StepStatus = Field(default=StepStatus.NOT_STARTED, sa_column=enum_column(StepStatus))
    # The version the supervisor approved last; it stays when the step is edited again.
    approved_version_id: int | None = Field(default=None, foreign_key="step_version.id")
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
