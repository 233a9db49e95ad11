"""Files that appear complete or not at all: temporary name, fsync, rename."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO


@contextmanager
def atomic_file(
    path: str | os.PathLike[str], *, replace: bool = True, durable: bool = True
) -> Iterator[BinaryIO]:
    """Yield a file to write; it takes the name path only if the block ends without error.

    The data goes to a hidden temporary file in the same directory, which is renamed at the
    end. With durable (the default) the file is flushed to disk first and the directory
    synced afterwards, so the new name survives a crash. On error the temporary file is
    removed. With replace=False an existing file is never overwritten.

    :raises FileExistsError: if replace is False and path exists when the block ends.
    """
    path = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with open(descriptor, "wb") as sink:
            yield sink
            sink.flush()
            if durable:
                os.fsync(sink.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            # link() refuses an existing name atomically, where rename() would overwrite it.
            os.link(temporary, path)
            os.unlink(temporary)
    except BaseException:
        _remove_quietly(temporary)
        raise
    if durable:
        sync_directory(directory)


def sync_directory(directory: str) -> None:
    """Flush a directory's entries to disk, so a rename in it survives a crash."""
    descriptor = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
