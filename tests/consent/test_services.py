"""Giving consent: what counts as one, who signs, new versions, the receipt, paper forms.

The respondent's side goes through their link and the test client; the rules behind it are
also asked of the services directly.
"""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from study.accounts.models import Role
from study.audit import AuditEvent
from study.consent import receipt
from study.consent import services as consent
from study.consent.models import ConsentRecord
from study.errors import UserError
from study.letters import consent_form
from study.letters import services as letters
from study.letters.sections import MAIN
from study.models import import_all_models, utcnow
from study.respondents import register
from study.respondents import services as recruitment
from study.review import services as review
from study.review.models import Outcome
from study.vault.models import VaultObject
from study.vault.service import get_vault
from tests.conftest import PASSWORD, Recruiting, answer_self_review

# Helpers ------------------------------------------------------------------------------------


def add(app, session, recruiting, code="IP1", email="", name="Sara Ek"):
    """Add a respondent with a link; return it and the link's token."""
    with app.test_request_context():
        respondent = recruitment.add_respondent(
            session, recruiting.study, recruiting.student, code=code, name=name, email=email
        )
        token = recruitment.issue_link(session, recruiting.study, recruiting.student, respondent)
        session.commit()
    return respondent, token


def documents_of(app, session, study) -> consent.Documents:
    session.expire_all()
    with app.test_request_context():
        found = consent.approved_documents(session, study)
    assert found is not None
    return found


def every_item(documents) -> dict[str, bool]:
    return {item["key"]: True for item in documents.items}


def give(app, session, respondent, documents, submission=None, names=None, language="en"):
    """Record a consent through the service, as the confirmation page does."""
    with app.test_request_context():
        record = consent.give_consent(
            session,
            respondent,
            documents,
            language=language,
            answers=every_item(documents),
            names=names or {"respondent": "Sara Ek"},
            submission=submission or consent.new_submission(),
        )
        session.commit()
    return record


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def messages(response) -> list[str]:
    found = soup(response).select(".error-summary li, p.error, p.flash, .error-page p")
    return [" ".join(e.get_text(" ").split()) for e in found]


def visit(app, token):
    client = app.test_client()
    assert client.get(f"/r/{token}").status_code == 303
    return client


def fill_in(client, lang="en", **names):
    """Fill in the consent form, every box ticked; return the confirmation page."""
    form = soup(client.get(f"/r/consent?lang={lang}"))
    boxes = {
        i["name"]: i.get("value", "y")
        for i in form.select("input[type=checkbox], input[type=hidden]")
    }
    sent = client.post("/r/consent", data={**boxes, **(names or {"respondent": "Sara Ek"})})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    return client.get("/r/confirm")


def confirm(client, confirmation):
    submission = soup(confirmation).select_one("input[name=submission]")["value"]
    return client.post("/r/confirm", data={"submission": submission})


def staff(app, user, lang="en"):
    client = app.test_client()
    client.get(f"/language/{lang}")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code in (
        302,
        303,
    )
    return client


def entries(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def details(event: AuditEvent) -> dict:
    return json.loads(event.details)


def current_records(session, respondent) -> list[ConsentRecord]:
    session.expire_all()
    return list(
        session.exec(
            select(ConsentRecord).where(
                ConsentRecord.respondent_id == respondent.id,
                col(ConsentRecord.superseded_at).is_(None),
            )
        )
    )


def open_acknowledging(app, session, study, student, supervisor, codes=("sv", "en")) -> None:
    """Approve the self-review, letter and form, acknowledging every blocking warning."""
    with app.test_request_context():
        letters.create(session, study, student, list(codes))
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
        assert review.may_recruit(session, study)


def approve_new_letter(app, session, recruiting) -> None:
    """Edit the letter and have the supervisor approve the new version."""
    with app.test_request_context():
        written = letters.letter(session, recruiting.study)["letters"]["sv"]
        results = written[MAIN]["results"]
        letters.save_language(
            session,
            recruiting.study,
            recruiting.student,
            "sv",
            written["title"],
            {(MAIN, "results"): (results["heading"], results["text"] + " Vi berättar mer.")},
        )
        review.submit(session, recruiting.study, recruiting.student, "letter")
        review.decide(
            session, recruiting.study, recruiting.supervisor, "letter", outcome=Outcome.APPROVED
        )
        session.commit()


def row_counts(session) -> dict[str, int]:
    import_all_models()
    session.expire_all()
    return {
        t.name: session.execute(select(func.count()).select_from(t)).scalar_one()
        for t in SQLModel.metadata.sorted_tables
    }


def vault_files(app) -> list[str]:
    return [name for name, _when in app.extensions["vault_storage"].listing()]


# What counts as a consent -------------------------------------------------------------------


def test_a_consent_needs_taking_part_ticked(app, session, recruiting):
    documents = documents_of(app, session, recruiting.study)
    answers = {**every_item(documents), "participation": False}
    with app.test_request_context(), pytest.raises(UserError) as refused:
        consent.check_answers(
            documents, language="en", answers=answers, names={"respondent": "Sara Ek"}
        )
    assert refused.value.field == "item-participation"


def test_a_consent_needs_the_typed_name(app, session, recruiting):
    documents = documents_of(app, session, recruiting.study)
    for names in ({}, {"respondent": ""}, {"respondent": "   "}):
        with app.test_request_context(), pytest.raises(UserError) as refused:
            consent.check_answers(
                documents, language="en", answers=every_item(documents), names=names
            )
        assert refused.value.field == "respondent"
    with app.test_request_context(), pytest.raises(UserError) as refused:
        consent.check_answers(
            documents, language="en", answers=every_item(documents), names={"respondent": "x" * 201}
        )
    assert refused.value.field == "respondent"


@pytest.mark.parametrize("language", ["de", "", "SV", "sv-FI"])
def test_a_consent_is_given_in_a_language_the_letter_is_written_in(
    app, session, recruiting, language
):
    documents = documents_of(app, session, recruiting.study)
    with app.test_request_context(), pytest.raises(UserError) as refused:
        consent.check_answers(
            documents,
            language=language,
            answers=every_item(documents),
            names={"respondent": "Sara Ek"},
        )
    assert refused.value.field == "language"


def test_the_answers_are_recorded_for_every_item_and_the_name_tidied(app, session, recruiting):
    documents = documents_of(app, session, recruiting.study)
    ticked, signed = consent.check_answers(
        documents,
        language="sv",
        answers={"participation": True, "unknown_item": True},
        names={"respondent": "  Sara \n  Ek ", "child": "Not asked for"},
    )
    assert ticked == {item["key"]: item["key"] == "participation" for item in documents.items}
    assert signed == {"respondent": "Sara Ek"}


@pytest.fixture
def guardians(app, session, make_user, make_study):
    """A study with respondents under 15: the guardians sign and the child agrees."""
    student, supervisor = make_user(Role.STUDENT), make_user(Role.SUPERVISOR)
    study = make_study(student, supervisor, title="Barns fritid")
    study.controller, study.data_protection_officer = "Exempeluniversitetet", "dso@example.org"
    session.add(study)
    session.commit()
    answer_self_review(app, session, study, student, minors="under_15")
    open_acknowledging(app, session, study, student, supervisor)

    return Recruiting(study, student, supervisor)


def test_guardians_sign_for_a_child_under_15_and_the_child_agrees(app, session, guardians):
    documents = documents_of(app, session, guardians.study)
    assert documents.signed_as == "guardians"
    answers = every_item(documents)
    for names, missing in [
        ({"child": "Elsa Ek"}, "guardian_1"),
        ({"guardian_1": "Anna Ek", "guardian_2": "Per Ek"}, "child"),
        ({"respondent": "Elsa Ek"}, "guardian_1"),
    ]:
        with app.test_request_context(), pytest.raises(UserError) as refused:
            consent.check_answers(documents, language="sv", answers=answers, names=names)
        assert refused.value.field == missing
    _ticked, signed = consent.check_answers(
        documents,
        language="sv",
        answers=answers,
        names={"guardian_1": "Anna Ek", "child": "Elsa Ek"},
    )
    assert signed == {"guardian_1": "Anna Ek", "child": "Elsa Ek"}

    respondent, token = add(app, session, guardians, name="")
    client = visit(app, token)
    form = soup(client.get("/r/consent?lang=en"))
    assert [i["name"] for i in form.select("input[type=text]")] == [
        "guardian_1",
        "guardian_2",
        "child",
    ]
    confirmation = fill_in(client, guardian_1="Anna Ek", guardian_2="Per Ek", child="Elsa Ek")
    assert confirm(client, confirmation).status_code == 303
    record = current_records(session, respondent)[0]
    assert record.signed_as == "guardians"
    for name in (b"Anna Ek", b"Per Ek", b"Elsa Ek"):
        assert name not in record.sealed_names
    with app.test_request_context():
        opened = consent.signed_names(session, respondent, record, actor=None)
    assert opened == {"guardian_1": "Anna Ek", "guardian_2": "Per Ek", "child": "Elsa Ek"}


def test_the_child_without_guardians_is_refused_on_the_form(app, session, guardians):
    _respondent, token = add(app, session, guardians, name="")
    client = visit(app, token)
    form = soup(client.get("/r/consent?lang=en"))
    boxes = {
        i["name"]: i.get("value", "y")
        for i in form.select("input[type=checkbox], input[type=hidden]")
    }
    refused = client.post("/r/consent", data={**boxes, "child": "Elsa Ek"})
    assert refused.status_code == 400 and messages(refused)
    assert session.exec(select(ConsentRecord)).all() == []


# Recording a consent ------------------------------------------------------------------------


def test_the_same_confirmation_sent_twice_records_once(app, session, recruiting):
    respondent, _token = add(app, session, recruiting)
    documents = documents_of(app, session, recruiting.study)
    first = give(app, session, respondent, documents, submission="one-confirmation")
    again = give(app, session, respondent, documents, submission="one-confirmation")
    assert again.id == first.id
    assert len(session.exec(select(ConsentRecord)).all()) == 1
    assert len(entries(session, "consent.given")) == 1


def test_a_double_click_on_the_confirmation_records_once(app, session, recruiting):
    respondent, token = add(app, session, recruiting)
    client = visit(app, token)
    confirmation = fill_in(client)
    submission = soup(confirmation).select_one("input[name=submission]")["value"]
    assert client.post("/r/confirm", data={"submission": submission}).status_code == 303
    second = client.post("/r/confirm", data={"submission": submission})
    assert second.status_code in (303, 400)
    assert len(session.exec(select(ConsentRecord)).all()) == 1


def test_a_new_consent_supersedes_the_one_before(app, session, recruiting):
    respondent, _token = add(app, session, recruiting)
    documents = documents_of(app, session, recruiting.study)
    first = give(app, session, respondent, documents)
    second = give(app, session, respondent, documents, language="sv")
    session.expire_all()
    kept = session.get(ConsentRecord, first.id)
    assert kept.superseded_at is not None and kept.language == "en"
    assert [r.id for r in current_records(session, respondent)] == [second.id]
    given = entries(session, "consent.given")
    assert [details(e)["superseded"] for e in given] == [None, first.id]
    with app.test_request_context():
        assert consent.current_record(session, respondent).id == second.id
        assert [r.id for r in consent.records(session, respondent)] == [first.id, second.id]


def test_a_consent_holds_the_versions_answers_and_sealed_names(app, session, recruiting):
    respondent, token = add(app, session, recruiting)
    client = visit(app, token)
    assert confirm(client, fill_in(client, respondent="Sara Ek")).status_code == 303
    documents = documents_of(app, session, recruiting.study)
    record = session.exec(select(ConsentRecord)).one()
    assert (record.letter_version_id, record.letter_number, record.letter_hash) == (
        documents.letter.id,
        documents.letter.number,
        documents.letter.content_hash,
    )
    assert (record.form_version_id, record.form_number, record.form_hash) == (
        documents.form.id,
        documents.form.number,
        documents.form.content_hash,
    )
    assert record.items == every_item(documents)
    assert record.signed_as == "respondent" and record.channel == "link"
    assert record.registered_by is None and record.scan_id is None
    assert b"Sara Ek" not in record.sealed_names


# A new version of the letter -----------------------------------------------------------------


def test_after_a_new_letter_the_respondent_is_asked_to_consent_again(app, session, recruiting):
    respondent, token = add(app, session, recruiting)
    client = visit(app, token)
    assert confirm(client, fill_in(client)).status_code == 303
    first = session.exec(select(ConsentRecord)).one()
    assert client.get("/r/?lang=en").status_code == 200

    approve_new_letter(app, session, recruiting)

    row = register.rows(session, recruiting.study, documents_of(app, session, recruiting.study))[0]
    assert row.status == "earlier_version"
    home = client.get("/r/?lang=en").get_data(as_text=True)
    assert "has changed since you consented" in home

    assert confirm(client, fill_in(client)).status_code == 303
    session.expire_all()
    assert session.get(ConsentRecord, first.id).superseded_at is not None
    [now] = current_records(session, respondent)
    assert now.letter_number == 2 and now.id != first.id
    row = register.rows(session, recruiting.study, documents_of(app, session, recruiting.study))[0]
    assert row.status == "consented"
    assert "has changed" not in client.get("/r/?lang=en").get_data(as_text=True)


def test_a_confirmation_made_before_the_letter_changed_records_nothing(app, session, recruiting):
    _respondent, token = add(app, session, recruiting)
    client = visit(app, token)
    confirmation = fill_in(client)
    approve_new_letter(app, session, recruiting)
    refused = confirm(client, confirmation)
    assert refused.status_code == 400 and messages(refused)
    assert session.exec(select(ConsentRecord)).all() == []


def test_asking_again_mails_a_new_link_to_those_with_an_address(app, session, recruiting):
    with_address, old_token = add(app, session, recruiting, code="IP1", email="ip1@example.org")
    without, _token2 = add(app, session, recruiting, code="IP2")
    add(app, session, recruiting, code="IP3", email="ip3@example.org")
    documents = documents_of(app, session, recruiting.study)
    give(app, session, with_address, documents)
    give(app, session, without, documents)
    approve_new_letter(app, session, recruiting)
    outbox = app.extensions["outbox"]
    outbox.clear()

    client = staff(app, recruiting.student)
    shown = client.get(f"/studies/{recruiting.study.id}/respondents")
    assert "Ask them to consent again" in shown.get_data(as_text=True)
    asked = client.post(
        f"/studies/{recruiting.study.id}/respondents/reconsent", follow_redirects=True
    )
    assert asked.status_code == 200
    assert any("IP2" in m for m in messages(asked))

    assert [m.to for m in outbox] == ["ip1@example.org"]
    found = re.search(r"http://localhost/r/([A-Za-z0-9_-]{43})", outbox[0].body)
    assert found
    assert visit(app, found.group(1)).get("/r/?lang=en").status_code == 200
    assert app.test_client().get(f"/r/{old_token}").status_code == 404
    [event] = entries(session, "consent.reconsent_requested")
    assert details(event) == {"mailed": 1, "without_email": 1}
    sent = [e.subject for e in entries(session, "invitation.sent")]
    assert sent == [f"respondent:{with_address.id}"]


# The receipt --------------------------------------------------------------------------------


def test_the_receipt_names_the_exact_versions_and_what_was_agreed(app, session, recruiting):
    respondent, _token = add(app, session, recruiting)
    documents = documents_of(app, session, recruiting.study)
    answers = {**every_item(documents), "quotes": False}
    with app.test_request_context():
        record = consent.give_consent(
            session,
            respondent,
            documents,
            language="en",
            answers=answers,
            names={"respondent": "Sara Ek"},
            submission="s1",
        )
        session.commit()
        before = len(entries(session, "vault.decrypted"))
        bare = receipt.receipt_context(session, respondent, record, names=False)
        assert len(entries(session, "vault.decrypted")) == before
        full = receipt.receipt_context(session, respondent, record)
    assert bare["names"] == []
    assert [n["name"] for n in full["names"]] == ["Sara Ek"]
    assert (full["letter_number"], full["letter_hash"]) == (1, documents.letter.content_hash)
    assert (full["form_number"], full["form_hash"]) == (1, documents.form.content_hash)
    assert full["code"] == "IP1" and full["language"] == "en" and not full["withdrawn"]
    assert [i["ticked"] for i in full["items"]] == [
        item["key"] != "quotes" for item in documents.items
    ]
    assert all(i["text"] for i in full["items"])


def test_the_receipt_goes_by_mail_to_the_invitations_address_only(app, session, recruiting):
    respondent, token = add(app, session, recruiting, email="ip1@example.org")
    client = visit(app, token)
    assert confirm(client, fill_in(client)).status_code == 303
    record = session.exec(select(ConsentRecord)).one()
    outbox = app.extensions["outbox"]
    outbox.clear()

    page = client.get("/r/receipt")
    assert soup(page).select_one("form[action='/r/receipt/mail']") is not None
    sent = client.post("/r/receipt/mail", data={"email": "someone.else@example.com"})
    assert sent.status_code == 200

    [message] = list(outbox)
    assert message.to == "ip1@example.org"
    assert record.letter_hash in message.body
    [(filename, media_type, data)] = message.attachments
    assert filename.endswith(".pdf") and media_type == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert record.letter_hash in re.sub(r"\s", "", text)
    assert record.form_hash in re.sub(r"\s", "", text)
    [event] = entries(session, "consent.receipt_sent")
    assert event.subject == f"respondent:{respondent.id}" and details(event) == {
        "record": record.id
    }


def test_without_an_address_the_receipt_is_not_mailed(app, session, recruiting):
    _respondent, token = add(app, session, recruiting)
    client = visit(app, token)
    assert confirm(client, fill_in(client)).status_code == 303
    app.extensions["outbox"].clear()
    assert soup(client.get("/r/receipt")).select_one("form[action='/r/receipt/mail']") is None
    assert client.post("/r/receipt/mail", data={"email": "x@example.com"}).status_code == 303
    assert len(app.extensions["outbox"]) == 0
    assert entries(session, "consent.receipt_sent") == []


# Consent on paper ---------------------------------------------------------------------------

SCAN = b"%PDF-1.4\n% a signed consent form, scanned\n" + bytes(range(256)) * 64


def multipart(*parts) -> tuple[bytes, str]:
    """Return a multipart body of the parts, in order: (name, value) or (name, file, type, bytes)."""
    boundary = "----intervjustudie-test-boundary"
    body = bytearray()
    for part in parts:
        if len(part) == 2:
            name, value = part
            body += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            ).encode()
        else:
            name, filename, media_type, data = part
            body += (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {media_type}\r\n\r\n'
            ).encode()
            body += data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body), f"multipart/form-data; boundary={boundary}"


def paper_fields(documents, *, language="en", signed_on=None, unticked=()):
    fields = [("language", language)]
    for number, item in enumerate(documents.items, start=1):
        if item["key"] not in unticked:
            fields.append((f"item_{number}", "y"))
    fields.append(("signed_on", utcnow().date().isoformat() if signed_on is None else signed_on))
    return fields


def post_paper(client, study, respondent, *parts):
    body, content_type = multipart(*parts)
    return client.post(
        f"/studies/{study.id}/respondents/{respondent.id}/paper",
        data=body,
        content_type=content_type,
    )


def test_a_paper_consent_is_registered_with_its_scan_stored_encrypted(app, session, recruiting):
    respondent, _token = add(app, session, recruiting)
    documents = documents_of(app, session, recruiting.study)
    client = staff(app, recruiting.student)
    form = client.get(f"/studies/{recruiting.study.id}/respondents/{respondent.id}/paper")
    assert form.status_code == 200
    names = [e["name"] for e in soup(form).select("main form [name]") if e["name"] != "csrf_token"]
    assert names[-1] == "scan", "the file input must come last"

    sent = post_paper(
        client,
        recruiting.study,
        respondent,
        *paper_fields(documents, unticked=("quotes",)),
        ("scan", "samtycke IP1.pdf", "application/pdf", SCAN),
    )
    assert sent.status_code in (302, 303), sent.get_data(as_text=True)

    record = session.exec(select(ConsentRecord)).one()
    stored = session.exec(select(VaultObject)).one()
    assert record.channel == "paper" and record.scan_id == stored.id
    assert record.registered_by == recruiting.student.id
    assert record.given_at.date() == utcnow().date() and record.language == "en"
    assert record.items == {item["key"]: item["key"] != "quotes" for item in documents.items}
    assert record.sealed_names is None
    assert (stored.kind, stored.media_type, stored.respondent_id) == (
        "consent_scan",
        "application/pdf",
        respondent.id,
    )
    with app.extensions["vault_storage"].open(stored.object_id) as ciphertext:
        assert SCAN[:40] not in ciphertext.read()
    with app.test_request_context():
        with get_vault(session).open(stored, actor_id=recruiting.student.id, purpose="test") as r:
            assert r.read() == SCAN
    [given] = entries(session, "consent.given")
    assert details(given)["channel"] == "paper"
    assert [details(e)["kind"] for e in entries(session, "vault.stored")] == ["consent_scan"]


def test_a_paper_consent_signed_today_is_registered(app, session, recruiting):
    respondent, _token = add(app, session, recruiting)
    documents = documents_of(app, session, recruiting.study)
    sent = post_paper(
        staff(app, recruiting.student),
        recruiting.study,
        respondent,
        *paper_fields(documents, language="sv", signed_on=utcnow().date().isoformat()),
        ("scan", "scan.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100),
    )
    assert sent.status_code in (302, 303)
    record = session.exec(select(ConsentRecord)).one()
    assert record.language == "sv" and record.given_at.date() == utcnow().date()


REFUSALS = {
    "no scan": lambda docs: [*paper_fields(docs)],
    "no file chosen": lambda docs: [
        *paper_fields(docs),
        ("scan", "", "application/octet-stream", b""),
    ],
    "a text file": lambda docs: [*paper_fields(docs), ("scan", "scan.txt", "text/plain", SCAN)],
    "a word file": lambda docs: [
        *paper_fields(docs),
        ("scan", "scan.docx", "application/vnd.openxmlformats", SCAN),
    ],
    "taking part unticked": lambda docs: [
        *paper_fields(docs, unticked=("participation",)),
        ("scan", "scan.pdf", "application/pdf", SCAN),
    ],
    "no date": lambda docs: [
        *paper_fields(docs, signed_on=""),
        ("scan", "scan.pdf", "application/pdf", SCAN),
    ],
    "a future date": lambda docs: [
        *paper_fields(docs, signed_on=(utcnow().date() + timedelta(days=2)).isoformat()),
        ("scan", "scan.pdf", "application/pdf", SCAN),
    ],
    "a date before the form version existed": lambda docs: [
        *paper_fields(docs, signed_on="2025-03-14"),
        ("scan", "scan.pdf", "application/pdf", SCAN),
    ],
    "a language the letter lacks": lambda docs: [
        *paper_fields(docs, language="de"),
        ("scan", "scan.pdf", "application/pdf", SCAN),
    ],
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_paper_consent_that_is_not_right_is_refused_and_nothing_is_stored(
    app, session, recruiting, case
):
    respondent, _token = add(app, session, recruiting)
    documents = documents_of(app, session, recruiting.study)
    client = staff(app, recruiting.student)
    before = row_counts(session)
    sent = post_paper(client, recruiting.study, respondent, *REFUSALS[case](documents))
    assert sent.status_code == 400
    assert messages(sent), "the page says what is wrong"
    assert row_counts(session) == before
    assert vault_files(app) == []


def test_a_paper_consent_for_a_withdrawn_respondent_stores_nothing(app, session, recruiting):
    from study.consent import withdrawal

    respondent, _token = add(app, session, recruiting)
    documents = documents_of(app, session, recruiting.study)
    with app.test_request_context():
        withdrawal.withdraw(session, respondent)
        session.commit()
    client = staff(app, recruiting.student)
    before = row_counts(session)
    sent = post_paper(
        client,
        recruiting.study,
        respondent,
        *paper_fields(documents),
        ("scan", "scan.pdf", "application/pdf", SCAN),
    )
    assert sent.status_code in (302, 303)
    assert row_counts(session) == before and vault_files(app) == []


def test_only_the_studys_authors_register_paper_consent(app, session, recruiting):
    respondent, _token = add(app, session, recruiting)
    documents = documents_of(app, session, recruiting.study)
    client = staff(app, recruiting.supervisor)
    before = row_counts(session)
    sent = post_paper(
        client,
        recruiting.study,
        respondent,
        *paper_fields(documents),
        ("scan", "scan.pdf", "application/pdf", SCAN),
    )
    assert sent.status_code == 403
    assert row_counts(session) == before and vault_files(app) == []


def test_the_paper_form_is_closed_while_the_study_may_not_recruit(app, session, recruiting):
    respondent, _token = add(app, session, recruiting)
    documents = documents_of(app, session, recruiting.study)
    with app.test_request_context():
        written = letters.letter(session, recruiting.study)["letters"]["sv"]
        letters.save_language(
            session, recruiting.study, recruiting.student, "sv", written["title"] + " (ny)", {}
        )
        session.commit()
    client = staff(app, recruiting.student)
    before = row_counts(session)
    sent = post_paper(
        client,
        recruiting.study,
        respondent,
        *paper_fields(documents),
        ("scan", "scan.pdf", "application/pdf", SCAN),
    )
    assert sent.status_code == 303
    assert row_counts(session) == before and vault_files(app) == []


def test_a_paper_consent_needs_no_typed_name(app, session, recruiting):
    respondent, _ = add(app, session, recruiting)
    documents = documents_of(app, session, recruiting.study)
    client = staff(app, recruiting.student)
    sent = post_paper(
        client,
        recruiting.study,
        respondent,
        *paper_fields(documents),
        ("scan", "scan.pdf", "application/pdf", SCAN),
    )
    assert sent.status_code in (302, 303)
    assert session.exec(select(ConsentRecord)).one().channel == "paper"
