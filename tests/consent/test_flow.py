"""The respondent's whole path through the app: link, letter, consent, receipt, withdrawal."""

from __future__ import annotations

import io
import re

from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlmodel import select

from study.consent.models import ConsentRecord, Withdrawal
from study.respondents import services as recruitment
from study.respondents.models import Respondent
from study.vault.models import RespondentKey


def add(app, session, recruiting, code="IP1", email="ip1@example.org"):
    with app.test_request_context():
        respondent = recruitment.add_respondent(
            session, recruiting.study, recruiting.student, code=code, name="Sara Ek", email=email
        )
        token = recruitment.issue_link(session, recruiting.study, recruiting.student, respondent)
        session.commit()
    return respondent, token


def csrf(page) -> str:
    found = BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one(
        "input[name=csrf_token]"
    )
    return found["value"] if found else ""


def consent(client, lang="en", name="Sara Ek"):
    page = client.get(f"/r/consent?lang={lang}")
    assert page.status_code == 200
    soup = BeautifulSoup(page.get_data(as_text=True), "html.parser")
    items = {
        i["name"]: i.get("value", "y")
        for i in soup.select("input[type=checkbox], input[type=hidden]")
    }
    sent = client.post("/r/consent", data={"csrf_token": csrf(page), "respondent": name, **items})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    confirm = client.get("/r/confirm")
    assert confirm.status_code == 200
    submission = BeautifulSoup(confirm.get_data(as_text=True), "html.parser").select_one(
        "input[name=submission]"
    )["value"]
    return client.post("/r/confirm", data={"csrf_token": csrf(confirm), "submission": submission})


def test_a_respondent_consents_through_their_link_and_gets_a_receipt(app, session, recruiting):
    respondent, token = add(app, session, recruiting)
    client = app.test_client()
    opened = client.get(f"/r/{token}")
    assert opened.status_code == 303 and opened.headers["Location"].endswith("/r/")
    assert token not in opened.headers["Location"]
    home = client.get("/r/")
    assert home.status_code == 200 and home.headers["Cache-Control"] == "no-store"
    assert "Logga in" not in home.get_data(as_text=True)
    letter = client.get("/r/letter?lang=en")
    assert letter.status_code == 200
    assert BeautifulSoup(letter.get_data(as_text=True), "html.parser").html["lang"] == "en"
    done = consent(client)
    assert done.status_code == 303 and done.headers["Location"].endswith("/r/receipt")
    record = session.exec(select(ConsentRecord)).one()
    assert record.language == "en" and record.channel == "link"
    assert record.items["participation"] is True
    assert b"Sara Ek" not in record.sealed_names
    pdf = client.get("/r/receipt.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert record.letter_hash in re.sub(r"\s", "", text)


def test_a_withdrawal_destroys_the_key_and_the_link_then_answers_like_any_unknown_link(
    app, session, recruiting
):
    respondent, token = add(app, session, recruiting)
    client = app.test_client()
    client.get(f"/r/{token}")
    consent(client)
    page = client.get("/r/withdraw")
    assert page.status_code == 200
    gone = client.post(
        "/r/withdraw", data={"csrf_token": csrf(page), "reason": "", "confirm": "yes"}
    )
    assert gone.status_code == 303
    assert client.get(gone.headers["Location"]).status_code == 200
    session.expire_all()
    stored = session.get(Respondent, respondent.id)
    assert stored.withdrawn_at is not None and stored.sealed_contact is None
    key = session.exec(
        select(RespondentKey).where(RespondentKey.respondent_id == respondent.id)
    ).one()
    assert key.sealed_identity is None
    assert session.exec(select(Withdrawal)).one().channel == "link"
    unknown = app.test_client().get("/r/" + "x" * 43)
    again = app.test_client().get(f"/r/{token}")
    assert again.status_code == unknown.status_code == 404
    assert again.get_data() == unknown.get_data()
    assert client.get("/r/").status_code == 404


def test_no_respondent_can_be_added_before_the_gate_opens(app, session, make_user, make_study):
    import pytest

    from study.accounts.models import Role
    from study.errors import UserError

    student = make_user(Role.STUDENT)
    study = make_study(student)
    with app.test_request_context(), pytest.raises(UserError):
        recruitment.add_respondent(session, study, student, code="IP1")
