"""The audit log: every entry chains onto the one before, and tampering is found."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from study import audit
from study.audit import AuditEvent


@pytest.fixture
def logged(app, session):
    with app.app_context():
        for n in range(5):
            audit.record(session, "test.event", actor_id=n, subject=f"thing:{n}", n=n)
        session.commit()


def test_an_intact_log_verifies(runner, logged):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "5" in result.output


def test_a_changed_entry_is_named(runner, logged, session):
    session.execute(text("UPDATE audit_event SET subject = 'thing:99' WHERE id = 3"))
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
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


def test_a_rewritten_chain_is_noticed_at_its_anchor(runner, logged, session):
    # Someone with write access recomputes every hash after changing entry 2.
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    previous = audit.GENESIS
    for row in rows:
        if row.id == 2:
            row.subject = "thing:99"
        row.prev_hash = previous
        row.hash = row.compute_hash()
        previous = row.hash
        session.add(row)
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 5" in result.output


def test_a_rolled_back_entry_does_not_move_the_anchor(app, runner, logged, session):
    with app.app_context():
        audit.record(session, "test.event", subject="never")
        session.rollback()
    assert audit.read_anchor(app.instance_path)[0] == 5
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_an_inserted_entry_is_named(runner, logged, session):
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    session.execute(text("UPDATE audit_event SET id = id + 100 WHERE id >= 4"))
    session.expunge_all()
    forged = AuditEvent(
        id=4, created_at=rows[3].created_at, action="forged", prev_hash=rows[2].hash, hash="f" * 64
    )
    forged.hash = forged.compute_hash()
    session.add(forged)
    session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 104" in result.output


def test_entries_hold_no_secrets(client, make_user, session):
    user = make_user()
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    client.post("/password/forgot", data={"email": user.email})
    dump = " ".join(f"{e.subject} {e.details}" for e in session.exec(select(AuditEvent)))
    assert "correct horse battery" not in dump
    assert user.password_hash not in dump


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
