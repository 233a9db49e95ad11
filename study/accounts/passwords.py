"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

MIN_LENGTH = 10
MAX_LENGTH = 256


def _hasher() -> PasswordHasher:
    """Return the hasher with this app's parameters (the tests use cheap ones)."""
    params = current_app.config["ARGON2_PARAMS"]
    cached = current_app.extensions.get("password_hasher")
    if cached is None:
        cached = current_app.extensions["password_hasher"] = PasswordHasher(**params)
    return cached


def hash_password(password: str) -> str:
    """Hash a password with argon2id."""
    return _hasher().hash(password)


def check_password(password_hash: str, password: str) -> bool:
    """Tell whether the password matches the stored hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Tell whether a hash was made with weaker parameters than today's."""
    return _hasher().check_needs_rehash(password_hash)


def waste_time(password: str) -> None:
    """Spend as long as a real check, so an unknown address answers no faster."""
    check_password(_dummy_hash(), password)


def _dummy_hash() -> str:
    """Return a hash of nothing, made once per app."""
    cached = current_app.extensions.get("dummy_password_hash")
    if cached is None:
        cached = current_app.extensions["dummy_password_hash"] = hash_password("-")
    return cached
