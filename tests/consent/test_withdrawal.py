"""Withdrawal: what the letter promised, done at once, whoever registers it.

The respondent withdraws through their link, or the student registers a withdrawal made by
mail, phone or in person. Either way the respondent's key, files, contact details and links
go, the code-key terms only their material gave rise to go, one audit entry says how much
went, and nothing new can be stored for them, not even an upload that was already streaming.
"""

from __future__ import annotations

import io
import json

import pytest
from bs4 import BeautifulSoup
from sqlmodel import Session, SQLModel, col, select

from study.accounts.models import Role
from study.audit import AuditEvent
from study.consent import services as consent
from study.consent import withdrawal
from study.consent.models import ConsentRecord, Withdrawal
from study.errors import UserError
from study.letters import consent_form
from study.letters import services as letters
from study.models import import_all_models
from study.pseudonymize.codekey import Category
from study.pseudonymize.vaulted import code_key_store
from study.respondents import services as recruitment
from study.respondents.models import Invitation, Respondent
from study.review import services as review
from study.review.models import Outcome
from study.vault.models import RespondentKey, VaultObject
from study.vault.service import RespondentWithdrawnError, get_vault
from tests.conftest import PASSWORD, Recruiting, answer_self_review

REASON = "Jag flyttar till Kiruna och vill inte vara med längre."

# Helpers ------------------------------------------------------------------------------------


def add(app, session, recruiting, code="IP1", email="", name="Sara Ek"):
    with app.test_request_context():
        respondent = recruitment.add_respondent(
            session, recruiting.study, recruiting.student, code=code, name=name, email=email
        )
        token = recruitment.issue_link(session, recruiting.study, recruiting.student, respondent)
        session.commit()
    return respondent, token


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def messages(response) -> list[str]:
    found = soup(response).select(".error-summary li, p.error, p.flash")
    return [" ".join(e.get_text(" ").split()) for e in found]


def visit(app, token):
    client = app.test_client()
    assert client.get(f"/r/{token}").status_code == 303
    return client


def consent_through(client, lang="en"):
    form = soup(client.get(f"/r/consent?lang={lang}"))
    boxes = {
        i["name"]: i.get("value", "y")
        for i in form.select("input[type=checkbox], input[type=hidden]")
    }
    assert client.post("/r/consent", data={**boxes, "respondent": "Sara Ek"}).status_code == 303
    submission = soup(client.get("/r/confirm")).select_one("input[name=submission]")["value"]
    assert client.post("/r/confirm", data={"submission": submission}).status_code == 303


def give(app, session, respondent, study):
    with app.test_request_context():
        documents = consent.approved_documents(session, study)
        record = consent.give_consent(
            session,
            respondent,
            documents,
            language="sv",
            answers={item["key"]: True for item in documents.items},
            names={"respondent": "Sara Ek"},
            submission=consent.new_submission(),
        )
        session.commit()
    return record


def staff(app, user, lang="en"):
    client = app.test_client()
    client.get(f"/language/{lang}")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code in (
        302,
        303,
    )
    return client


def store(app, session, respondent, kind, data):
    """Store a file for the respondent in the vault; return its record."""
    with app.test_request_context():
        return get_vault(session).store(
            respondent, io.BytesIO(data), kind=kind, media_type="application/octet-stream"
        )


def seed_code_key(app, session, study, mine: Respondent, theirs: Respondent) -> None:
    """A code key with terms from two respondents' transcripts and one added by hand."""
    with app.test_request_context():
        key_store = code_key_store(get_vault(session), study.id, actor_id=None)
        key = key_store.load()
        key.add("Sara Ek", Category.PERSON, source=mine.id)
        key.add("Kiruna", Category.PLACE, "[ort]", source=mine.id)
        key.add("Göteborg", Category.PLACE, source=mine.id)
        key.add("Göteborg", Category.PLACE, source=theirs.id)
        key.add("Ahmed", Category.PERSON, source=theirs.id)
        key.add("Röda Korset", Category.ORGANISATION)
        key_store.save(key)
        session.commit()


def code_key_terms(app, session, study) -> dict[str, set[int]]:
    session.expire_all()
    with app.test_request_context():
        key = code_key_store(get_vault(session), study.id, actor_id=None).load()
        session.rollback()
    return {entry.term: entry.sources for entry in key}


def last_audit_id(session) -> int:
    session.expire_all()
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    return last.id if last else 0


def audit_since(session, after: int) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.exec(select(AuditEvent).where(AuditEvent.id > after).order_by(AuditEvent.id))
    )


def stored_values(session):
    import_all_models()
    session.expire_all()
    for table in SQLModel.metadata.sorted_tables:
        for row in session.execute(table.select()).mappings():
            for column, value in row.items():
                if isinstance(value, bytes | bytearray | memoryview):
                    yield f"{table.name}.{column}", bytes(value)
                elif isinstance(value, str):
                    yield f"{table.name}.{column}", value.encode()
                elif isinstance(value, dict | list):
                    yield f"{table.name}.{column}", json.dumps(value, ensure_ascii=False).encode()


def stored_files(app) -> list[str]:
    return [name for name, _when in app.extensions["vault_storage"].listing()]


# Withdrawing --------------------------------------------------------------------------------


def test_a_respondent_withdraws_through_their_link_and_what_the_study_held_of_them_goes(
    app, session, recruiting
):
    respondent, token = add(app, session, recruiting, email="sara@example.org")
    other, _other_token = add(app, session, recruiting, code="IP2", name="Ahmed")
    client = visit(app, token)
    consent_through(client)
    recording = store(app, session, respondent, "recording", b"intervjuljud " * 5000)
    scan = store(app, session, respondent, "consent_scan", b"%PDF-1.4 scan")
    kept = store(app, session, other, "recording", b"en annan intervju")
    seed_code_key(app, session, recruiting.study, respondent, other)
    storage = app.extensions["vault_storage"]
    destroyed = [recording.object_id, scan.object_id]
    assert all(storage.exists(name) for name in [*destroyed, kept.object_id])
    outbox = app.extensions["outbox"]
    outbox.clear()
    before = last_audit_id(session)

    page = client.get("/r/withdraw?lang=en")
    assert page.status_code == 200
    assert soup(page).select("input[name=keep]") == [], "the letter offers no choice here"
    gone = client.post("/r/withdraw", data={"reason": REASON, "confirm": "yes"})
    assert gone.status_code == 303
    assert client.get(gone.headers["Location"]).status_code == 200
    assert client.get(gone.headers["Location"]).status_code == 404, "confirmed once only"

    session.expire_all()
    stored = session.get(Respondent, respondent.id)
    assert stored.withdrawn_at is not None and stored.sealed_contact is None
    key = session.exec(
        select(RespondentKey).where(RespondentKey.respondent_id == respondent.id)
    ).one()
    assert key.sealed_identity is None and key.destroyed_at is not None
    left = session.exec(select(VaultObject)).all()
    assert [o.id for o in left] == [kept.id]
    assert stored_files(app) == [kept.object_id]
    assert not any(storage.exists(name) for name in destroyed)
    assert all(
        i.revoked_at is not None
        for i in session.exec(select(Invitation).where(Invitation.respondent_id == respondent.id))
    )
    [record] = session.exec(select(ConsentRecord)).all()
    assert record.withdrawn_at == stored.withdrawn_at
    assert code_key_terms(app, session, recruiting.study) == {
        "Göteborg": {other.id},
        "Ahmed": {other.id},
        "Röda Korset": set(),
    }

    [done] = session.exec(select(Withdrawal)).all()
    assert (done.channel, done.registered_by, done.keep_analysed) == ("link", None, False)
    expected = {
        "files": 2,
        "files_recording": 1,
        "files_consent_scan": 1,
        "key": 1,
        "code_key_entries": 2,
    }
    assert done.destroyed == expected
    written = audit_since(session, before)
    assert [e.action for e in written] == ["consent.withdrawn"]
    [entry] = written
    assert entry.subject == f"respondent:{respondent.id}" and entry.actor_id is None
    assert json.loads(entry.details) == {
        "channel": "link",
        "keep_analysed": False,
        "reason_given": True,
        "consents": 1,
        "links": 1,
        **expected,
    }

    # The reason is kept sealed: readable through the service, nowhere in plaintext.
    with app.test_request_context():
        assert withdrawal.reason(session, done, actor=recruiting.student) == REASON
    assert done.sealed_reason is not None
    assert [where for where, value in stored_values(session) if b"Kiruna och" in value] == []

    told = sorted((m.to, recruiting.study.title in m.body, "IP1" in m.body) for m in outbox)
    assert told == sorted(
        [(recruiting.student.email, True, True), (recruiting.supervisor.email, True, True)]
    )


def test_the_student_registers_a_withdrawal_made_by_phone(app, session, recruiting):
    respondent, token = add(app, session, recruiting)
    give(app, session, respondent, recruiting.study)
    store(app, session, respondent, "recording", b"ljud")
    client = staff(app, recruiting.student)
    url = f"/studies/{recruiting.study.id}/respondents/{respondent.id}/withdraw"
    app.extensions["outbox"].clear()

    unconfirmed = client.post(url, data={"reason": REASON})
    assert unconfirmed.status_code == 400 and messages(unconfirmed)
    session.expire_all()
    assert session.get(Respondent, respondent.id).withdrawn_at is None
    assert session.exec(select(VaultObject)).all() != []

    before = last_audit_id(session)
    done = client.post(url, data={"reason": REASON, "confirm": "y"})
    assert done.status_code == 303
    session.expire_all()
    [registered] = session.exec(select(Withdrawal)).all()
    assert (registered.channel, registered.registered_by) == ("student", recruiting.student.id)
    assert registered.destroyed["files"] == 1 and registered.destroyed["key"] == 1
    assert session.exec(select(VaultObject)).all() == [] and stored_files(app) == []
    assert [e.action for e in audit_since(session, before)] == ["consent.withdrawn"]
    with app.test_request_context():
        assert withdrawal.reason(session, registered, actor=recruiting.student) == REASON
        # Reading the reason is itself written down.
        assert audit_since(session, before)[-1].action == "vault.decrypted"
    assert app.test_client().get(f"/r/{token}").status_code == 404
    assert {m.to for m in app.extensions["outbox"]} == {
        recruiting.student.email,
        recruiting.supervisor.email,
    }
    rows = client.get(f"/studies/{recruiting.study.id}/respondents")
    assert "Withdrawn" in rows.get_data(as_text=True)
    again = client.post(url, data={"confirm": "y"})
    assert again.status_code == 400 and any("already withdrawn" in m for m in messages(again))


def test_withdrawing_twice_returns_the_first_withdrawal(app, session, recruiting):
    respondent, _token = add(app, session, recruiting)
    with app.test_request_context():
        first = withdrawal.withdraw(session, respondent, reason="Först.")
        session.commit()
        again = withdrawal.withdraw(session, respondent, reason="Sedan.")
        session.commit()
        with pytest.raises(UserError):
            withdrawal.withdraw_for(session, recruiting.study, recruiting.student, respondent)
        session.rollback()
        assert withdrawal.reason(session, again, actor=recruiting.student) == "Först."
    assert again.id == first.id
    assert len(session.exec(select(Withdrawal)).all()) == 1
    withdrawn = session.exec(select(AuditEvent).where(AuditEvent.action == "consent.withdrawn"))
    assert len(withdrawn.all()) == 1


def test_a_reason_longer_than_allowed_withdraws_nothing(app, session, recruiting):
    respondent, token = add(app, session, recruiting)
    with app.test_request_context(), pytest.raises(UserError) as refused:
        withdrawal.withdraw(session, respondent, reason="x" * (withdrawal.REASON_LENGTH + 1))
    assert refused.value.field == "reason"
    session.rollback()
    session.expire_all()
    assert session.get(Respondent, respondent.id).withdrawn_at is None
    assert app.test_client().get(f"/r/{token}").status_code == 303


def test_nothing_new_can_be_stored_for_a_withdrawn_respondent(app, session, recruiting):
    respondent, _token = add(app, session, recruiting)
    with app.test_request_context():
        withdrawal.withdraw(session, respondent)
        session.commit()
        vault = get_vault(session)
        with pytest.raises(RespondentWithdrawnError):
            vault.store(respondent, io.BytesIO(b"ljud"), kind="recording")
        with pytest.raises(RespondentWithdrawnError):
            with vault.upload(respondent, kind="recording") as upload:
                upload.write(b"ljud")
        with pytest.raises(UserError):
            recruitment.issue_link(session, recruiting.study, recruiting.student, respondent)
        session.rollback()
        documents = consent.approved_documents(session, recruiting.study)
        with pytest.raises(UserError):
            consent.give_consent(
                session,
                respondent,
                documents,
                language="sv",
                answers={item["key"]: True for item in documents.items},
                names={"respondent": "Sara Ek"},
                submission="after",
            )
        session.rollback()
    assert session.exec(select(VaultObject)).all() == [] and stored_files(app) == []
    assert session.exec(select(ConsentRecord)).all() == []


def test_an_upload_that_ends_after_a_withdrawal_is_refused_and_leaves_no_file(
    app, session, recruiting
):
    respondent, _token = add(app, session, recruiting)
    engine = app.extensions["db_engine"]
    with app.test_request_context():
        with Session(engine, expire_on_commit=False) as uploading:
            vault = get_vault(uploading)
            target = uploading.get(Respondent, respondent.id)
            with pytest.raises(RespondentWithdrawnError):
                with vault.upload(target, kind="recording", media_type="audio/ogg") as upload:
                    upload.write(b"the first minutes of the interview " * 2000)
                    # Meanwhile, in another request, the respondent withdraws.
                    with Session(engine) as withdrawing:
                        withdrawal.withdraw(withdrawing, withdrawing.get(Respondent, respondent.id))
                        withdrawing.commit()
                    upload.write(b"and the rest of it " * 2000)
            assert target.withdrawn_at is not None, "the upload saw the withdrawal"
    session.expire_all()
    assert session.exec(select(VaultObject)).all() == []
    assert stored_files(app) == []
    actions = [e.action for e in session.exec(select(AuditEvent))]
    assert "vault.stored" not in actions and actions.count("consent.withdrawn") == 1


# The choice of keeping what was analysed -------------------------------------------------------


@pytest.fixture
def keeps_analysed(app, session, make_user, make_study):
    """A study whose self-review says data already analysed are kept after a withdrawal."""
    student, supervisor = make_user(Role.STUDENT), make_user(Role.SUPERVISOR)
    study = make_study(student, supervisor, title="Analysen står kvar")
    study.controller, study.data_protection_officer = "Exempeluniversitetet", "dso@example.org"
    session.add(study)
    session.commit()
    answer_self_review(app, session, study, student, withdrawal="keep_analysed")
    with app.test_request_context():
        letters.create(session, study, student, ["sv", "en"])
        consent_form.create(session, study, student)
        for step in ("ethics", "letter", "consent_form"):
            version = review.submit(session, study, student, step)
            warnings = review.document_of(step).blockers(version.content)
            review.decide(
                session,
                study,
                supervisor,
                step,
                outcome=Outcome.APPROVED,
                acknowledged=[w.key for w in warnings if w.acknowledgeable],
            )
        session.commit()

    return Recruiting(study, student, supervisor)


def test_the_letter_that_promises_it_offers_keeping_what_was_analysed(app, session, keeps_analysed):
    respondent, token = add(app, session, keeps_analysed)
    client = visit(app, token)
    assert soup(client.get("/r/withdraw")).select("input[name=keep]") == [], "no consent yet"
    consent_through(client)
    record = session.exec(select(ConsentRecord)).one()
    assert consent.offers_choice(session, record)
    page = soup(client.get("/r/withdraw?lang=en"))
    assert sorted(i["value"] for i in page.select("input[name=keep]")) == ["delete", "keep"]

    assert client.post("/r/withdraw", data={"keep": "keep", "confirm": "yes"}).status_code == 303
    [done] = session.exec(select(Withdrawal)).all()
    assert done.keep_analysed is True
    entry = session.exec(select(AuditEvent).where(AuditEvent.action == "consent.withdrawn")).one()
    assert json.loads(entry.details)["keep_analysed"] is True


def test_the_student_registers_the_choice_where_the_letter_offers_it(app, session, keeps_analysed):
    respondent, _token = add(app, session, keeps_analysed)
    give(app, session, respondent, keeps_analysed.study)
    client = staff(app, keeps_analysed.student)
    url = f"/studies/{keeps_analysed.study.id}/respondents/{respondent.id}/withdraw"
    assert len(soup(client.get(url)).select("input[name=keep]")) == 2
    assert client.post(url, data={"keep": "delete", "confirm": "y"}).status_code == 303
    assert session.exec(select(Withdrawal)).one().keep_analysed is False


def test_without_the_promise_no_one_can_keep_what_was_analysed(app, session, recruiting):
    respondent, token = add(app, session, recruiting)
    other, _other_token = add(app, session, recruiting, code="IP2")
    give(app, session, other, recruiting.study)
    client = visit(app, token)
    consent_through(client)
    assert not consent.offers_choice(session, session.exec(select(ConsentRecord)).first())
    assert client.post("/r/withdraw", data={"keep": "keep", "confirm": "yes"}).status_code == 303
    student = staff(app, recruiting.student)
    url = f"/studies/{recruiting.study.id}/respondents/{other.id}/withdraw"
    assert soup(student.get(url)).select("input[name=keep]") == []
    assert student.post(url, data={"keep": "keep", "confirm": "y"}).status_code == 303
    assert [w.keep_analysed for w in session.exec(select(Withdrawal))] == [False, False]
