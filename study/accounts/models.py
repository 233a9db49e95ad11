"""Accounts: the people who log in, and their single-use password-reset links."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from ..models import UTCDateTime, enum_column, utcnow


class Role(StrEnum):
    """What an account may do across the whole application."""

    STUDENT = "student"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class User(SQLModel, table=True):
    """An account: a student, a supervisor or an administrator."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    role: Role = Field(default=Role.STUDENT, sa_column=enum_column(Role))
    is_active: bool = True
    # Raised whenever the password changes or the account is closed: every session that was
    # opened before carries the old value and stops working.
    session_epoch: int = 0
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    last_login_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))

    # Flask-Login's user protocol.
    @property
    def is_authenticated(self) -> bool:
        """Tell Flask-Login this is a real account."""
        return True

    @property
    def is_anonymous(self) -> bool:
        """Tell Flask-Login this is not the anonymous user."""
        return False

    def get_id(self) -> str:
        """Return the session identity: the id and the epoch it was issued in."""
        return f"{self.id}.{self.session_epoch}"


class PasswordResetToken(SQLModel, table=True):
    """A single-use link to set a new password; only the token's hash is stored."""

    __tablename__ = "password_reset_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
