"""The key hierarchy as the app uses it: store, open, crypto-shredding, rotation, audit."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import stat

import pytest
from sqlmodel import Session, select

from study.audit import AuditEvent, verify
from study.models import utcnow
from study.pseudonymize.codekey import Category
from study.pseudonymize.models import CodeKeyRow
from study.pseudonymize.vaulted import code_key_store
from study.respondents.models import Respondent
from study.vault import keys as master_keys
from study.vault.age import AgeError, X25519Identity, open_sealed
from study.vault.keys import MasterKeyError, MasterKeyring, load_keyring
from study.vault.models import RespondentKey, StudyKey, VaultObject
from study.vault.reader import AgeReader
from study.vault.service import (
    KeyDestroyedError,
    RespondentWithdrawnError,
    Vault,
    get_vault,
    keyring,
)
from study.vault.stream import decrypt_stream

RECORDING = os.urandom(300_000)


@pytest.fixture
def study(make_user, make_study):
    return make_study(make_user())


@pytest.fixture
def make_respondent(session, study):
    def make(code: str = "IP1", study_id: int | None = None) -> Respondent:
        respondent = Respondent(study_id=study_id or study.id, code=code)
        session.add(respondent)
        session.commit()
        return respondent

    return make


@pytest.fixture
def vault(app, session):
    with app.app_context():
        yield get_vault(session)


def _stored_bytes(vault: Vault, row: VaultObject) -> bytes:
    with vault.storage.open(row.object_id) as source:
        return source.read()


def _audit_actions(session) -> list[str]:
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()]


def test_a_stored_file_reads_back_with_random_access_and_the_read_is_audited(
    vault, session, make_respondent
) -> None:
    respondent = make_respondent()
    row = vault.store(respondent, io.BytesIO(RECORDING), kind="recording", media_type="audio/mpeg")
    session.commit()

    assert row.size == len(_stored_bytes(vault, row)) and len(row.sha256) == 64
    assert RECORDING[:1000] not in _stored_bytes(vault, row)
    with vault.open(row, actor_id=None, purpose="listen") as reader:
        reader.seek(-176_000, io.SEEK_END)
        assert reader.read() == RECORDING[-176_000:]
    session.commit()
    assert _audit_actions(session)[-4:] == [
        "key.study_created",
        "key.respondent_created",
        "vault.stored",
        "vault.decrypted",
    ]
    assert verify(session)[1] is None


def test_the_stored_file_opens_with_the_age_tools_given_the_respondents_identity(
    vault, session, make_respondent
) -> None:
    respondent = make_respondent()
    row = vault.store(respondent, io.BytesIO(RECORDING), kind="recording")
    identity = vault.identity(respondent.id, None)
    plaintext = io.BytesIO()
    decrypt_stream(io.BytesIO(_stored_bytes(vault, row)), plaintext, [identity])
    assert plaintext.getvalue() == RECORDING


def test_storing_needs_only_the_public_key(app, session, vault, make_respondent) -> None:
    respondent = make_respondent()
    vault.recipient(respondent)
    session.commit()
    without_secrets = Vault(session, MasterKeyring("none", {}), vault.storage, vault.backend)

    row = without_secrets.store(respondent, io.BytesIO(b"interview"), kind="transcript")

    assert row.id is not None
    with pytest.raises(MasterKeyError, match="missing"):
        without_secrets.open(row, actor_id=None, purpose="read")


def test_an_upload_that_fails_leaves_no_file_and_no_record(vault, session, make_respondent) -> None:
    respondent = make_respondent()
    with pytest.raises(ConnectionResetError):
        with vault.upload(respondent, kind="recording") as upload:
            upload.write(RECORDING)
            raise ConnectionResetError("the browser went away")
    session.commit()
    assert session.exec(select(VaultObject)).all() == []
    vault_root = vault.storage.root
    assert [p for p in vault_root.rglob("*") if p.is_file()] == []


def test_a_wrapped_identity_moved_to_another_record_does_not_open(
    vault, session, make_respondent
) -> None:
    first, second = make_respondent("IP1"), make_respondent("IP2")
    row = vault.store(first, io.BytesIO(b"first's story"), kind="transcript")
    vault.recipient(second)
    keys = {k.respondent_id: k for k in session.exec(select(RespondentKey)).all()}
    keys[second.id].sealed_identity = keys[first.id].sealed_identity
    keys[second.id].recipient = keys[first.id].recipient
    session.add(keys[second.id])
    session.commit()
    row.respondent_id = second.id

    with pytest.raises(AgeError, match="does not open"):
        vault.open(row, actor_id=None, purpose="read")


def test_a_sealed_study_key_moved_to_another_study_does_not_open(
    vault, session, make_user, make_study
) -> None:
    owner = make_user()
    first, second = make_study(owner, title="A"), make_study(owner, title="B")
    vault.study_key(first.id, None)
    vault.study_key(second.id, None)
    rows = {k.study_id: k for k in session.exec(select(StudyKey)).all()}
    rows[second.id].sealed_key = rows[first.id].sealed_key
    session.add(rows[second.id])
    session.commit()

    with pytest.raises(AgeError, match="does not open"):
        vault.study_key(second.id, None)


def test_destroying_a_respondents_key_makes_their_files_unreadable_even_from_a_copy(
    app, vault, session, make_respondent, tmp_path
) -> None:
    respondent, other = make_respondent("IP1"), make_respondent("IP2")
    row = vault.store(respondent, io.BytesIO(RECORDING), kind="recording")
    vault.store(other, io.BytesIO(b"another story"), kind="recording")
    session.commit()
    backup = tmp_path / "backup"
    shutil.copytree(vault.storage.root, backup)

    vault.destroy_respondent_key(respondent, actor_id=None)
    session.commit()

    with pytest.raises(KeyDestroyedError):
        vault.open(row, actor_id=None, purpose="read")
    with pytest.raises(KeyDestroyedError):
        vault.store(respondent, io.BytesIO(b"more"), kind="recording")
    # Every identity the database can still open fails on the copy taken before.
    identities = [
        vault.identity(k.respondent_id, None)
        for k in session.exec(select(RespondentKey)).all()
        if k.sealed_identity is not None
    ]
    copied = (backup / row.object_id).read_bytes()
    with pytest.raises(AgeError, match="no identity matched"):
        decrypt_stream(io.BytesIO(copied), io.BytesIO(), identities)
    assert "key.respondent_destroyed" in _audit_actions(session)


def test_the_master_key_is_created_once_with_owner_only_permissions(app) -> None:
    with app.app_context(), Session(app.extensions["db_engine"]) as session:
        first = keyring(session)
    directory = first.directory
    assert directory is not None
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    for path in directory.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_keyring(directory.parent).current == first.current


def test_the_master_key_can_come_from_the_environment_instead(tmp_path) -> None:
    key = os.urandom(32)
    env = {master_keys.MASTER_KEY_ENV: master_keys.encode_key(key)}
    ring = load_keyring(tmp_path, env)
    assert ring.current == key and ring.directory is None
    assert not (tmp_path / "keys").exists()
    with pytest.raises(MasterKeyError, match="32-byte"):
        load_keyring(tmp_path, {master_keys.MASTER_KEY_ENV: base64.b64encode(b"short").decode()})
    with pytest.raises(MasterKeyError, match="base64"):
        load_keyring(tmp_path, {master_keys.MASTER_KEY_ENV: "not base64 at all!"})


def test_no_key_or_content_reaches_the_audit_log_or_the_config(
    app, vault, session, make_respondent
) -> None:
    respondent = make_respondent()
    row = vault.store(respondent, io.BytesIO(RECORDING), kind="recording")
    private = vault.identity(respondent.id, None)
    vault.open(row, actor_id=None, purpose="read").close()
    store = code_key_store(vault, respondent.study_id, actor_id=None)
    store.load()
    vault.destroy_respondent_key(respondent, actor_id=None)
    session.commit()
    secrets = [
        vault.keyring.current,
        vault.study_key(respondent.study_id, None),
        private.private_bytes,
        RECORDING[:32],
    ]
    forms = [
        form
        for secret in secrets
        for form in (
            repr(secret)[2:40],
            secret.hex(),
            master_keys.encode_key(secret)[:40],
            base64.b64encode(secret).decode()[:40],
        )
    ] + [str(private)]
    logged = json.dumps([e.model_dump(mode="json") for e in session.exec(select(AuditEvent))])
    assert not [form for form in forms if form in logged]
    assert not [form for form in forms if form in repr(app.config)]


def test_a_decryption_stays_audited_when_the_caller_rolls_back(
    vault, session, make_respondent
) -> None:
    row = vault.store(make_respondent(), io.BytesIO(b"story"), kind="transcript")
    vault.open(row, actor_id=None, purpose="read").close()
    session.rollback()
    assert _audit_actions(session)[-1] == "vault.decrypted"


def test_nothing_new_is_stored_after_withdrawal(vault, session, make_respondent) -> None:
    respondent = make_respondent()
    respondent.withdrawn_at = utcnow()
    session.add(respondent)
    session.commit()
    with pytest.raises(RespondentWithdrawnError):
        vault.store(respondent, io.BytesIO(b"late"), kind="recording")
    assert session.exec(select(VaultObject)).all() == []


def test_a_deleted_file_goes_only_when_the_deletion_is_committed(
    vault, session, make_respondent
) -> None:
    row = vault.store(make_respondent(), io.BytesIO(b"story"), kind="transcript")
    object_id = row.object_id
    vault.delete(row, actor_id=None)
    session.rollback()
    assert vault.storage.exists(object_id)
    row = session.exec(select(VaultObject)).one()
    vault.delete(row, actor_id=None)
    session.commit()
    assert not vault.storage.exists(object_id)
    assert session.exec(select(VaultObject)).all() == []


def test_a_public_key_swapped_in_the_database_is_detected_on_reading(
    vault, session, make_respondent
) -> None:
    respondent = make_respondent()
    row = vault.store(respondent, io.BytesIO(b"story"), kind="transcript")
    key = session.exec(select(RespondentKey)).one()
    key.recipient = str(X25519Identity.generate().recipient)
    session.add(key)
    session.commit()
    with pytest.raises(AgeError, match="does not open"):
        vault.open(row, actor_id=None, purpose="read")


def test_a_destroyed_key_does_not_linger_in_the_sqlite_log(
    app, vault, session, make_respondent
) -> None:
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("the write-ahead log is SQLite's")
    respondent = make_respondent()
    vault.recipient(respondent)
    session.commit()
    sealed = session.exec(select(RespondentKey)).one().sealed_identity
    vault.destroy_respondent_key(respondent, actor_id=None)
    session.commit()
    database = session.get_bind().url.database
    for path in (database, f"{database}-wal"):
        if os.path.exists(path):
            with open(path, "rb") as stored:
                assert sealed not in stored.read(), path


def test_rotation_rewraps_study_keys_without_touching_files(
    app, runner, vault, session, make_respondent
) -> None:
    respondent = make_respondent()
    row = vault.store(respondent, io.BytesIO(RECORDING), kind="recording")
    store = code_key_store(vault, respondent.study_id, actor_id=None)
    code_key = store.load()
    code_key.add("Sara", Category.PERSON, "Ilse")
    store.save(code_key)
    session.commit()
    before = _stored_bytes(vault, row)
    study_key = vault.study_key(respondent.study_id, None)
    respondent_key = session.exec(select(RespondentKey)).one().sealed_identity
    code_rows = [r.sealed_entry for r in session.exec(select(CodeKeyRow)).all()]
    old_id = vault.keyring.current_id

    result = runner.invoke(args=["keys", "rotate"])

    assert result.exit_code == 0, result.output
    assert "1 study keys sealed" in result.output
    session.expire_all()
    with app.app_context():
        rotated = get_vault(session)
    assert session.exec(select(StudyKey)).one().master_key_id == rotated.keyring.current_id
    assert rotated.keyring.current_id != old_id
    assert rotated.study_key(respondent.study_id, None) == study_key
    assert session.exec(select(RespondentKey)).one().sealed_identity == respondent_key
    assert [r.sealed_entry for r in session.exec(select(CodeKeyRow)).all()] == code_rows
    assert _stored_bytes(rotated, row) == before
    with rotated.open(row, actor_id=None, purpose="read") as reader:
        assert reader.read() == RECORDING
    assert "key.rotated" in _audit_actions(session)
    # The old key stays until it is retired, then goes.
    assert (rotated.keyring.directory / f"master-{old_id}.key").exists()
    result = runner.invoke(args=["keys", "retire"])
    assert result.exit_code == 0 and old_id in result.output
    assert not (rotated.keyring.directory / f"master-{old_id}.key").exists()


def test_a_worker_started_before_a_rotation_seals_with_the_new_key(
    app, runner, vault, session, make_user, make_study
) -> None:
    owner = make_user()
    stale_ring = vault.keyring
    runner.invoke(args=["keys", "rotate"])
    app.extensions["vault_keyring"] = stale_ring  # what a worker started earlier holds
    study = make_study(owner)
    with app.app_context():
        worker = get_vault(session)
        worker.study_key(study.id, None)
    session.commit()
    assert session.exec(select(StudyKey)).one().master_key_id != stale_ring.current_id


def test_a_lost_key_folder_is_an_error_not_a_new_key(app, vault, session, make_respondent) -> None:
    vault.recipient(make_respondent())
    session.commit()
    shutil.rmtree(vault.keyring.directory)
    app.extensions.pop("vault_keyring")
    with app.app_context():
        with pytest.raises(MasterKeyError, match="restore"):
            get_vault(session)


def test_a_rotation_cut_short_loses_nothing_and_can_run_again(
    app, runner, vault, session, make_respondent, monkeypatch
) -> None:
    respondent = make_respondent()
    row = vault.store(respondent, io.BytesIO(RECORDING), kind="recording")
    session.commit()
    old_id = vault.keyring.current_id

    def crash(self, **kwargs):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(Vault, "rewrap_study_keys", crash)
        runner.invoke(args=["keys", "rotate"])
    # The new key is current on disk, the study key still under the old one: both open.
    ring = load_keyring(vault.keyring.directory.parent)
    assert ring.current_id != old_id and old_id in ring.keys
    after_crash = Vault(session, ring, vault.storage, vault.backend)
    with after_crash.open(row, actor_id=None, purpose="read") as reader:
        assert reader.read(10) == RECORDING[:10]

    assert runner.invoke(args=["keys", "rotate"]).exit_code == 0
    assert runner.invoke(args=["keys", "retire"]).exit_code == 0
    ring = load_keyring(vault.keyring.directory.parent)
    assert list(ring.keys) == [ring.current_id]
    session.expire_all()
    assert session.exec(select(StudyKey)).one().master_key_id == ring.current_id


def test_rotation_with_keys_from_the_environment_uses_the_retired_keys_to_open(
    app, runner, vault, session, make_respondent, monkeypatch
) -> None:
    old, new = os.urandom(32), os.urandom(32)
    monkeypatch.setenv(master_keys.MASTER_KEY_ENV, master_keys.encode_key(old))
    app.extensions.pop("vault_keyring", None)
    with app.app_context():
        vault = get_vault(session)
    respondent = make_respondent()
    row = vault.store(respondent, io.BytesIO(b"interview"), kind="transcript")
    session.commit()

    monkeypatch.setenv(master_keys.MASTER_KEY_ENV, master_keys.encode_key(new))
    app.extensions.pop("vault_keyring", None)
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code != 0 and "missing" in result.output

    monkeypatch.setenv(master_keys.RETIRED_KEYS_ENV, master_keys.encode_key(old))
    app.extensions.pop("vault_keyring", None)
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output

    session.expire_all()
    study_key = session.exec(select(StudyKey)).one()
    open_sealed(
        new, study_key.sealed_key, f"intervjustudie/study-key/v1\0study={row.study_id}".encode()
    )
    monkeypatch.delenv(master_keys.RETIRED_KEYS_ENV)
    app.extensions.pop("vault_keyring", None)
    with app.app_context():
        with get_vault(session).open(row, actor_id=None, purpose="read") as reader:
            assert reader.read() == b"interview"


def test_new_master_prints_a_key_the_environment_accepts(runner, tmp_path) -> None:
    result = runner.invoke(args=["keys", "new-master"])
    assert result.exit_code == 0
    env = {master_keys.MASTER_KEY_ENV: result.output.strip()}
    assert len(load_keyring(tmp_path, env).current) == 32


def test_a_reader_from_the_vault_is_the_seekable_age_reader(vault, make_respondent) -> None:
    row = vault.store(make_respondent(), io.BytesIO(RECORDING), kind="recording")
    with vault.open(row, actor_id=None, purpose="listen") as reader:
        assert isinstance(reader, AgeReader) and reader.seekable()
        assert reader.size == len(RECORDING)


def test_identities_are_x25519(vault, make_respondent) -> None:
    respondent = make_respondent()
    vault.recipient(respondent)
    assert isinstance(vault.identity(respondent.id, None), X25519Identity)


def test_an_upload_whose_record_cannot_be_written_leaves_no_file(
    vault, session, make_respondent, monkeypatch
) -> None:
    respondent = make_respondent()
    vault.recipient(respondent)
    session.commit()

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("study.vault.objects.audit.record", fail)
    with pytest.raises(RuntimeError):
        vault.store(respondent, io.BytesIO(RECORDING), kind="recording")
    monkeypatch.undo()
    assert session.exec(select(VaultObject)).all() == []
    assert [p for p in vault.storage.root.rglob("*") if p.is_file()] == []
