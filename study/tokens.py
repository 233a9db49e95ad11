"""Random link tokens: the user gets the token, the database keeps only its hash."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> tuple[str, str]:
    """Return a fresh URL-safe token and the hash to store for it."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    """Hash a token for storage and lookup."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
