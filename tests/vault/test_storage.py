"""Storage keeps ciphertext whole or not at all, under ids that cannot escape its folder."""

from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path

import pytest

from study.vault.age import X25519Identity
from study.vault.reader import AgeReader
from study.vault.storage import (
    FileSystemStorage,
    InvalidObjectIdError,
    MemoryStorage,
    ObjectExistsError,
    ObjectNotFoundError,
    Storage,
)
from study.vault.stream import AgeWriter


@pytest.fixture(params=["folder", "memory"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "folder":
        return FileSystemStorage(tmp_path / "vault")
    return MemoryStorage()


def test_a_saved_object_reads_back_with_its_size_and_hash(storage: Storage) -> None:
    data = os.urandom(3_000_000)

    stored = storage.save("study-1/recording-7", io.BytesIO(data))

    assert stored.size == len(data) == storage.size("study-1/recording-7")
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert storage.exists("study-1/recording-7")
    with storage.open("study-1/recording-7") as stream:
        assert stream.read() == data


def test_an_upload_is_encrypted_straight_into_storage(storage: Storage) -> None:
    identity = X25519Identity.generate()
    audio = os.urandom(500_000)

    with storage.writer("recording-1") as sink, AgeWriter(sink, [identity.recipient]) as writer:
        for start in range(0, len(audio), 8192):
            writer.write(audio[start : start + 8192])

    assert sink.stored is not None and sink.stored.size == storage.size("recording-1")
    with AgeReader(storage.open("recording-1"), [identity], close_source=True) as reader:
        reader.seek(-1000, os.SEEK_END)
        assert reader.read() == audio[-1000:]


def test_an_upload_that_fails_half_way_leaves_no_object(storage: Storage, tmp_path: Path) -> None:
    identity = X25519Identity.generate()

    with pytest.raises(ConnectionResetError):
        with storage.writer("recording-2") as sink, AgeWriter(sink, [identity.recipient]) as w:
            w.write(os.urandom(200_000))
            raise ConnectionResetError("upload interrupted")

    assert not storage.exists("recording-2")
    if isinstance(storage, FileSystemStorage):
        assert os.listdir(storage.root) == []


def test_an_object_is_not_overwritten_unless_asked(storage: Storage) -> None:
    storage.save("transcript-1", io.BytesIO(b"first"))

    with pytest.raises(ObjectExistsError):
        storage.save("transcript-1", io.BytesIO(b"second"))
    storage.save("transcript-1", io.BytesIO(b"third"), replace=True)

    with storage.open("transcript-1") as stream:
        assert stream.read() == b"third"


def test_deleting_removes_the_object(storage: Storage) -> None:
    storage.save("code-key", io.BytesIO(b"x"))

    storage.delete("code-key")

    assert not storage.exists("code-key")
    with pytest.raises(ObjectNotFoundError):
        storage.open("code-key")
    with pytest.raises(ObjectNotFoundError):
        storage.size("code-key")
    with pytest.raises(ObjectNotFoundError):
        storage.delete("code-key")
    storage.delete("code-key", missing_ok=True)


@pytest.mark.parametrize(
    "object_id",
    ["", "../escape", "a/../../b", "/etc/passwd", ".hidden", "a//b", "a/", "..", "a\\b", "a\0b"],
)
def test_ids_that_could_escape_the_folder_are_refused(storage: Storage, object_id: str) -> None:
    with pytest.raises(InvalidObjectIdError):
        storage.save(object_id, io.BytesIO(b"x"))
    with pytest.raises(InvalidObjectIdError):
        storage.exists(object_id)


def test_folder_storage_keeps_no_temporary_files(tmp_path: Path) -> None:
    storage = FileSystemStorage(tmp_path)

    storage.save("a/b/c", io.BytesIO(b"data"))

    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "a",
        "a/b",
        "a/b/c",
    ]
