"""Account operations: each checks, changes, writes its audit entry and flushes."""

from __future__ import annotations

from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from .. import audit
from ..errors import UserError
from ..models import utcnow
from ..tokens import new_token, token_hash
from . import passwords
from .models import PasswordResetToken, Role, User


def normalize_email(address: str) -> str:
    """Return the address in the form it is stored and compared in.

    :raises UserError: when it is not a valid e-mail address.
    """
    try:
        checked = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise UserError(_l("Enter a valid e-mail address."), field="email") from exc
    return checked.normalized.lower()


def find_user_by_email(session: Session, address: str) -> User | None:
    """Return the account with this address, if there is one."""
    try:
        email = normalize_email(address)
    except UserError:
        return None
    return session.exec(select(User).where(User.email == email)).first()


def create_user(
    session: Session,
    *,
    email: str,
    name: str,
    password: str,
    role: Role = Role.STUDENT,
    actor_id: int | None = None,
) -> User:
    """Create an account.

    :raises UserError: when the address is taken or a field is not acceptable.
    """
    email = normalize_email(email)
    if session.exec(select(User).where(User.email == email)).first():
        raise UserError(_l("There is already an account with this e-mail address."), field="email")
    check_password_rules(password)
    user = User(
        email=email, name=name.strip(), password_hash=passwords.hash_password(password), role=role
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "account.created",
        actor_id=actor_id or user.id,
        subject=f"user:{user.id}",
        role=role.value,
    )
    return user


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short or too long.

    :raises UserError: naming the rule the password breaks.
    """
    if len(password) < passwords.MIN_LENGTH:
        raise UserError(
            _l("The password must be at least %(n)d characters long.", n=passwords.MIN_LENGTH),
            field="password",
        )
    if len(password) > passwords.MAX_LENGTH:
        raise UserError(_l("The password is too long."), field="password")


def authenticate(session: Session, email: str, password: str) -> User | None:
    """Return the active account these credentials open, recording the attempt."""
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        passwords.waste_time(password)
        audit.record(
            session, "login.failed", subject="user:unknown" if user is None else f"user:{user.id}"
        )
        return None
    if not passwords.check_password(user.password_hash, password):
        audit.record(session, "login.failed", subject=f"user:{user.id}")
        return None
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    session.add(user)
    audit.record(session, "login", actor_id=user.id, subject=f"user:{user.id}")
    return user


def log_out(session: Session, user: User) -> None:
    """End every session of the account, so a copied cookie dies with the log-out too."""
    user.session_epoch += 1
    session.add(user)
    session.flush()
    audit.record(session, "logout", actor_id=user.id, subject=f"user:{user.id}")


def start_password_reset(session: Session, email: str) -> tuple[User, str] | None:
    """Create a single-use reset link for an active account; return it with its token."""
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        audit.record(session, "password.reset_requested", subject="user:unknown")
        return None
    token, digest = new_token()
    hours = current_app.config["PASSWORD_RESET_HOURS"]
    session.add(
        PasswordResetToken(
            user_id=user.id, token_hash=digest, expires_at=utcnow() + timedelta(hours=hours)
        )
    )
    audit.record(session, "password.reset_requested", actor_id=user.id, subject=f"user:{user.id}")
    session.flush()
    return user, token


def reset_token_user(session: Session, token: str) -> tuple[PasswordResetToken, User] | None:
    """Return the unused, unexpired reset link and its account, if the token names one."""
    row = session.exec(
        select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token))
    ).first()
    if row is None or row.used_at is not None or row.expires_at < utcnow():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return row, user


def reset_password(session: Session, token: str, new_password: str) -> User:
    """Set a new password through a reset link, which is then used up.

    :raises UserError: when the link is unknown, used or expired, or the password is refused.
    """
    found = reset_token_user(session, token)
    if found is None:
        raise UserError(_l("This link is no longer valid. Ask for a new one."))
    row, user = found
    check_password_rules(new_password)
    row.used_at = utcnow()
    _set_password(session, user, new_password)
    audit.record(session, "password.reset", actor_id=user.id, subject=f"user:{user.id}")
    return user


def change_password(session: Session, user: User, current: str, new_password: str) -> None:
    """Change a password after checking the current one.

    :raises UserError: when the current password is wrong or the new one is refused.
    """
    if not passwords.check_password(user.password_hash, current):
        raise UserError(_l("The current password is not correct."), field="current_password")
    check_password_rules(new_password)
    _set_password(session, user, new_password)
    audit.record(session, "password.changed", actor_id=user.id, subject=f"user:{user.id}")


def _set_password(session: Session, user: User, new_password: str) -> None:
    """Store a new hash; end every session and reset link issued under the old password."""
    user.password_hash = passwords.hash_password(new_password)
    user.session_epoch += 1
    session.add(user)
    now = utcnow()
    for row in session.exec(
        select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, col(PasswordResetToken.used_at).is_(None)
        )
    ):
        row.used_at = now
        session.add(row)
    session.flush()


def set_active(session: Session, user: User, active: bool, *, actor_id: int) -> None:
    """Open or close an account; closing ends its sessions.

    :raises UserError: when an administrator tries to close their own account.
    """
    if user.id == actor_id and not active:
        raise UserError(_l("You cannot deactivate your own account."))
    user.is_active = active
    user.session_epoch += 1
    session.add(user)
    audit.record(
        session,
        "account.activated" if active else "account.deactivated",
        actor_id=actor_id,
        subject=f"user:{user.id}",
    )
    session.flush()


def load_session_user(session: Session, identity: str) -> User | None:
    """Return the active account a session identity (id.epoch) still belongs to."""
    user_id, _, epoch = identity.partition(".")
    if not (user_id.isdigit() and epoch.isdigit()):
        return None
    user = session.get(User, int(user_id))
    if user is None or not user.is_active or user.session_epoch != int(epoch):
        return None
    return user
