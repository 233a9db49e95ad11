"""Splitting a batch of chunks over two cores; the cipher releases the GIL while it works."""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

_helper: ThreadPoolExecutor | None = None


def in_two_halves(work: Callable[[int, int], None], count: int) -> None:
    """Run work over range(count), the second half on a helper thread when it pays off."""
    global _helper
    if count < 8:
        work(0, count)
        return
    # The cipher releases the GIL, so a second core takes half a batch: large files then
    # encrypt faster than the age tool does.
    if _helper is None:
        _helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vault-cipher")
    half = count // 2
    second = _helper.submit(work, half, count)
    try:
        work(0, half)
    finally:
        second.result()


def _forget_helper() -> None:
    global _helper
    _helper = None


# A forked worker (gunicorn) inherits the pool object but not its thread.
os.register_at_fork(after_in_child=_forget_helper)
