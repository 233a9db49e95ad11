"""The respondent record that consent, recordings and keys hang on, and their links."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, utcnow


class Respondent(SQLModel, table=True):
    """One person interviewed in a study, known inside the app only by a code ("IP1").

    Names and contact details never live here in plaintext: `sealed_contact` is an age file
    encrypted to the respondent's own key, so a withdrawal (which destroys that key) leaves
    nothing of it readable.
    """

    __tablename__ = "respondent"
    __table_args__ = (UniqueConstraint("study_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    code: str = Field(max_length=32)
    sealed_contact: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    #: Whether the sealed contact holds an e-mail address (the link can be mailed).
    has_email: bool = False
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))


class Invitation(SQLModel, table=True):
    """A respondent's personal link: the respondent holds the token, the database its hash."""

    __tablename__ = "respondent_invitation"

    id: int | None = Field(default=None, primary_key=True)
    study_id: int = Field(foreign_key="study.id", index=True)
    respondent_id: int = Field(foreign_key="respondent.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: int | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    first_used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))

    def valid(self, now: datetime) -> bool:
        """Tell whether the link still opens the respondent's pages."""
        return self.revoked_at is None and self.expires_at > now
