"""Values the session cookie carries that the browser must not be able to read.

Flask's session cookie is signed, not encrypted: whatever is put in it can be read by
anyone who holds the cookie (a shared tablet, a copied browser profile). A consent waiting
for its confirmation (with the names typed as signatures) and a link just made (its token)
are sealed here with a key derived from SECRET_KEY, and bound to what they belong to (a
respondent's link, a student and a respondent), so that one visit cannot open another's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from flask import current_app, session

from .vault import contexts
from .vault.age import AgeError, open_sealed, seal


def _key() -> bytes:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"intervjustudie/sealed-session/v1", hashlib.sha256).digest()


def put(name: str, value: dict, *, bound_to: str) -> None:
    """Keep value in the session under name, sealed and bound to bound_to."""
    sealed = seal(_key(), json.dumps(value).encode(), contexts.sealed_session(name, bound_to))
    session[name] = base64.urlsafe_b64encode(sealed).decode("ascii")


def get(name: str, *, bound_to: str) -> dict | None:
    """Return the value kept under name for bound_to, or None (absent, or someone else's)."""
    kept = session.get(name)
    if not isinstance(kept, str):
        return None
    try:
        opened = open_sealed(
            _key(), base64.urlsafe_b64decode(kept), contexts.sealed_session(name, bound_to)
        )
    except (AgeError, ValueError):
        return None
    value = json.loads(opened)
    return value if isinstance(value, dict) else None


def pop(name: str, *, bound_to: str) -> dict | None:
    """Return the value kept under name for bound_to, and forget it either way."""
    value = get(name, bound_to=bound_to)
    session.pop(name, None)
    return value
