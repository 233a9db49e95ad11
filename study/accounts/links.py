"""Single-use links for an account (address confirmation, password reset), by purpose.

The mailbox gets the token; the database keeps its hash, its purpose and its expiry.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlmodel import Session, col, select

from ..models import utcnow
from ..tokens import new_token, token_hash
from .models import AccountToken, TokenPurpose, User

#: How long each kind of link stays valid, by the config key that holds its hours.
LIFETIME_SETTING = {
    TokenPurpose.CONFIRM_EMAIL: "CONFIRMATION_HOURS",
    TokenPurpose.RESET_PASSWORD: "PASSWORD_RESET_HOURS",
}


def issue(session: Session, user: User, purpose: TokenPurpose) -> str:
    """Create a link for the account and purpose; earlier unused ones of it end. Return it."""
    _use_up(session, user, purpose)
    token, digest = new_token()
    hours = current_app.config[LIFETIME_SETTING[purpose]]
    session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=digest,
            expires_at=utcnow() + timedelta(hours=hours),
        )
    )
    session.flush()
    return token


def open_link(
    session: Session, token: str, purpose: TokenPurpose
) -> tuple[AccountToken, User] | None:
    """Return the unused, unexpired link of this purpose and its active account, if any."""
    row = session.exec(
        select(AccountToken).where(
            AccountToken.token_hash == token_hash(token), AccountToken.purpose == purpose
        )
    ).first()
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return row, user


def issued_within(session: Session, user: User, purpose: TokenPurpose, minutes: int) -> bool:
    """Tell whether an unused link of this purpose was issued in the last `minutes`."""
    since = utcnow() - timedelta(minutes=minutes)
    return (
        session.exec(
            select(AccountToken).where(
                AccountToken.user_id == user.id,
                AccountToken.purpose == purpose,
                col(AccountToken.used_at).is_(None),
                AccountToken.created_at > since,
            )
        ).first()
        is not None
    )


def use_up_all(session: Session, user: User) -> None:
    """End every unused link of the account (its password changed)."""
    _use_up(session, user, None)


def _use_up(session: Session, user: User, purpose: TokenPurpose | None) -> None:
    query = select(AccountToken).where(
        AccountToken.user_id == user.id, col(AccountToken.used_at).is_(None)
    )
    if purpose is not None:
        query = query.where(AccountToken.purpose == purpose)
    now = utcnow()
    for row in session.exec(query):
        row.used_at = now
        session.add(row)
