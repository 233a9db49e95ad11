"""Where the vault keeps ciphertext: a small interface, a folder backend and a memory backend.

Storage never sees plaintext: it stores whatever bytes it is given (age files) under an
object id, records their size and SHA-256 as they are written, and makes an object appear
only once it is complete.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from study.vault.files import atomic_file, sync_directory

# Ids are chosen by the application (e.g. "study-4/3f2a..."), never by a user, but a strict
# grammar still rules out "..", absolute paths and the hidden names of temporary files.
_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9_.-]{0,127}"
_OBJECT_ID = re.compile(rf"{_SEGMENT}(?:/{_SEGMENT}){{0,3}}")
_COPY_SIZE = 1 << 20


class StorageError(Exception):
    """A storage operation could not be done; the message says why."""


class ObjectNotFoundError(StorageError, KeyError):
    """No object is stored under this id."""


class ObjectExistsError(StorageError):
    """An object is already stored under this id and replacing it was not asked for."""


class InvalidObjectIdError(StorageError, ValueError):
    """The id is not of the form storage accepts (segments of letters, digits, `._-`)."""


@dataclass(frozen=True)
class StoredObject:
    """What was stored: the id, the byte count and the SHA-256 (hex) of those bytes."""

    object_id: str
    size: int
    sha256: str


def validate_object_id(object_id: str) -> str:
    """Return object_id if storage accepts it.

    :raises InvalidObjectIdError: if it could escape the storage root or name a temporary file.
    """
    if not isinstance(object_id, str) or not _OBJECT_ID.fullmatch(object_id):
        raise InvalidObjectIdError(f"invalid object id {object_id!r}")
    if any(segment.strip(".") == "" for segment in object_id.split("/")):
        raise InvalidObjectIdError(f"invalid object id {object_id!r}")
    return object_id


class ObjectWriter(io.RawIOBase):
    """A writable stream into storage that counts and hashes the bytes as they pass."""

    def __init__(self, object_id: str, sink: BinaryIO) -> None:
        super().__init__()
        self.object_id = object_id
        self._sink = sink
        self._hash = hashlib.sha256()
        self.size = 0
        self.stored: StoredObject | None = None

    def writable(self) -> bool:
        """Return True: this is an output stream."""
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        """Write all of data to the object being stored."""
        if self.closed:
            raise ValueError("write to a closed ObjectWriter")
        self._sink.write(data)
        self._hash.update(data)
        count = memoryview(data).nbytes
        self.size += count
        return count

    def flush(self) -> None:
        """Flush the underlying stream."""
        if not self.closed:
            self._sink.flush()

    def _finish(self) -> StoredObject:
        self.flush()
        self.stored = StoredObject(self.object_id, self.size, self._hash.hexdigest())
        self.close()
        return self.stored


class Storage(ABC):
    """Ciphertext objects by id; an object exists only once it was completely written."""

    @abstractmethod
    @contextmanager
    def writer(self, object_id: str, *, replace: bool = False) -> Iterator[ObjectWriter]:
        """Yield a stream to write an object into; it is stored only if the block succeeds.

        After the block, the writer's `stored` tells size and SHA-256.

        :raises ObjectExistsError: if the id is taken and replace is False.
        """

    @abstractmethod
    def open(self, object_id: str) -> BinaryIO:
        """Return a seekable binary file object reading the object.

        :raises ObjectNotFoundError: if there is no such object.
        """

    @abstractmethod
    def delete(self, object_id: str, *, missing_ok: bool = False) -> None:
        """Remove the object.

        :raises ObjectNotFoundError: if there is no such object and missing_ok is False.
        """

    @abstractmethod
    def size(self, object_id: str) -> int:
        """Return the object's size in bytes.

        :raises ObjectNotFoundError: if there is no such object.
        """

    @abstractmethod
    def exists(self, object_id: str) -> bool:
        """Return whether an object is stored under this id."""

    @abstractmethod
    def listing(self) -> Iterator[tuple[str, datetime]]:
        """Yield (object id, time it was stored) for every complete object."""

    def unfinished(self) -> Iterator[tuple[str, datetime]]:
        """List the leftovers of writes that have not ended (none, unless a backend has them)."""
        return iter(())

    def delete_unfinished(self, name: str) -> None:
        """Remove the leftover of a write that will never end (a backend without any has none).

        :raises ValueError: always here: unfinished() named nothing to remove.
        """
        raise ValueError(f"no unfinished write {name!r}")

    def save(self, object_id: str, stream: BinaryIO, *, replace: bool = False) -> StoredObject:
        """Store everything read from stream under object_id; return size and SHA-256.

        :raises ObjectExistsError: if the id is taken and replace is False.
        """
        with self.writer(object_id, replace=replace) as sink:
            shutil.copyfileobj(stream, sink, _COPY_SIZE)
        assert sink.stored is not None
        return sink.stored


class FileSystemStorage(Storage):
    """Objects as files under a root folder (the app uses `instance/vault/`)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, object_id: str) -> Path:
        return self.root / validate_object_id(object_id)

    @contextmanager
    def writer(self, object_id: str, *, replace: bool = False) -> Iterator[ObjectWriter]:
        """Yield a stream into a temporary file that is fsynced and renamed on success."""
        path = self._path(object_id)
        if not replace and path.exists():
            raise ObjectExistsError(f"object {object_id!r} already exists")
        self._make_parents(path)
        try:
            with atomic_file(path, replace=replace) as sink:
                writer = ObjectWriter(object_id, sink)
                yield writer
                writer._finish()
        except FileExistsError:
            raise ObjectExistsError(f"object {object_id!r} already exists") from None

    def _make_parents(self, path: Path) -> None:
        missing = [p for p in path.relative_to(self.root).parents if not (self.root / p).exists()]
        if missing:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            # The new folders' own names must reach the disk too, or the rename could be lost.
            for folder in sorted(missing, key=lambda p: len(p.parts), reverse=True):
                sync_directory(str((self.root / folder).parent))

    def open(self, object_id: str) -> BinaryIO:
        """Open the object's file for reading."""
        try:
            return open(self._path(object_id), "rb", buffering=0)  # type: ignore[return-value]
        except (FileNotFoundError, IsADirectoryError):
            raise ObjectNotFoundError(object_id) from None

    def delete(self, object_id: str, *, missing_ok: bool = False) -> None:
        """Unlink the object's file and sync its folder."""
        path = self._path(object_id)
        try:
            path.unlink()
        except FileNotFoundError:
            if not missing_ok:
                raise ObjectNotFoundError(object_id) from None
            return
        sync_directory(str(path.parent))

    def size(self, object_id: str) -> int:
        """Return the size of the object's file."""
        path = self._path(object_id)
        if not path.is_file():
            raise ObjectNotFoundError(object_id)
        return path.stat().st_size

    def exists(self, object_id: str) -> bool:
        """Return whether the object's file exists."""
        return self._path(object_id).is_file()

    def listing(self) -> Iterator[tuple[str, datetime]]:
        """Walk the folder; temporary files of unfinished writes are hidden and not listed."""
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                yield relative.as_posix(), datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def unfinished(self) -> Iterator[tuple[str, datetime]]:
        """List the temporary files of writes that have not ended, with their last write.

        A write in progress has one; a write whose process was killed leaves one behind,
        which holds ciphertext only, without its final chunk.
        """
        for path in sorted(self.root.rglob(".*.tmp")):
            if path.is_file():
                relative = path.relative_to(self.root).as_posix()
                yield relative, datetime.fromtimestamp(path.stat().st_mtime, UTC)

    def delete_unfinished(self, name: str) -> None:
        """Remove the temporary file of a write that will never end."""
        path = (self.root / name).resolve()
        if path.parent != self.root and self.root not in path.parents:
            raise ValueError(f"not under the vault: {name!r}")
        if not path.name.startswith(".") or not path.name.endswith(".tmp"):
            raise ValueError(f"not a temporary file: {name!r}")
        path.unlink(missing_ok=True)
        sync_directory(str(path.parent))


class MemoryStorage(Storage):
    """Objects in a dict, for tests; same rules as the folder backend."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self._stored_at: dict[str, datetime] = {}

    @contextmanager
    def writer(self, object_id: str, *, replace: bool = False) -> Iterator[ObjectWriter]:
        """Yield a stream into a buffer that becomes the object on success."""
        validate_object_id(object_id)
        if not replace and object_id in self.objects:
            raise ObjectExistsError(f"object {object_id!r} already exists")
        buffer = io.BytesIO()
        writer = ObjectWriter(object_id, buffer)
        yield writer
        writer._finish()
        if not replace and object_id in self.objects:
            raise ObjectExistsError(f"object {object_id!r} already exists")
        self.objects[object_id] = buffer.getvalue()
        self._stored_at[object_id] = datetime.now(UTC)

    def open(self, object_id: str) -> BinaryIO:
        """Return a BytesIO over the object."""
        return io.BytesIO(self._get(object_id))

    def delete(self, object_id: str, *, missing_ok: bool = False) -> None:
        """Forget the object."""
        validate_object_id(object_id)
        self._stored_at.pop(object_id, None)
        if self.objects.pop(object_id, None) is None and not missing_ok:
            raise ObjectNotFoundError(object_id)

    def size(self, object_id: str) -> int:
        """Return the object's length."""
        return len(self._get(object_id))

    def exists(self, object_id: str) -> bool:
        """Return whether the object is stored."""
        return validate_object_id(object_id) in self.objects

    def listing(self) -> Iterator[tuple[str, datetime]]:
        """Yield the stored ids with the time each was written."""
        for object_id in sorted(self.objects):
            yield object_id, self._stored_at[object_id]

    def _get(self, object_id: str) -> bytes:
        try:
            return self.objects[validate_object_id(object_id)]
        except KeyError:
            raise ObjectNotFoundError(object_id) from None
