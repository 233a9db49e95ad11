"""Retention: on the day after the approved date, what the letter promised to destroy goes."""

from __future__ import annotations

import io
from datetime import date

from sqlmodel import select

from study.audit import AuditEvent
from study.closing import retention
from study.pseudonymize.codekey import Category
from study.pseudonymize.models import CodeKeyRow
from study.pseudonymize.vaulted import code_key_store
from study.respondents import services as recruitment
from study.respondents.models import Respondent
from study.studies.models import Study
from study.vault.models import RespondentKey, VaultObject
from study.vault.service import get_vault
from tests.conftest import PASSWORD

#: The retention date answered in the test self-review (tests/conftest.py quiet_answers).
KEPT_UNTIL = date(2027, 6, 30)


def material(app, session, recruiting):
    """Give the study a respondent with contact details, a recording and a code key."""
    with app.test_request_context():
        respondent = recruitment.add_respondent(
            session,
            recruiting.study,
            recruiting.student,
            code="IP1",
            name="Sara Ek",
            email="sara@example.org",
        )
        vault = get_vault(session)
        stored = vault.store(respondent, io.BytesIO(b"RIFF\0\0\0\0WAVE"), kind="recording")
        store = code_key_store(vault, recruiting.study.id, actor_id=None)
        key = store.load()
        key.add("Sara", Category.parse("person"), source=respondent.id)
        store.save(key)
        session.commit()
    return respondent, stored


def actions(session) -> list[str]:
    session.expire_all()
    return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_nothing_goes_until_the_day_after_the_retention_date(app, session, recruiting):
    respondent, stored = material(app, session, recruiting)
    with app.test_request_context():
        assert retention.retention_date(session, recruiting.study) == KEPT_UNTIL
        assert retention.run(session, KEPT_UNTIL) == []
    assert session.get(VaultObject, stored.id) is not None
    assert app.extensions["vault_storage"].exists(stored.object_id)


def test_the_day_after_keys_files_contacts_and_the_code_key_are_destroyed_once(
    app, session, recruiting
):
    respondent, stored = material(app, session, recruiting)
    before = len(actions(session))
    with app.test_request_context():
        [(study, counts)] = retention.run(session, date(2027, 7, 1))
        session.commit()
    assert study.id == recruiting.study.id
    assert counts == {
        "files": 1,
        "files_recording": 1,
        "key": 1,
        "contacts": 1,
        "code_key_entries": 1,
    }
    session.expire_all()
    assert session.exec(select(VaultObject)).all() == []
    assert not app.extensions["vault_storage"].exists(stored.object_id)
    key = session.exec(select(RespondentKey)).one()
    assert key.sealed_identity is None
    assert session.get(Respondent, respondent.id).sealed_contact is None
    assert session.exec(select(CodeKeyRow)).all() == []
    assert session.get(Study, recruiting.study.id).closed_at is not None
    assert actions(session)[before:] == ["retention.destroyed"]
    # Run again the next night: nothing is left, nothing is written.
    with app.test_request_context():
        assert retention.run(session, date(2027, 7, 2)) == []
    assert actions(session)[before:] == ["retention.destroyed"]


def test_the_command_runs_as_cron_would_and_says_what_went(app, session, recruiting):
    material(app, session, recruiting)
    runner = app.test_cli_runner()
    early = runner.invoke(args=["retention", "run", "--today", "2027-06-30"])
    assert early.exit_code == 0 and "0 studies" in early.output
    done = runner.invoke(args=["retention", "run", "--today", "2027-07-01"])
    assert done.exit_code == 0, done.output
    assert f"Study {recruiting.study.id}: destroyed" in done.output
    assert "files_recording 1" in done.output
    again = runner.invoke(args=["retention", "run", "--today", "2027-07-01"])
    assert "0 studies" in again.output


def test_the_closing_page_shows_what_remains_and_when_it_goes(app, session, recruiting):
    material(app, session, recruiting)
    for user in (recruiting.student, recruiting.supervisor):
        client = app.test_client()
        client.get("/language/en")
        client.post("/login", data={"email": user.email, "password": PASSWORD})
        page = client.get(f"/studies/{recruiting.study.id}/closing")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "2027-06-30" in text and "Files: recording" in text


def test_the_reasons_given_for_withdrawals_go_too(app, session, recruiting):
    from study.consent import withdrawal
    from study.consent.models import Withdrawal

    respondent, _stored = material(app, session, recruiting)
    with app.test_request_context():
        withdrawal.withdraw(session, respondent, reason="Jag flyttar till Eritrea.")
        session.commit()
        [(_study, counts)] = retention.run(session, date(2027, 7, 1))
        session.commit()
    assert counts["withdrawal_reasons"] == 1
    session.expire_all()
    assert session.exec(select(Withdrawal)).one().sealed_reason is None


def test_a_study_past_its_date_with_nothing_left_is_closed_all_the_same(app, session, recruiting):
    with app.test_request_context():
        [(study, counts)] = retention.run(session, date(2027, 7, 1))
        session.commit()
    assert counts == {}
    assert session.get(Study, recruiting.study.id).closed_at is not None


def test_nothing_new_is_stored_once_the_date_has_passed(app, session, recruiting, monkeypatch):
    from study.recordings import services as recordings

    respondent, _stored = material(app, session, recruiting)
    with app.test_request_context():
        assert recordings.open_for_material(session, recruiting.study)
        monkeypatch.setattr(
            recordings,
            "utcnow",
            lambda: __import__("datetime").datetime(2027, 7, 1, tzinfo=__import__("datetime").UTC),
        )
        assert not recordings.open_for_material(session, recruiting.study)
        assert recordings.recordable(session, recruiting.study) == []
