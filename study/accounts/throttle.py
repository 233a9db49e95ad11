"""Growing delays for password guessing against one address, without locking its owner out.

A fixed block ("ten failures, then an hour") lets anyone lock a person out by typing wrong
passwords for their address. Here the first few failures cost nothing; after that each one
doubles a short wait, capped at a quarter of an hour, and a reset link, which only the
owner of the mailbox receives, clears the count. Counts live in the rate limiter's storage
(memory, or Redis shared by every worker) under the normalised address, so spelling an
address differently counts against the same account.
"""

from __future__ import annotations

import math
import time

from ..extensions import limiter

#: Failures that cost nothing, for the typing mistakes everyone makes.
FREE_FAILURES = 5
#: The longest wait between two attempts at one address.
MAX_DELAY_SECONDS = 15 * 60
#: How long failures are remembered after the first of them.
WINDOW_SECONDS = 24 * 60 * 60


def _keys(address_key: str) -> tuple[str, str]:
    return f"login-failures/{address_key}", f"login-wait/{address_key}"


def delay_for(failures: int) -> int:
    """Return the wait, in seconds, that this many failures in a row impose."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** (failures - FREE_FAILURES), MAX_DELAY_SECONDS)


def seconds_to_wait(address_key: str) -> int:
    """Return how long the next attempt at this address must wait (0: it may go ahead)."""
    _failures, wait = _keys(address_key)
    storage = limiter.storage
    if not storage.get(wait):
        return 0
    return max(1, math.ceil(storage.get_expiry(wait) - time.time()))


def record_failure(address_key: str) -> None:
    """Count a failed attempt and start the wait it earns."""
    failures, wait = _keys(address_key)
    storage = limiter.storage
    delay = delay_for(storage.incr(failures, WINDOW_SECONDS))
    if delay:
        storage.clear(wait)
        storage.incr(wait, delay)


def forget(address_key: str) -> None:
    """Clear the count after a successful log-in or a new password set through a link."""
    for key in _keys(address_key):
        limiter.storage.clear(key)
