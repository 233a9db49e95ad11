"""Account operations: each checks, changes, writes its audit entry and flushes."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from .. import audit
from ..errors import UserError
from ..models import utcnow
from . import links, passwords, throttle
from .models import Role, TokenPurpose, User


def normalize_email(address: str) -> str:
    """Return the address in the one form it is stored, compared and rate-limited in.

    Compatibility forms are folded first (fullwidth "ｅｘａｍｐｌｅ" is "example"), then
    the address is checked and its domain normalised, and the whole is lower-cased.

    :raises UserError: when it is not a valid e-mail address.
    """
    folded = unicodedata.normalize("NFKC", address).strip()
    try:
        checked = validate_email(folded, check_deliverability=False)
    except EmailNotValidError as exc:
        raise UserError(_l("Enter a valid e-mail address."), field="email") from exc
    return checked.normalized.lower()


def address_key(address: str) -> str:
    """Return the key that limits and counts attempts at an address, valid or not."""
    try:
        return normalize_email(address[:254])
    except UserError:
        return unicodedata.normalize("NFKC", address[:254]).strip().lower()


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
    confirmed: bool,
    role: Role = Role.STUDENT,
    actor_id: int | None = None,
    check_password: bool = True,
) -> User:
    """Create an account; `confirmed` says whether its address is already proven.

    An address is proven by a link that only its mailbox received (an invitation), or by
    the administrator on the command line; otherwise the owner confirms it by link.
    `check_password` is False only for the demo, whose published passwords are refused
    everywhere else.

    :raises UserError: when the address is taken or a field is not acceptable.
    """
    email = normalize_email(email)
    if session.exec(select(User).where(User.email == email)).first():
        raise UserError(_l("There is already an account with this e-mail address."), field="email")
    if check_password:
        check_password_rules(password, email, name)
    user = User(
        email=email,
        name=name.strip(),
        password_hash=passwords.hash_password(password),
        role=role,
        email_confirmed_at=utcnow() if confirmed else None,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "account.created",
        actor_id=actor_id or user.id,
        subject=f"user:{user.id}",
        role=role.value,
        confirmed=confirmed,
    )
    return user


def check_password_rules(password: str, *user_inputs: str) -> None:
    """Refuse passwords that are too short, too long, common or made of the user's own data.

    :raises UserError: naming the rule the password breaks.
    """
    if len(password) < passwords.MIN_LENGTH:
        raise UserError(
            _l("The password must be at least %(n)d characters long.", n=passwords.MIN_LENGTH),
            field="password",
        )
    if len(password) > passwords.MAX_LENGTH:
        raise UserError(_l("The password is too long."), field="password")
    weakness = passwords.weakness(password, user_inputs)
    if weakness is not None:
        raise UserError(weakness, field="password")


@dataclass(frozen=True)
class Registration:
    """What a registration led to; the visitor is told the same either way."""

    user: User
    #: The confirmation link's token for a new account; None when the address had one.
    token: str | None


def register(session: Session, *, email: str, name: str, password: str) -> Registration:
    """Start an account that can be used once its address is confirmed by link.

    An address that already has a confirmed account gets no second one: the caller tells
    its owner that someone tried. An unconfirmed account is taken over by the newest
    registration (only the mailbox's owner can confirm it, and only with the password).
    The password is hashed on every path, so the answer takes as long whatever the address.

    :raises UserError: when a field is not acceptable (the same for every address).
    """
    email = normalize_email(email)
    check_password_rules(password, email, name)
    password_hash = passwords.hash_password(password)
    existing = session.exec(select(User).where(User.email == email)).first()
    # Only a student's own unfinished registration is taken over; an account the
    # administrator made (a supervisor's) waits for its owner's reset link.
    if existing is not None and (existing.is_confirmed or existing.role is not Role.STUDENT):
        audit.record(session, "account.registration_refused", subject=f"user:{existing.id}")
        return Registration(existing, None)
    if existing is None:
        user = User(email=email, name=name.strip(), password_hash=password_hash)
        session.add(user)
        session.flush()
    else:
        user = existing
        user.name, user.password_hash = name.strip(), password_hash
        session.add(user)
    token = links.issue(session, user, TokenPurpose.CONFIRM_EMAIL)
    audit.record(
        session, "account.registered", actor_id=user.id, subject=f"user:{user.id}", role="student"
    )
    return Registration(user, token)


class LoginDelayedError(UserError):
    """Too many wrong passwords for this address: the next attempt must wait."""

    def __init__(self, seconds: int) -> None:
        minutes = max(1, -(-seconds // 60))
        super().__init__(
            _l(
                "Too many attempts with this address. Wait %(minutes)d minute(s), or choose a "
                "new password through “Forgot your password?”.",
                minutes=minutes,
            )
        )
        self.seconds = seconds


class NotConfirmedError(UserError):
    """The password is right, but the account's address has not been confirmed yet."""

    def __init__(self, user: User) -> None:
        super().__init__(
            _l(
                "Confirm your e-mail address first: we have sent a new link to it. "
                "Open the link and enter your password there."
            )
        )
        self.user = user


def authenticate(session: Session, email: str, password: str) -> User:
    """Return the active, confirmed account these credentials open, recording the attempt.

    Outside debug mode the demo's published passwords never open an account.

    :raises LoginDelayedError: when this address has had too many wrong passwords just now.
    :raises NotConfirmedError: when the password is right but the address is not confirmed.
    :raises UserError: when the address or the password is wrong (one message for both).
    """
    key = address_key(email)
    wait = throttle.begin_attempt(key)
    if wait:
        audit.record(session, "login.delayed", subject="address")
        raise LoginDelayedError(wait)
    user = find_user_by_email(session, email)
    if user is None or not user.is_active:
        passwords.waste_time(password)
        opened = False
    else:
        opened = passwords.check_password(user.password_hash, password)
    if opened and password in passwords.PUBLISHED and not _development():
        audit.record(session, "login.demo_password_refused", subject=f"user:{user.id}")
        opened = False
    if not opened:
        audit.record(
            session, "login.failed", subject="user:unknown" if user is None else f"user:{user.id}"
        )
        raise UserError(_l("The e-mail address or the password is not correct."))
    throttle.forget(key)
    if not user.is_confirmed:
        audit.record(session, "login.unconfirmed", subject=f"user:{user.id}")
        raise NotConfirmedError(user)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    user.last_login_at = utcnow()
    session.add(user)
    audit.record(session, "login", actor_id=user.id, subject=f"user:{user.id}")
    return user


def _resend_minutes() -> int:
    return current_app.config["CONFIRMATION_RESEND_MINUTES"]


def _development() -> bool:
    """Tell whether the app runs in debug or test mode, where the demo lives."""
    return bool(current_app.debug or current_app.testing)


def renew_confirmation(session: Session, user: User) -> str | None:
    """Issue a fresh confirmation link for an unconfirmed account; return its token.

    Return None, and send nothing, while the last link is younger than
    CONFIRMATION_RESEND_MINUTES: logging in again and again must not flood a mailbox.
    """
    if links.issued_within(session, user, TokenPurpose.CONFIRM_EMAIL, _resend_minutes()):
        return None
    token = links.issue(session, user, TokenPurpose.CONFIRM_EMAIL)
    audit.record(
        session, "account.confirmation_renewed", actor_id=user.id, subject=f"user:{user.id}"
    )
    return token


def confirm_email(session: Session, token: str, password: str) -> User:
    """Confirm an account's address through its link and the password chosen with it.

    Asking for the password means that whoever clicks a link they did not ask for cannot
    finish someone else's registration with their address.

    :raises LoginDelayedError: after too many wrong passwords for this address.
    :raises UserError: when the link is no longer valid or the password is wrong.
    """
    found = links.open_link(session, token, TokenPurpose.CONFIRM_EMAIL)
    if found is None:
        raise UserError(_l("This link is no longer valid. Register again to get a new one."))
    row, user = found
    key = address_key(user.email)
    wait = throttle.begin_attempt(key)
    if wait:
        raise LoginDelayedError(wait)
    if not passwords.check_password(user.password_hash, password):
        audit.record(session, "account.confirmation_failed", subject=f"user:{user.id}")
        raise UserError(_l("The password is not correct."), field="password")
    throttle.forget(key)
    row.used_at = user.email_confirmed_at = user.last_login_at = utcnow()
    session.add_all([row, user])
    audit.record(session, "account.confirmed", actor_id=user.id, subject=f"user:{user.id}")
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
    token = links.issue(session, user, TokenPurpose.RESET_PASSWORD)
    audit.record(session, "password.reset_requested", actor_id=user.id, subject=f"user:{user.id}")
    return user, token


def link_user(session: Session, token: str, purpose: TokenPurpose) -> User | None:
    """Return the account an unused, unexpired link of this purpose belongs to, if any."""
    found = links.open_link(session, token, purpose)
    return found[1] if found else None


def reset_password(session: Session, token: str, new_password: str) -> User:
    """Set a new password through a reset link, which is then used up.

    The link reached the account's mailbox, so it confirms the address too, and it lifts
    any wait that wrong passwords had put on the address.

    :raises UserError: when the link is unknown, used or expired, or the password is refused.
    """
    found = links.open_link(session, token, TokenPurpose.RESET_PASSWORD)
    if found is None:
        raise UserError(_l("This link is no longer valid. Ask for a new one."))
    _row, user = found
    check_password_rules(new_password, user.email, user.name)
    if not user.is_confirmed:
        user.email_confirmed_at = utcnow()
    _set_password(session, user, new_password)
    throttle.forget(address_key(user.email))
    audit.record(session, "password.reset", actor_id=user.id, subject=f"user:{user.id}")
    return user


def change_password(session: Session, user: User, current: str, new_password: str) -> None:
    """Change a password after checking the current one.

    :raises UserError: when the current password is wrong or the new one is refused.
    """
    if not passwords.check_password(user.password_hash, current):
        raise UserError(_l("The current password is not correct."), field="current_password")
    check_password_rules(new_password, user.email, user.name)
    _set_password(session, user, new_password)
    audit.record(session, "password.changed", actor_id=user.id, subject=f"user:{user.id}")


def _set_password(session: Session, user: User, new_password: str) -> None:
    """Store a new hash; end every session and every link issued under the old password."""
    user.password_hash = passwords.hash_password(new_password)
    user.session_epoch += 1
    session.add(user)
    links.use_up_all(session, user)
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
