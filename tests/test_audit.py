"""The audit log: every entry chains onto the one before, and tampering is found."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import stat
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from study import audit
from study.audit import AuditEvent
from study.audit_key import AUDIT_KEY_ENV, AuditKeyError, encode_key, load_audit_key

HEAD_LINE = re.compile(r"\d+ [0-9a-f]{64}\n")


@pytest.fixture(autouse=True)
def own_log(app, session, monkeypatch):
    """Start from an empty log whose key, unless a test sets one, is in instance/keys/.

    Tests that build apps of their own on the shared database leave entries behind.
    """
    monkeypatch.delenv(AUDIT_KEY_ENV, raising=False)
    session.execute(text("DELETE FROM audit_event"))
    session.commit()


@pytest.fixture
def logged(app, session):
    with app.app_context():
        for n in range(5):
            audit.record(session, "test.event", actor_id=n, subject=f"thing:{n}", n=n)
        session.commit()


def anchor_path(app) -> Path:
    return Path(app.instance_path) / audit.ANCHOR_FILE


def key_path(app) -> Path:
    return Path(app.instance_path) / "keys" / "audit.key"


def the_key(app) -> bytes:
    return load_audit_key(Path(app.instance_path), create=False)


def restart(app) -> None:
    """Forget the cached key, as a new process would."""
    app.extensions.pop("audit_key", None)


def assert_one_line_error(result) -> None:
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.output.count("\n") == 1


def test_an_intact_log_verifies(runner, logged):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "5" in result.output


def test_an_empty_log_without_an_anchor_verifies(app, runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert not anchor_path(app).exists()


def test_a_changed_entry_is_named(runner, logged, session):
    session.execute(text("UPDATE audit_event SET subject = 'thing:99' WHERE id = 3"))
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert_one_line_error(result)
    assert "entry 3" in result.output


def test_a_removed_entry_is_named(runner, logged, session):
    session.execute(text("DELETE FROM audit_event WHERE id = 2"))
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 3" in result.output


@pytest.mark.parametrize("cut", [1, 2, 5])
def test_entries_cut_off_the_end_are_named(runner, logged, session, cut):
    session.execute(text("DELETE FROM audit_event WHERE id > :keep"), {"keep": 5 - cut})
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 5" in result.output and "removed" in result.output


# The finding: the anchor could be deleted or damaged, and verify still passed.


def test_a_deleted_anchor_fails_verify(app, runner, logged, session):
    session.execute(text("DELETE FROM audit_event WHERE id > 3"))
    session.commit()
    anchor_path(app).unlink()
    result = runner.invoke(args=["audit", "verify"])
    assert_one_line_error(result)
    assert "instance/audit_head is missing" in result.output


def test_a_deleted_anchor_is_not_recreated_by_the_next_entry(app, runner, logged, session):
    anchor_path(app).unlink()
    with app.app_context():
        audit.record(session, "test.event", subject="later")
        session.commit()
    assert not anchor_path(app).exists()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


@pytest.mark.parametrize("content", ["", "garbage\n", "5\n", "5 not-a-hash\n", "x" * 200])
def test_a_damaged_anchor_fails_verify_and_is_left_as_found(app, runner, logged, session, content):
    anchor_path(app).write_text(content)
    result = runner.invoke(args=["audit", "verify"])
    assert_one_line_error(result)
    assert "audit_head" in result.output
    with app.app_context():
        audit.record(session, "test.event", subject="later")
        session.commit()
    assert anchor_path(app).read_text() == content


@pytest.mark.parametrize("damage", ["directory", "binary"])
def test_an_unreadable_anchor_fails_verify(app, runner, logged, damage):
    anchor_path(app).unlink()
    if damage == "directory":
        anchor_path(app).mkdir()
    else:
        anchor_path(app).write_bytes(b"\xff\xfe 5 \x00")
    result = runner.invoke(args=["audit", "verify"])
    assert_one_line_error(result)
    assert "audit_head cannot be read" in result.output


# The finding: with plain SHA-256, whoever can write the database and instance/ could edit a
# row, recompute every hash and the anchor, and verify passed.


def _rewrite_from_entry_2(app, session, rehash) -> None:
    """Change entry 2, rehash it and every later entry, and move the anchor to the new head."""
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    previous = rows[0].hash
    for row in rows[1:]:
        if row.id == 2:
            row.subject = "thing:99"
        row.prev_hash = previous
        row.hash = rehash(row)
        previous = row.hash
        session.add(row)
    session.commit()
    anchor_path(app).write_text(f"{rows[-1].id} {previous}\n")


def _plain_sha256(row: AuditEvent) -> str:
    return hashlib.sha256(row.payload()).hexdigest()


def _hmac_under_a_wrong_key(row: AuditEvent) -> str:
    return row.compute_hash(b"k" * 32)


@pytest.mark.parametrize("rehash", [_plain_sha256, _hmac_under_a_wrong_key])
def test_a_chain_rewritten_without_the_key_is_named(app, runner, logged, session, rehash):
    _rewrite_from_entry_2(app, session, rehash)
    result = runner.invoke(args=["audit", "verify"])
    assert_one_line_error(result)
    assert "entry 2" in result.output and "changed" in result.output


def test_the_rewrite_would_pass_with_the_key(app, runner, logged, session):
    """The attack above is faithful: only the key it lacks makes it fail."""
    key = the_key(app)
    _rewrite_from_entry_2(app, session, lambda row: row.compute_hash(key))
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_each_hash_is_an_hmac_under_the_audit_key(app, logged, session):
    key = the_key(app)
    for row in session.exec(select(AuditEvent)):
        assert row.hash == hmac.new(key, row.payload(), hashlib.sha256).hexdigest()
        assert row.hash != _plain_sha256(row)


# A head kept elsewhere catches what the anchor file, rewritten too, no longer can.


def test_head_prints_the_newest_entry_on_one_line(app, runner, logged, session):
    result = runner.invoke(args=["audit", "head"])
    assert result.exit_code == 0, result.output
    assert HEAD_LINE.fullmatch(result.output)
    newest = session.get(AuditEvent, 5)
    assert result.output == f"5 {newest.hash}\n"
    assert audit.current_head(session) == (5, newest.hash)


def test_head_of_an_empty_log_is_an_error(runner):
    assert_one_line_error(runner.invoke(args=["audit", "head"]))


def test_head_refuses_a_broken_log(runner, logged, session):
    session.execute(text("UPDATE audit_event SET subject = 'thing:99' WHERE id = 3"))
    session.commit()
    result = runner.invoke(args=["audit", "head"])
    assert_one_line_error(result)
    assert "entry 3" in result.output


def test_a_kept_head_catches_entries_cut_off_with_the_anchor_rewritten(
    app, runner, logged, session
):
    kept = runner.invoke(args=["audit", "head"]).output.strip()
    entry_3 = session.get(AuditEvent, 3)
    session.execute(text("DELETE FROM audit_event WHERE id > 3"))
    session.commit()
    anchor_path(app).write_text(f"3 {entry_3.hash}\n")
    # The anchor file alone is fooled: that is what the kept head is for.
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "--head", kept])
    assert_one_line_error(result)
    assert "entry 5" in result.output and "removed" in result.output


def test_a_kept_head_catches_a_replaced_entry(app, runner, logged, session):
    kept = runner.invoke(args=["audit", "head"]).output.strip()
    # Someone with the key cuts entry 5 off and writes a different entry 5 in its place.
    session.execute(text("DELETE FROM audit_event WHERE id = 5"))
    session.commit()
    anchor_path(app).write_text(f"4 {session.get(AuditEvent, 4).hash}\n")
    with app.app_context():
        audit.record(session, "test.event", subject="replacement")
        session.commit()
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    result = runner.invoke(args=["audit", "verify", "--head", kept])
    assert_one_line_error(result)
    assert "entry 5" in result.output


def test_a_kept_head_still_verifies_after_more_entries(app, runner, logged, session):
    kept = runner.invoke(args=["audit", "head"]).output.strip()
    with app.app_context():
        audit.record(session, "test.event", subject="later")
        session.commit()
    result = runner.invoke(args=["audit", "verify", "--head", kept])
    assert result.exit_code == 0, result.output
    assert "6" in result.output


def test_a_malformed_head_is_a_usage_error(runner, logged):
    result = runner.invoke(args=["audit", "verify", "--head", "5 nothex"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_verify_log_is_callable_without_the_command(app, logged, session):
    with app.app_context():
        head = audit.current_head(session)
        assert audit.verify_log(session, head) == (5, None)
        assert audit.verify_log(session, (9, head[1]))[1].event_id == 9


# The audit key: kept with the master key, never in the database or app.config.


def test_the_key_file_is_private_and_commented(app, logged):
    folder = key_path(app).parent
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(key_path(app).stat().st_mode) == 0o600
    lines = key_path(app).read_text().splitlines()
    assert lines[0].startswith("# Intervjustudie audit key")
    assert [line for line in lines if not line.startswith("#")] == [encode_key(the_key(app))]


def test_the_key_is_read_once_per_app(app, logged, session, monkeypatch):
    def no_reading(*_args, **_kwargs):
        raise AssertionError("the key was read again")

    monkeypatch.setattr(audit, "load_audit_key", no_reading)
    with app.app_context():
        audit.record(session, "test.event", subject="later")
        session.commit()


def test_a_key_from_the_environment_is_used_and_kept_out_of_config(
    app, runner, session, monkeypatch
):
    key = secrets.token_bytes(32)
    monkeypatch.setenv(AUDIT_KEY_ENV, base64.b64encode(key).decode())
    with app.app_context():
        event = audit.record(session, "test.event", subject="thing")
        session.commit()
    assert event.hash == event.compute_hash(key)
    assert not key_path(app).exists()
    secret_texts = {base64.b64encode(key).decode(), encode_key(key)}
    assert not any(str(value) in secret_texts for value in app.config.values())
    assert not any(isinstance(value, bytes) and key in value for value in app.config.values())
    assert AUDIT_KEY_ENV not in app.config
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


@pytest.mark.parametrize("value", ["not base64 at all!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_in_the_environment_is_an_error(app, session, monkeypatch, value):
    monkeypatch.setenv(AUDIT_KEY_ENV, value)
    with app.app_context(), pytest.raises(AuditKeyError, match=AUDIT_KEY_ENV):
        audit.record(session, "test.event")


def test_a_lost_key_with_entries_is_an_error_not_a_new_key(app, runner, logged, session):
    key_path(app).unlink()
    restart(app)
    with app.app_context(), pytest.raises(AuditKeyError, match="restore the file"):
        audit.record(session, "test.event")
    session.rollback()
    result = runner.invoke(args=["audit", "verify"])
    assert_one_line_error(result)
    assert "no audit key" in result.output
    assert not key_path(app).exists()


def test_a_wrong_key_with_entries_is_an_error(app, runner, logged, session, monkeypatch):
    restart(app)
    monkeypatch.setenv(AUDIT_KEY_ENV, encode_key(secrets.token_bytes(32)))
    with app.app_context(), pytest.raises(AuditKeyError, match="newest entry 5"):
        audit.record(session, "test.event")
    session.rollback()
    assert session.get(AuditEvent, 6) is None
    result = runner.invoke(args=["audit", "verify"])
    assert_one_line_error(result)
    assert "entry 1" in result.output and "audit key" in result.output


def test_an_entry_recorded_outside_an_app_context_uses_its_apps_key_and_anchor(
    app, runner, logged, session
):
    # As an object built within a request and used after it (the code key store) does.
    event = audit.record(session, "test.event", subject="later")
    session.commit()
    assert event.hash == event.compute_hash(the_key(app))
    assert audit.read_anchor(app.instance_path) == (6, event.hash)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_a_rolled_back_entry_does_not_move_the_anchor(app, runner, logged, session):
    with app.app_context():
        audit.record(session, "test.event", subject="never")
        session.rollback()
    assert audit.read_anchor(app.instance_path)[0] == 5
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_an_inserted_entry_is_named(app, runner, logged, session):
    # Even with the key, an entry cannot be slipped in between: the ids no longer run on.
    key = the_key(app)
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    session.execute(text("UPDATE audit_event SET id = id + 100 WHERE id >= 4"))
    session.expunge_all()
    forged = AuditEvent(
        id=4, created_at=rows[3].created_at, action="forged", prev_hash=rows[2].hash, hash="f" * 64
    )
    forged.hash = forged.compute_hash(key)
    session.add(forged)
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 104" in result.output


def test_entries_hold_no_secrets(app, client, make_user, session):
    user = make_user()
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    client.post("/password/forgot", data={"email": user.email})
    dump = " ".join(f"{e.subject} {e.details}" for e in session.exec(select(AuditEvent)))
    assert "correct horse battery" not in dump
    assert user.password_hash not in dump
    assert encode_key(the_key(app)) not in dump


def test_two_writers_at_once_both_chain(app, session):
    """The second writer waits for the first instead of chaining onto the same entry."""
    engine = app.extensions["db_engine"]
    with app.app_context():
        audit.record(session, "test.first", subject="a")
        errors = []

        def second_writer():
            try:
                with Session(engine) as other, app.app_context():
                    audit.record(other, "test.second", subject="b")
                    other.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

        thread = threading.Thread(target=second_writer)
        thread.start()
        time.sleep(0.5)
        session.commit()
        thread.join(timeout=30)
        assert not errors
        assert audit.verify(session) == (2, None)
