"""Growing delays for password guessing against one address, without locking its owner out.

A fixed block ("ten failures, then an hour") lets anyone lock a person out by typing wrong
passwords for their address. Here the first few attempts cost nothing; after that each
attempt holds the address for a wait that doubles, capped at a quarter of an hour, and a
reset link, which only the owner of the mailbox receives, clears the count. Counts live in
the rate limiter's storage (memory, or Redis shared by every worker) under the normalised
address, so spelling an address differently counts against the same account.

An attempt is counted before its password is checked, and past the free ones it must take
the address's wait slot first (an atomic increment that only one request wins), so that
attempts sent all at once are no better than attempts sent one by one.
"""

from __future__ import annotations

import math
import time

from ..extensions import limiter

#: Attempts that cost nothing, for the typing mistakes everyone makes.
FREE_FAILURES = 5
#: The longest wait between two attempts at one address.
MAX_DELAY_SECONDS = 15 * 60
#: How long attempts are remembered after the first of them.
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


def begin_attempt(address_key: str) -> int:
    """Count an attempt at this address; return 0 if it may go ahead, else seconds to wait.

    The attempt counts as a failure until `forget` says it succeeded.
    """
    failures, wait = _keys(address_key)
    storage = limiter.storage
    attempts = storage.incr(failures, WINDOW_SECONDS)
    if attempts <= FREE_FAILURES:
        return 0
    # Whoever creates the wait key goes ahead; everyone else waits until it expires.
    if storage.incr(wait, delay_for(attempts)) == 1:
        return 0
    return seconds_to_wait(address_key)


def forget(address_key: str) -> None:
    """Clear the count after a successful log-in or a new password set through a link."""
    for key in _keys(address_key):
        limiter.storage.clear(key)
