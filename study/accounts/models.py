"""Accounts: the people who log in, and their single-use links (address confirmation, reset)."""

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
    # Set when the owner of the address has proved it (a confirmation link, an invitation,
    # or an administrator); until then the account cannot log in or invite anyone.
    email_confirmed_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))

    @property
    def is_confirmed(self) -> bool:
        """Tell whether the account's e-mail address has been confirmed."""
        return self.email_confirmed_at is not None

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


class TokenPurpose(StrEnum):
    """What a single-use link sent by e-mail lets its holder do."""

    CONFIRM_EMAIL = "confirm_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose, not a password)


class AccountToken(SQLModel, table=True):
    """A single-use link for one account and one purpose; only the token's hash is stored."""

    __tablename__ = "account_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    purpose: TokenPurpose = Field(sa_column=enum_column(TokenPurpose))
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime, nullable=False)
    )
    expires_at: datetime = Field(sa_column=Column(UTCDateTime, nullable=False))
    used_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime))
