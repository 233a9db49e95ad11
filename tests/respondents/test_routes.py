"""Recruitment as the student and the supervisor meet it: respondents, links, the register.

And the respondent's side of a link that does not hold up: one neutral page for all.
"""

from __future__ import annotations

import base64
import csv
import email
import email.policy
import hashlib
import io
import json
import re
import secrets
from datetime import timedelta
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from sqlalchemy import make_url
from sqlmodel import SQLModel, col, select

from study import audit
from study.accounts.models import Role
from study.audit import AuditEvent
from study.consent import services as consent
from study.consent import withdrawal
from study.errors import UserError
from study.letters import services as letters
from study.letters.sections import MAIN
from study.models import import_all_models, utcnow
from study.respondents import register
from study.respondents import services as recruitment
from study.respondents.models import Invitation, Respondent
from tests.conftest import PASSWORD, answer_self_review

NAME = "Ingrid Marklund-Öhman"
ADDRESS = "ingrid.marklund@example.net"


# Helpers ------------------------------------------------------------------------------------


def add(app, session, recruiting, code="IP1", name="", email_address="", link=True):
    """Add a respondent through the service (and give them a link); return it and the token."""
    with app.test_request_context():
        respondent = recruitment.add_respondent(
            session, recruiting.study, recruiting.student, code=code, name=name, email=email_address
        )
        token = (
            recruitment.issue_link(session, recruiting.study, recruiting.student, respondent)
            if link
            else None
        )
        session.commit()
    return respondent, token


def staff(app, user, lang="en"):
    """Return a client logged in as user, reading the interface in lang."""
    client = app.test_client()
    client.get(f"/language/{lang}")
    logged_in = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert logged_in.status_code in (302, 303)
    return client


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def messages(response) -> list[str]:
    """Return the messages a page shows: error summary, field errors and flashes."""
    found = page(response).select(".error-summary li, p.error, p.flash")
    return [" ".join(e.get_text(" ").split()) for e in found]


def entries(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(
        session.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def details(event: AuditEvent) -> dict:
    return json.loads(event.details)


def stored_values(session):
    """Yield (table, column, bytes) for every text, binary and JSON value in the database."""
    import_all_models()
    session.expire_all()
    for table in SQLModel.metadata.sorted_tables:
        for row in session.execute(table.select()).mappings():
            for column, value in row.items():
                if isinstance(value, bytes | bytearray | memoryview):
                    yield table.name, column, bytes(value)
                elif isinstance(value, str):
                    yield table.name, column, value.encode()
                elif isinstance(value, dict | list):
                    yield table.name, column, json.dumps(value, ensure_ascii=False).encode()


def database_files(app) -> list[Path]:
    """Return the SQLite database's files (main file and write-ahead log), if it is SQLite."""
    url = make_url(app.config["DATABASE_URL"])
    if not url.drivername.startswith("sqlite") or not url.database:
        return []
    main = Path(url.database)
    return [p for p in (main, Path(f"{main}-wal")) if p.exists()]


def found_anywhere(app, session, *needles: str) -> list[str]:
    """Return where any of the needles is stored: a column, or the raw database files."""
    wanted = [n.encode().lower() for n in needles]
    where = [
        f"{table}.{column}"
        for table, column, value in stored_values(session)
        if any(n in value.lower() for n in wanted)
    ]
    for path in database_files(app):
        raw = path.read_bytes().lower()
        where += [f"{path.name}: {n!r}" for n in wanted if n in raw]
    return where


def register_rows(app, session, study) -> dict[str, register.Row]:
    session.expire_all()
    with app.test_request_context():
        documents = consent.approved_documents(session, study)
        return {row.respondent.code: row for row in register.rows(session, study, documents)}


def give(app, session, respondent, documents=None, *, study=None, language="en"):
    """Record a consent through the service as the confirmation page would."""
    with app.test_request_context():
        documents = documents or consent.approved_documents(session, study)
        record = consent.give_consent(
            session,
            respondent,
            documents,
            language=language,
            answers={item["key"]: True for item in documents.items},
            names={"respondent": "Sara Ek"},
            submission=consent.new_submission(),
        )
        session.commit()
    return record


def change_letter(app, session, recruiting) -> None:
    """Edit the approved letter: the study stops recruiting until it is approved again."""
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
        session.commit()


def token_of(response) -> str:
    """Return the token of the link a link page shows."""
    shown = page(response).select_one("input.link-text")
    assert shown is not None, "the page shows no link"
    found = re.fullmatch(r"http://localhost/r/([A-Za-z0-9_-]+)", shown["value"])
    assert found, shown["value"]
    return found.group(1)


def opens(app, token: str) -> bool:
    """Tell whether the personal link opens the respondent's pages."""
    client = app.test_client()
    return client.get(f"/r/{token}").status_code == 303 and client.get("/r/").status_code == 200


# The gate -----------------------------------------------------------------------------------


def test_no_respondent_and_no_link_exist_before_the_gate_opens(app, session, make_user, make_study):
    student, supervisor = make_user(Role.STUDENT), make_user(Role.SUPERVISOR)
    study = make_study(student, supervisor)
    answer_self_review(app, session, study, student)
    with app.test_request_context(), pytest.raises(UserError):
        recruitment.add_respondent(session, study, student, code="IP1", name=NAME)
    session.rollback()

    client = staff(app, student)
    shown = client.get(f"/studies/{study.id}/respondents")
    assert shown.status_code == 200
    assert page(shown).select_one("input[name=code]") is None
    sent = client.post(f"/studies/{study.id}/respondents", data={"code": "IP1", "name": NAME})
    assert sent.status_code == 400
    assert any("approved" in m for m in messages(sent))
    assert session.exec(select(Respondent)).all() == []
    assert session.exec(select(Invitation)).all() == []


def test_a_letter_changed_after_approval_closes_the_gate_again(app, session, recruiting):
    respondent, _token = add(app, session, recruiting)
    change_letter(app, session, recruiting)
    with app.test_request_context():
        with pytest.raises(UserError):
            recruitment.add_respondent(session, recruiting.study, recruiting.student, code="IP2")
        session.rollback()
        with pytest.raises(UserError):
            recruitment.issue_link(session, recruiting.study, recruiting.student, respondent)
        session.rollback()

    client = staff(app, recruiting.student)
    sent = client.post(f"/studies/{recruiting.study.id}/respondents", data={"code": "IP2"})
    assert sent.status_code == 400 and messages(sent)
    again = client.post(f"/studies/{recruiting.study.id}/respondents/{respondent.id}/link", data={})
    assert again.status_code == 303
    session.expire_all()
    assert [r.code for r in session.exec(select(Respondent))] == ["IP1"]
    assert len(session.exec(select(Invitation)).all()) == 1


# Codes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["", "   ", "IP 1", "-IP1", "IP1!", "Å1", "x" * 33, "<b>IP1</b>"])
def test_a_code_must_be_short_letters_and_digits(app, session, recruiting, code):
    with app.test_request_context(), pytest.raises(UserError) as refused:
        recruitment.add_respondent(session, recruiting.study, recruiting.student, code=code)
    assert refused.value.field == "code"
    session.rollback()
    assert session.exec(select(Respondent)).all() == []


def test_a_code_is_trimmed_and_may_hold_dashes_and_underscores(app, session, recruiting):
    respondent, _token = add(app, session, recruiting, code="  R-07_b ")
    assert respondent.code == "R-07_b"


def test_a_code_is_used_once_per_study(app, session, recruiting, make_study):
    add(app, session, recruiting, code="IP1")
    with app.test_request_context(), pytest.raises(UserError) as refused:
        recruitment.add_respondent(session, recruiting.study, recruiting.student, code="IP1")
    assert refused.value.field == "code"
    session.rollback()

    client = staff(app, recruiting.student)
    sent = client.post(f"/studies/{recruiting.study.id}/respondents", data={"code": "IP1"})
    assert sent.status_code == 400
    assert any("IP1" in m for m in messages(sent))
    assert len(session.exec(select(Respondent)).all()) == 1


# Names and addresses ------------------------------------------------------------------------


def test_names_and_addresses_are_never_stored_in_plaintext(app, session, recruiting):
    name = f"{NAME} {secrets.token_hex(3)}"
    address = f"ingrid.{secrets.token_hex(3)}@example.net"
    client = staff(app, recruiting.student)
    added = client.post(
        f"/studies/{recruiting.study.id}/respondents",
        data={"code": "IP1", "name": name, "email": address, "send": "y"},
    )
    assert added.status_code == 303
    token = token_of(client.get(added.headers["Location"]))
    # The respondent signs with the same name; the register shows it on request.
    visitor = app.test_client()
    visitor.get(f"/r/{token}")
    items = {
        i["name"]: i.get("value", "y")
        for i in page(visitor.get("/r/consent?lang=en")).select("[type=checkbox], [type=hidden]")
    }
    visitor.post("/r/consent", data={"respondent": name, **items})
    submission = page(visitor.get("/r/confirm")).select_one("input[name=submission]")["value"]
    assert visitor.post("/r/confirm", data={"submission": submission}).status_code == 303
    shown = client.post(f"/studies/{recruiting.study.id}/respondents/names")
    assert name in shown.get_data(as_text=True) and address in shown.get_data(as_text=True)

    respondent = session.exec(select(Respondent)).one()
    assert respondent.sealed_contact is not None and respondent.has_email
    assert found_anywhere(app, session, name, address, address.split("@")[0]) == []


def test_an_address_that_is_not_one_is_refused(app, session, recruiting):
    with app.test_request_context(), pytest.raises(UserError) as refused:
        recruitment.add_respondent(
            session, recruiting.study, recruiting.student, code="IP1", email="inte en adress"
        )
    assert refused.value.field == "email"
    session.rollback()
    assert session.exec(select(Respondent)).all() == []


# Links --------------------------------------------------------------------------------------


def test_a_link_token_is_long_and_random_and_only_its_hash_is_kept(
    app, session, recruiting, monkeypatch
):
    drawn = []
    real = secrets.token_urlsafe

    def spy(nbytes=None):
        token = real(nbytes)
        drawn.append((nbytes, token))
        return token

    monkeypatch.setattr(secrets, "token_urlsafe", spy)
    respondent, token = add(app, session, recruiting)

    assert drawn and drawn[-1][1] == token
    assert drawn[-1][0] * 8 >= 128
    assert len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8 >= 128
    invitation = session.exec(select(Invitation)).one()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert found_anywhere(app, session, token) == []
    others = {add(app, session, recruiting, code=f"IP{n}")[1] for n in range(2, 12)}
    assert len(others | {token}) == 11


def test_a_link_works_for_the_configured_days_and_then_not(app, session, recruiting, monkeypatch):
    app.config["RESPONDENT_LINK_DAYS"] = 7
    _respondent, token = add(app, session, recruiting)
    invitation = session.exec(select(Invitation)).one()
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        timedelta(days=7), abs=timedelta(seconds=5)
    )
    now = utcnow()
    monkeypatch.setattr("study.consent.visit.utcnow", lambda: now + timedelta(days=6, hours=23))
    assert opens(app, token)
    monkeypatch.setattr("study.consent.visit.utcnow", lambda: now + timedelta(days=7, minutes=1))
    assert not opens(app, token)


def test_a_revoked_link_stops_working(app, session, recruiting):
    respondent, token = add(app, session, recruiting)
    client = staff(app, recruiting.student)
    revoked = client.post(f"/studies/{recruiting.study.id}/respondents/{respondent.id}/revoke")
    assert revoked.status_code in (302, 303)
    assert not opens(app, token)
    assert register_rows(app, session, recruiting.study)["IP1"].link_state == "revoked"
    assert [details(e)["links"] for e in entries(session, "invitation.revoked")] == [1]

    again = client.post(
        f"/studies/{recruiting.study.id}/respondents/{respondent.id}/revoke", follow_redirects=True
    )
    assert any("no link that works" in m for m in messages(again))
    assert len(entries(session, "invitation.revoked")) == 1


def test_a_new_link_ends_the_earlier_one(app, session, recruiting):
    respondent, first = add(app, session, recruiting)
    with app.test_request_context():
        second = recruitment.issue_link(session, recruiting.study, recruiting.student, respondent)
        session.commit()
    assert not opens(app, first)
    assert opens(app, second)
    created = [details(e)["ended"] for e in entries(session, "invitation.created")]
    assert created == [0, 1]


def test_the_link_page_shows_the_link_once(app, session, recruiting):
    client = staff(app, recruiting.student)
    study_id = recruiting.study.id
    added = client.post(f"/studies/{study_id}/respondents", data={"code": "IP1"})
    assert added.status_code == 303
    respondent = session.exec(select(Respondent)).one()
    assert added.headers["Location"].endswith(
        f"/studies/{study_id}/respondents/{respondent.id}/link"
    )

    shown = client.get(added.headers["Location"])
    token = token_of(shown)
    assert page(shown).select_one("figure.qr svg") is not None
    invitation = session.exec(select(Invitation)).one()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()

    again = client.get(added.headers["Location"])
    assert again.status_code == 200
    assert page(again).select_one("input.link-text") is None
    assert token not in again.get_data(as_text=True)
    assert token not in client.get(f"/studies/{study_id}/respondents").get_data(as_text=True)

    renewed = client.post(f"/studies/{study_id}/respondents/{respondent.id}/link", data={})
    assert renewed.status_code == 303
    new_token = token_of(client.get(renewed.headers["Location"]))
    assert new_token != token and opens(app, new_token) and not opens(app, token)
    assert page(client.get(renewed.headers["Location"])).select_one("input.link-text") is None


@pytest.fixture
def smtp_inbox(app_config, smtp_server):
    """Mail leaves through a real SMTP server (ask for this before the app)."""
    controller, inbox = smtp_server
    app_config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    return inbox


def test_the_link_is_mailed_over_smtp_when_the_student_asks(smtp_inbox, app, session, recruiting):
    client = staff(app, recruiting.student)
    added = client.post(
        f"/studies/{recruiting.study.id}/respondents",
        data={"code": "IP1", "name": NAME, "email": ADDRESS, "send": "y"},
    )
    assert added.status_code == 303
    token = token_of(client.get(added.headers["Location"]))

    assert len(smtp_inbox.messages) == 1
    envelope = smtp_inbox.messages[0]
    assert envelope.rcpt_tos == [ADDRESS]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    body = message.get_body(("plain",)).get_content()
    assert f"http://localhost/r/{token}" in body
    assert NAME not in body
    assert len(app.extensions["outbox"]) == 0

    invitation = session.exec(select(Invitation)).one()
    assert invitation.sent_at is not None
    assert [details(e)["invitation"] for e in entries(session, "invitation.sent")] == [
        invitation.id
    ]


def test_a_link_cannot_be_mailed_without_an_address(app, session, recruiting):
    client = staff(app, recruiting.student)
    sent = client.post(
        f"/studies/{recruiting.study.id}/respondents", data={"code": "IP1", "send": "y"}
    )
    assert sent.status_code == 400
    assert any("IP1" in m for m in messages(sent))
    assert session.exec(select(Respondent)).all() == []
    assert len(app.extensions["outbox"]) == 0


# The audit log ------------------------------------------------------------------------------


def test_recruitment_is_written_to_the_audit_log_without_names(app, session, recruiting):
    client = staff(app, recruiting.student)
    study_id = recruiting.study.id
    client.post(
        f"/studies/{study_id}/respondents",
        data={"code": "IP1", "name": NAME, "email": ADDRESS, "send": "y"},
    )
    respondent = session.exec(select(Respondent)).one()
    client.post(f"/studies/{study_id}/respondents/{respondent.id}/link", data={})
    client.post(f"/studies/{study_id}/respondents/{respondent.id}/revoke")

    subject = f"respondent:{respondent.id}"
    [added] = entries(session, "respondent.added")
    assert (added.actor_id, added.study_id, added.subject) == (
        recruiting.student.id,
        study_id,
        subject,
    )
    # The code may be initials: the append-only log keeps only the id.
    assert details(added) == {"contact": True}
    created = entries(session, "invitation.created")
    assert [(e.subject, details(e)["ended"]) for e in created] == [(subject, 0), (subject, 1)]
    [sent] = entries(session, "invitation.sent")
    assert details(sent)["invitation"] == details(created[0])["invitation"]
    [revoked] = entries(session, "invitation.revoked")
    assert revoked.subject == subject and details(revoked) == {"links": 1}
    everything = " ".join(e.details + e.subject for e in entries(session, "respondent.added"))
    everything += " ".join(e.details for e in session.exec(select(AuditEvent)))
    assert NAME not in everything and ADDRESS not in everything
    with app.app_context():
        _count, broken = audit.verify(session)
    assert broken is None


# The register -------------------------------------------------------------------------------


def test_the_register_shows_where_each_respondent_stands(app, session, recruiting):
    add(app, session, recruiting, code="IP1", link=False)
    add(app, session, recruiting, code="IP2")
    consented, _t3 = add(app, session, recruiting, code="IP3")
    give(app, session, consented, study=recruiting.study)
    revoked, _t4 = add(app, session, recruiting, code="IP4")
    expired, _t5 = add(app, session, recruiting, code="IP5")
    gone, _t6 = add(app, session, recruiting, code="IP6")
    with app.test_request_context():
        recruitment.revoke_links(session, recruiting.study, recruiting.student, revoked)
        withdrawal.withdraw(session, gone)
        session.commit()
    link = session.exec(select(Invitation).where(Invitation.respondent_id == expired.id)).one()
    link.expires_at = utcnow() - timedelta(minutes=1)
    session.add(link)
    session.commit()

    rows = register_rows(app, session, recruiting.study)
    assert {code: (row.status, row.link_state) for code, row in rows.items()} == {
        "IP1": ("added", "none"),
        "IP2": ("invited", "valid"),
        "IP3": ("consented", "valid"),
        "IP4": ("invited", "revoked"),
        "IP5": ("invited", "expired"),
        "IP6": ("withdrawn", "revoked"),
    }
    shown = staff(app, recruiting.student).get(f"/studies/{recruiting.study.id}/respondents")
    cells = {
        tr.th.get_text(strip=True): " ".join(tr.get_text(" ").split())
        for tr in page(shown).select("table.register tbody tr")
    }
    assert list(cells) == ["IP1", "IP2", "IP3", "IP4", "IP5", "IP6"]
    assert "Added" in cells["IP1"] and "Invited" in cells["IP2"]
    assert "Consented" in cells["IP3"] and "Ended" in cells["IP4"]
    assert "Expired" in cells["IP5"] and "Withdrawn" in cells["IP6"]


def test_the_register_exports_as_csv_one_row_per_consent(app, session, recruiting):
    twice, _t1 = add(app, session, recruiting, code="IP1")
    give(app, session, twice, study=recruiting.study)
    give(app, session, twice, study=recruiting.study)
    add(app, session, recruiting, code="IP2")
    client = staff(app, recruiting.student)

    exported = client.get(f"/studies/{recruiting.study.id}/respondents.csv")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert exported.headers["Content-Disposition"].startswith("attachment")
    text = exported.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    header, *lines = list(csv.reader(io.StringIO(text[1:])))
    assert header == [
        "Code",
        "Status",
        "Invited",
        "Consent given",
        "Channel",
        "Language",
        "Letter version",
        "Letter hash",
        "Form version",
        "Form hash",
        "Items agreed to",
        "Superseded",
        "Withdrawn",
    ]
    assert [line[0] for line in lines] == ["IP1", "IP1", "IP2"]
    first, second, waiting = lines
    assert first[header.index("Superseded")] and not second[header.index("Superseded")]
    with app.test_request_context():
        documents = consent.approved_documents(session, recruiting.study)
    assert second[header.index("Letter hash")] == documents.letter.content_hash
    assert "link" in second[header.index("Channel")] and second[header.index("Language")] == "en"
    assert second[header.index("Items agreed to")] and second[header.index("Consent given")]
    assert waiting[1] == "invited" and waiting[3:12] == [""] * 9
    assert [details(e)["format"] for e in entries(session, "register.exported")] == ["csv"]


@pytest.mark.parametrize("formula", ["=1+2", "+1", "-1", "@SUM(A1)", '=HYPERLINK("x")'])
def test_a_csv_cell_a_spreadsheet_would_run_is_quoted_as_text(app, formula):
    row = register.Row(Respondent(id=1, study_id=1, code=formula), link=None)
    with app.test_request_context():
        text = register.to_csv([row])
    _header, line = list(csv.reader(io.StringIO(text[1:])))
    assert line[0] == "'" + formula


def test_the_register_exports_as_pdf(app, session, recruiting):
    first, _t1 = add(app, session, recruiting, code="IP1")
    record = give(app, session, first, study=recruiting.study)
    add(app, session, recruiting, code="IP2")
    exported = staff(app, recruiting.student).get(f"/studies/{recruiting.study.id}/respondents.pdf")
    assert exported.status_code == 200 and exported.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(exported.data)).pages)
    assert "Consent register" in text and recruiting.study.title in text
    assert "IP1" in text and "IP2" in text
    assert record.letter_hash in re.sub(r"\s", "", text)
    assert [details(e)["format"] for e in entries(session, "register.exported")] == ["pdf"]


def test_showing_names_decrypts_them_and_is_written_to_the_audit_log(app, session, recruiting):
    respondent, _token = add(app, session, recruiting, name=NAME, email_address=ADDRESS)
    add(app, session, recruiting, code="IP2")
    client = staff(app, recruiting.student)
    url = f"/studies/{recruiting.study.id}/respondents"

    hidden = client.get(url).get_data(as_text=True)
    assert NAME not in hidden and ADDRESS not in hidden
    assert entries(session, "respondents.names_shown") == []

    # A link cannot open them: only the button (a POST with its CSRF token) does.
    assert NAME not in client.get(f"{url}?names=1").get_data(as_text=True)
    shown = client.post(f"{url}/names").get_data(as_text=True)
    assert NAME in shown and ADDRESS in shown
    [event] = entries(session, "respondents.names_shown")
    assert event.actor_id == recruiting.student.id and details(event) == {"respondents": 1}
    decrypted = [
        e for e in entries(session, "vault.decrypted") if details(e)["purpose"] == "register"
    ]
    assert [e.subject for e in decrypted] == [f"respondent:{respondent.id}"]


def test_the_supervisor_reads_the_register_but_sees_no_names_and_adds_no_one(
    app, session, recruiting
):
    respondent, _token = add(app, session, recruiting, name=NAME, email_address=ADDRESS)
    client = staff(app, recruiting.supervisor)
    url = f"/studies/{recruiting.study.id}/respondents"

    assert client.post(f"{url}/names").status_code == 403
    shown = client.get(url)
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert "IP1" in text and NAME not in text and ADDRESS not in text
    assert page(shown).select_one("input[name=code]") is None
    assert entries(session, "respondents.names_shown") == []
    assert client.get(f"{url}.csv").status_code == 200

    refused = client.post(url, data={"code": "IP2", "name": "Någon Annan"})
    assert refused.status_code == 403
    base = f"{url}/{respondent.id}"
    assert client.get(f"{base}/link").status_code == 403
    assert client.post(f"{base}/link", data={}).status_code == 403
    assert client.post(f"{base}/revoke").status_code == 403
    assert client.post(f"{base}/withdraw", data={"confirm": "y"}).status_code == 403
    session.expire_all()
    assert [r.code for r in session.exec(select(Respondent))] == ["IP1"]
    assert len(session.exec(select(Invitation)).all()) == 1
    assert session.get(Respondent, respondent.id).withdrawn_at is None


def test_someone_outside_the_study_finds_no_register(app, session, recruiting, make_user):
    stranger = staff(app, make_user(Role.STUDENT))
    assert stranger.get(f"/studies/{recruiting.study.id}/respondents").status_code == 404
    assert stranger.get(f"/studies/{recruiting.study.id}/respondents.csv").status_code == 404


# The neutral page ---------------------------------------------------------------------------


def neutral(app) -> bytes:
    answer = app.test_client().get("/r/" + "x" * 43)
    assert answer.status_code == 404
    return answer.get_data()


@pytest.mark.parametrize("state", ["unknown", "expired", "revoked", "replaced", "withdrawn"])
def test_a_link_that_does_not_hold_up_gets_the_same_neutral_page(app, session, recruiting, state):
    respondent, token = add(app, session, recruiting, name=NAME)
    with app.test_request_context():
        if state == "unknown":
            token = secrets.token_urlsafe(32)
        elif state == "expired":
            link = session.exec(select(Invitation)).one()
            link.expires_at = utcnow() - timedelta(seconds=1)
            session.add(link)
        elif state == "revoked":
            recruitment.revoke_links(session, recruiting.study, recruiting.student, respondent)
        elif state == "replaced":
            recruitment.issue_link(session, recruiting.study, recruiting.student, respondent)
        else:
            withdrawal.withdraw(session, respondent)
        session.commit()

    answer = app.test_client().get(f"/r/{token}")
    assert answer.status_code == 404
    assert answer.get_data() == neutral(app)
    assert answer.headers["Cache-Control"] == "no-store"
    text = answer.get_data(as_text=True)
    assert recruiting.study.title not in text and "IP1" not in text and NAME not in text


def test_a_visit_runs_out_after_the_configured_hours(app, session, recruiting, monkeypatch):
    app.config["RESPONDENT_VISIT_HOURS"] = 2
    _respondent, token = add(app, session, recruiting)
    client = app.test_client()
    client.get(f"/r/{token}")
    now = utcnow()
    monkeypatch.setattr("study.consent.visit.utcnow", lambda: now + timedelta(hours=1, minutes=50))
    assert client.get("/r/").status_code == 200
    monkeypatch.setattr("study.consent.visit.utcnow", lambda: now + timedelta(hours=2, minutes=1))
    ran_out = client.get("/r/letter")
    assert ran_out.status_code == 404 and ran_out.get_data() == neutral(app)
    # The visit is forgotten: the time going back does not bring it back.
    monkeypatch.setattr("study.consent.visit.utcnow", lambda: now)
    assert client.get("/r/").status_code == 404


def test_respondent_pages_are_never_cached(app, session, recruiting):
    _respondent, token = add(app, session, recruiting)
    client = app.test_client()
    responses = [client.get(f"/r/{token}")]
    for path in ["/r/", "/r/letter?lang=en", "/r/letter.pdf", "/r/consent", "/r/withdraw"]:
        responses.append(client.get(path))
        assert responses[-1].status_code == 200, path
    responses.append(client.get("/r/receipt"))
    responses.append(app.test_client().get("/r/"))
    for response in responses:
        assert response.headers["Cache-Control"] == "no-store", response.request.path


def test_a_respondent_cannot_reach_the_staff_pages(app, session, recruiting):
    respondent, token = add(app, session, recruiting)
    client = app.test_client()
    client.get(f"/r/{token}")
    assert client.get("/r/").status_code == 200
    study_id = recruiting.study.id
    for path in [
        f"/studies/{study_id}",
        f"/studies/{study_id}/respondents",
        f"/studies/{study_id}/respondents.csv",
        f"/studies/{study_id}/respondents/{respondent.id}/link",
        "/studies",
    ]:
        answer = client.get(path)
        assert answer.status_code in (302, 401, 404), path
        assert "/login" in answer.headers.get("Location", "/login"), path
    client.post(f"/studies/{study_id}/respondents/{respondent.id}/revoke")
    client.post(f"/studies/{study_id}/respondents", data={"code": "IP9"})
    session.expire_all()
    assert (
        session.exec(select(Invitation).where(col(Invitation.revoked_at).is_not(None))).all() == []
    )
    assert [r.code for r in session.exec(select(Respondent))] == ["IP1"]
