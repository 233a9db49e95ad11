"""Consent records and withdrawals: written once, then only superseded or marked withdrawn."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, LargeBinary, text
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow

#: The consent items that cover a recording of the interview.
RECORDING_ITEMS = ("audio_recording", "video_recording")
#: The kind of vault file a recording is (study/recordings/services.py stores it).
RECORDING_KIND = "recording"


class Channel:
    """How a consent or a withdrawal reached the study."""

    LINK = "link"
    PAPER = "paper"
    #: The student registered a withdrawal the respondent made by mail, phone or in person.
    STUDENT = "student"


class ConsentRecord(SQLModel, table=True):
    """One consent: the exact letter and form versions, each item's answer, who and when.

    A respondent has at most one current record (superseded_at empty); a new consent
    supersedes the one before it, which is kept as it was.
    """

    __tablename__ = "consent_record"
    __table_args__ = (
        Index(
            "uq_consent_record_current",
            "respondent_id",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    respondent_id: int = Field(foreign_key="respondent.id", index=True)
    letter_version_id: int = Field(foreign_key="step_version.id")
    letter_number: int
    letter_hash: str = Field(max_length=64)
    form_version_id: int = Field(foreign_key="step_version.id")
    form_number: int
    form_hash: str = Field(max_length=64)
    language: str = Field(max_length=35)
    #: Each item of the form version by key: ticked (true) or not.
    items: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: Who signs: the respondent, or the guardians with the child's assent.
    signed_as: str = Field(max_length=16)
    #: The typed names, encrypted to the respondent's key (none on paper: the scan has them).
    sealed_names: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    channel: str = Field(max_length=16)
    #: The account that registered a paper consent.
    registered_by: int | None = Field(default=None, foreign_key="user_account.id")
    #: The vault object holding the encrypted scan of a paper form. No foreign key: a
    #: withdrawal destroys the file, and the record keeps saying that there was one.
    scan_id: int | None = None
    #: The confirmation page's one-time id: the same confirmation sent twice records once.
    submission: str = Field(max_length=64, unique=True)
    given_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    superseded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class Withdrawal(SQLModel, table=True):
    """A respondent's withdrawal: when, how, what they chose, and what it destroyed."""

    __tablename__ = "consent_withdrawal"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    respondent_id: int = Field(foreign_key="respondent.id", unique=True)
    withdrawn_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    channel: str = Field(max_length=16)
    registered_by: int | None = Field(default=None, foreign_key="user_account.id")
    #: The optional reason, sealed by the study's key (it may say who the respondent is).
    sealed_reason: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    #: What happens to what was already analysed, where the letter offers a choice.
    keep_analysed: bool = False
    #: What the withdrawal destroyed, as counts (never content).
    destroyed: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
