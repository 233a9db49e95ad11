"""`flask --app app vault check`: missing, altered and unrecorded files are found."""

from __future__ import annotations

import io
import os
import time

import pytest
from sqlmodel import select

from study.respondents.models import Respondent
from study.vault.models import VaultObject
from study.vault.service import get_vault
from study.vault.storage import FileSystemStorage, MemoryStorage


@pytest.fixture
def stored(app, session, make_user, make_study):
    respondent = Respondent(study_id=make_study(make_user()).id, code="IP1")
    session.add(respondent)
    session.commit()
    with app.app_context():
        vault = get_vault(session)
        rows = [vault.store(respondent, io.BytesIO(os.urandom(70_000)), kind="recording")]
        rows.append(vault.store(respondent, io.BytesIO(b"transcript"), kind="transcript"))
    return vault, rows


def test_an_intact_vault_passes(runner, stored) -> None:
    result = runner.invoke(args=["vault", "check"])
    assert result.exit_code == 0, result.output
    assert "2 files checked." in result.output


def test_a_missing_or_altered_file_fails_the_check(runner, stored) -> None:
    vault, (recording, transcript) = stored
    path = vault.storage.root / recording.object_id
    data = bytearray(path.read_bytes())
    data[-1] ^= 1
    path.write_bytes(bytes(data))
    (vault.storage.root / transcript.object_id).unlink()

    result = runner.invoke(args=["vault", "check"])

    assert result.exit_code == 1
    assert f"Missing: {transcript.object_id}" in result.output
    assert f"Altered or cut: {recording.object_id}" in result.output


def test_an_unrecorded_file_is_listed_and_removed_only_on_request(runner, session, stored) -> None:
    vault, (recording, _transcript) = stored
    session.delete(session.exec(select(VaultObject).where(VaultObject.id == recording.id)).one())
    session.commit()
    path = vault.storage.root / recording.object_id
    hours_ago = time.time() - 2 * 3600
    os.utime(path, (hours_ago, hours_ago))

    result = runner.invoke(args=["vault", "check"])
    assert result.exit_code == 0 and recording.object_id in result.output and path.exists()

    result = runner.invoke(args=["vault", "check", "--remove-orphans"])
    assert result.exit_code == 0 and not path.exists()
    assert f"Removed unrecorded: {recording.object_id}" in result.output


def test_a_file_just_stored_is_never_taken_for_an_orphan(runner, session, stored) -> None:
    vault, (recording, _transcript) = stored
    session.delete(session.exec(select(VaultObject).where(VaultObject.id == recording.id)).one())
    session.commit()
    result = runner.invoke(args=["vault", "check", "--remove-orphans"])
    assert result.exit_code == 0
    assert vault.storage.exists(recording.object_id)


@pytest.mark.parametrize("backend", ["folder", "memory"])
def test_listing_shows_complete_objects_only(tmp_path, backend) -> None:
    storage = FileSystemStorage(tmp_path) if backend == "folder" else MemoryStorage()
    storage.save("a/one", io.BytesIO(b"1"))
    with pytest.raises(RuntimeError):
        with storage.writer("a/two") as sink:
            sink.write(b"half")
            assert [object_id for object_id, _ in storage.listing()] == ["a/one"]
            raise RuntimeError
    assert [object_id for object_id, _ in storage.listing()] == ["a/one"]


def test_the_temporary_file_of_a_write_that_never_ended_is_found_and_removed(
    runner, stored
) -> None:
    vault, _rows = stored
    folder = vault.storage.root / "study-1" / "respondent-1"
    folder.mkdir(parents=True, exist_ok=True)
    left = folder / ".abandoned.x1y2.tmp"
    left.write_bytes(b"age-encryption.org/v1 ... no final chunk")
    fresh = folder / ".streaming.z3.tmp"
    fresh.write_bytes(b"a write still going on")
    aged = time.time() - 2 * 3600
    os.utime(left, (aged, aged))
    found = runner.invoke(args=["vault", "check"])
    assert found.exit_code == 0
    assert ".abandoned.x1y2.tmp" in found.output and ".streaming" not in found.output
    assert left.exists()
    removed = runner.invoke(args=["vault", "check", "--remove-orphans"])
    assert "Removed unfinished" in removed.output
    assert not left.exists() and fresh.exists()
    assert "Unfinished" not in runner.invoke(args=["vault", "check"]).output


def test_unfinished_names_outside_the_vault_or_not_temporary_are_refused(tmp_path) -> None:
    storage = FileSystemStorage(tmp_path / "vault")
    (tmp_path / ".outside.tmp").write_bytes(b"x")
    with pytest.raises(ValueError):
        storage.delete_unfinished("../.outside.tmp")
    with pytest.raises(ValueError):
        storage.delete_unfinished("study-1/object")
    assert list(MemoryStorage().unfinished()) == []
