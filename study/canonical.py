"""One canonical form of a JSON document, and its hash, for everything the app freezes.

A frozen ethics step, a consent record's letter and the audit log's entries are hashed
the same way: keys sorted, no insignificant white space, text as UTF-8.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any


def canonical_json(value: Any, *, default: Callable[[Any], Any] | None = None) -> str:
    """Return the canonical JSON text of a value made of dicts, lists, strings and numbers.

    `default` turns any other value into one of those (the audit log passes `str`).
    """
    return json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=default
    )


def content_hash(value: Any) -> str:
    """Return the SHA-256, in hex, of a value's canonical JSON."""
    return hashlib.sha256(canonical_json(value).encode()).hexdigest()
