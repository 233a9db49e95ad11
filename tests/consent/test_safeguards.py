"""Holes a review found in the consent path, each closed and kept closed here.

A shared browser, a cookie someone copies, a letter that changes while it is read, a paper
form registered late, a link about to run out, a withdrawal told twice or rolled back, and
the referrer a browser sends to the log-in form over HTTPS.
"""

from __future__ import annotations

import io
import json
from datetime import timedelta

from bs4 import BeautifulSoup
from sqlmodel import select

from study.consent import services as consent
from study.consent import withdrawal
from study.consent.models import ConsentRecord
from study.consent.visit import PENDING
from study.letters import services as letters
from study.letters.sections import MAIN
from study.models import utcnow
from study.recruitment.routes import NEW_LINK
from study.respondents import services as recruitment
from study.respondents.models import Invitation, Respondent
from study.review import services as review
from study.review.models import Outcome, StepVersion
from study.vault.models import VaultObject
from study.vault.service import get_vault
from tests.conftest import PASSWORD, make_app

# Helpers ------------------------------------------------------------------------------------


def add(app, session, recruiting, code="IP1", name="Sara Ek", email=""):
    """Add a respondent with a link; return it and the link's token."""
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
    found = soup(response).select(".error-summary li, p.error, p.flash, .error-page p")
    return [" ".join(e.get_text(" ").split()) for e in found]


def visit(client, token):
    """Open the respondent's link in this browser."""
    opened = client.get(f"/r/{token}")
    assert opened.status_code == 303
    return client


def form_fields(client, lang="en") -> dict[str, str]:
    """Return what the consent form sends with every box ticked, its hidden hashes included."""
    page = client.get(f"/r/consent?lang={lang}")
    assert page.status_code == 200
    return {
        i["name"]: i.get("value", "y")
        for i in soup(page).select("input[type=checkbox], input[type=hidden]")
    }


def fill_in(client, name="Sara Ek", lang="en"):
    """Fill in the consent form as `name`, but do not confirm yet."""
    sent = client.post("/r/consent", data={**form_fields(client, lang), "respondent": name})
    assert sent.status_code == 303, sent.get_data(as_text=True)
    return sent


def submission_on(confirmation) -> str:
    return soup(confirmation).select_one("input[name=submission]")["value"]


def consent_through(client, name="Sara Ek", lang="en"):
    """Fill in the form and confirm it; return the confirmation's answer."""
    fill_in(client, name, lang)
    confirmation = client.get("/r/confirm")
    assert confirmation.status_code == 200
    return client.post("/r/confirm", data={"submission": submission_on(confirmation)})


def staff(app, user):
    client = app.test_client()
    client.get("/language/en")
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code in (
        302,
        303,
    )
    return client


def session_cookie(app, client) -> tuple[str, dict]:
    """Return the browser's session cookie as sent, and what it says once decoded."""
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    decoded = app.session_interface.get_signing_serializer(app).loads(cookie.value)
    return cookie.value, decoded


def records(session) -> list[ConsentRecord]:
    session.expire_all()
    return list(session.exec(select(ConsentRecord)))


def change_letter(session, recruiting) -> None:
    """Change a sentence of the Swedish letter, as the student does in its editor, and commit."""
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


def edit_letter(app, session, recruiting) -> None:
    """The student edits the letter (in a request of their own)."""
    with app.test_request_context():
        change_letter(session, recruiting)


def approve_new_letter(app, session, recruiting) -> None:
    """Edit the letter and have the supervisor approve the new version."""
    edit_letter(app, session, recruiting)
    with app.test_request_context():
        review.submit(session, recruiting.study, recruiting.student, "letter")
        review.decide(
            session, recruiting.study, recruiting.supervisor, "letter", outcome=Outcome.APPROVED
        )
        session.commit()
        assert review.may_recruit(session, recruiting.study)


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


def paper_fields(documents, *, signed_on, language="sv"):
    fields = [("language", language)]
    fields += [(f"item_{number}", "y") for number, _item in enumerate(documents.items, start=1)]
    fields.append(("signed_on", signed_on))
    return fields


def post_paper(client, study, respondent, *parts):
    body, content_type = multipart(*parts)
    return client.post(
        f"/studies/{study.id}/respondents/{respondent.id}/paper",
        data=body,
        content_type=content_type,
    )


SCAN = b"%PDF-1.4\n% a signed consent form, scanned\n" + bytes(range(256)) * 16


# One browser, two respondents ---------------------------------------------------------------


def test_a_consent_filled_in_for_one_respondent_cannot_be_confirmed_in_anothers_visit(
    app, session, recruiting
):
    _sara, sara_token = add(app, session, recruiting, code="IP1", name="Sara Ek")
    _karin, karin_token = add(app, session, recruiting, code="IP2", name="Karin Berg")
    tablet = app.test_client()

    # Sara fills in the form and reaches the confirmation, but leaves without confirming.
    visit(tablet, sara_token)
    fill_in(tablet, name="Sara Ek")
    confirmation = tablet.get("/r/confirm")
    assert "Sara Ek" in confirmation.get_data(as_text=True)
    saras_submission = submission_on(confirmation)
    with tablet.session_transaction() as kept:
        saras_sealed_consent = kept[PENDING]

    # Karin opens her link on the same tablet and reads in English too.
    visit(tablet, karin_token)
    assert tablet.get("/r/?lang=en").status_code == 200
    shown = tablet.get("/r/confirm")
    assert shown.status_code == 303 and shown.headers["Location"].endswith("/r/consent")
    assert "Sara Ek" not in shown.get_data(as_text=True)
    refused = tablet.post("/r/confirm", data={"submission": saras_submission})
    assert refused.status_code == 400 and messages(refused)
    assert records(session) == []

    # Even with Sara's sealed consent back in the cookie (a restored tab, a copied cookie),
    # it is bound to her link and opens for no one else.
    with tablet.session_transaction() as kept:
        kept[PENDING] = saras_sealed_consent
    shown = tablet.get("/r/confirm")
    assert shown.status_code == 303 and shown.headers["Location"].endswith("/r/consent")
    assert "Sara Ek" not in shown.get_data(as_text=True)
    refused = tablet.post("/r/confirm", data={"submission": saras_submission})
    assert refused.status_code == 400 and messages(refused)
    assert records(session) == []


# What the session cookie holds --------------------------------------------------------------


def test_the_session_cookie_never_holds_a_typed_name_or_a_links_token(app, session, recruiting):
    _respondent, token = add(app, session, recruiting, name="")
    browser = visit(app.test_client(), token)
    fill_in(browser, name="Ingrid Lindqvist")
    raw, decoded = session_cookie(app, browser)
    assert PENDING in decoded, "the consent waits in the cookie, sealed"
    assert "Lindqvist" not in raw
    assert "Lindqvist" not in json.dumps(decoded, ensure_ascii=False)
    # The consent is still there to confirm: sealed is not lost.
    assert "Ingrid Lindqvist" in browser.get("/r/confirm").get_data(as_text=True)

    student = staff(app, recruiting.student)
    added = student.post(
        f"/studies/{recruiting.study.id}/respondents",
        data={"code": "IP2", "name": "Olle Nyström", "email": "olle@example.org"},
    )
    assert added.status_code == 303
    raw, decoded = session_cookie(app, student)
    assert NEW_LINK in decoded, "the new link waits in the cookie, sealed"
    link_page = student.get(added.headers["Location"])
    url = soup(link_page).select_one("input.link-text")["value"]
    new_token = url.rsplit("/", 1)[1]
    visit(app.test_client(), new_token)  # the token read off the page is the working link
    assert new_token not in raw
    assert new_token not in json.dumps(decoded)
    assert "Nyström" not in json.dumps(decoded, ensure_ascii=False)


# Ending a visit -----------------------------------------------------------------------------


def test_i_am_done_ends_the_visit_and_the_link_opens_a_new_one(app, session, recruiting):
    _respondent, token = add(app, session, recruiting)
    tablet = visit(app.test_client(), token)
    home = tablet.get("/r/?lang=en")
    assert home.status_code == 200
    assert soup(home).select_one("form[action='/r/end']") is not None

    ended = tablet.post("/r/end")
    assert ended.status_code == 200
    assert "Your visit has ended" in ended.get_data(as_text=True)

    after = tablet.get("/r/")
    unknown = app.test_client().get("/r/" + "x" * 43)
    assert after.status_code == unknown.status_code == 404
    assert after.get_data() == unknown.get_data()
    assert tablet.get("/r/consent").status_code == 404

    visit(tablet, token)
    assert tablet.get("/r/").status_code == 200


# The versions consented to ------------------------------------------------------------------


def test_a_form_read_before_a_new_version_was_approved_records_nothing(app, session, recruiting):
    _respondent, token = add(app, session, recruiting)
    browser = visit(app.test_client(), token)
    read = form_fields(browser)
    old_hashes = (read["letter_hash"], read["form_hash"])

    approve_new_letter(app, session, recruiting)
    session.expire_all()
    with app.test_request_context():
        assert consent.approved_documents(session, recruiting.study).hashes != old_hashes

    sent = browser.post("/r/consent", data={**read, "respondent": "Sara Ek"})
    assert sent.status_code == 400
    assert any("changed while you were reading" in m for m in messages(sent))
    assert "/r/confirm" not in sent.headers.get("Location", "")
    assert browser.get("/r/confirm").status_code == 303, "nothing waits for confirmation"
    assert records(session) == []


def test_a_letter_edited_after_approval_takes_no_consent_at_the_confirmation(
    app, session, recruiting
):
    _respondent, token = add(app, session, recruiting)
    browser = visit(app.test_client(), token)
    fill_in(browser)
    confirmation = browser.get("/r/confirm")
    assert confirmation.status_code == 200

    edit_letter(app, session, recruiting)
    session.expire_all()
    with app.test_request_context():
        assert not review.may_recruit(session, recruiting.study)

    sent = browser.post("/r/confirm", data={"submission": submission_on(confirmation)})
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/r/")
    # The start page offers no way to consent until the new letter is approved.
    start = soup(browser.get("/r/"))
    assert start.select("a[href^='/r/letter'], a[href^='/r/consent']") == []
    assert browser.get("/r/consent").status_code == 303
    assert records(session) == []


def test_a_letter_edited_while_the_confirmation_is_on_its_way_takes_no_consent(
    app, session, recruiting, monkeypatch
):
    """The confirmation's request found the letter approved; the edit lands just after."""
    _respondent, token = add(app, session, recruiting)
    browser = visit(app.test_client(), token)
    fill_in(browser)
    confirmation = browser.get("/r/confirm")
    assert confirmation.status_code == 200

    # The student's edit commits (in a transaction of its own) after the page has checked
    # the visit and before the consent is written under the respondent's lock.
    lock = consent.lock_respondent
    edited = []

    def student_edits_first(db, respondent_id):
        if not edited:
            change_letter(session, recruiting)
            edited.append(True)
        return lock(db, respondent_id)

    monkeypatch.setattr(consent, "lock_respondent", student_edits_first)
    sent = browser.post("/r/confirm", data={"submission": submission_on(confirmation)})
    assert edited, "the consent reached the point where it is recorded"
    assert sent.status_code == 400
    assert any("being updated" in m for m in messages(sent))
    assert records(session) == []


# A paper consent registered late ------------------------------------------------------------


def test_a_paper_consent_signed_before_the_link_consent_joins_the_history_only(
    app, session, recruiting
):
    respondent, token = add(app, session, recruiting)
    # The study has recruited for a week: its consent form version was written then, so a
    # paper form signed yesterday is a form that existed (the service refuses a date
    # before the version's submission). Only the time of writing moves; the document and
    # its hash, which the gate checks, stay as approved.
    form_version = session.exec(
        select(StepVersion).where(
            StepVersion.study_id == recruiting.study.id, StepVersion.step == "consent_form"
        )
    ).one()
    form_version.submitted_at = utcnow() - timedelta(days=7)
    session.add(form_version)
    session.commit()

    # Today the respondent consents through the link.
    assert consent_through(visit(app.test_client(), token)).status_code == 303
    [by_link] = records(session)

    # Then the student registers the paper form the respondent signed yesterday.
    with app.test_request_context():
        documents = consent.approved_documents(session, recruiting.study)
    yesterday = (utcnow() - timedelta(days=1)).date()
    registered = post_paper(
        staff(app, recruiting.student),
        recruiting.study,
        respondent,
        *paper_fields(documents, signed_on=yesterday.isoformat()),
        ("scan", "scan.pdf", "application/pdf", SCAN),
    )
    assert registered.status_code in (302, 303), registered.get_data(as_text=True)

    by_channel = {r.channel: r for r in records(session)}
    assert set(by_channel) == {"link", "paper"}
    assert by_channel["link"].id == by_link.id and by_channel["link"].superseded_at is None
    paper = by_channel["paper"]
    assert paper.given_at.date() == yesterday and paper.superseded_at is not None
    assert consent.current_record(session, respondent).id == by_link.id


# The link after consenting ------------------------------------------------------------------


def test_consenting_keeps_the_link_working_a_full_term(app, session, recruiting):
    respondent, token = add(app, session, recruiting)
    link = session.exec(select(Invitation).where(Invitation.respondent_id == respondent.id)).one()
    link.expires_at = utcnow() + timedelta(days=2)
    session.add(link)
    session.commit()

    assert consent_through(visit(app.test_client(), token)).status_code == 303

    session.expire_all()
    kept = session.get(Invitation, link.id)
    term = utcnow() + timedelta(days=app.config["RESPONDENT_LINK_DAYS"])
    assert abs(kept.expires_at - term) < timedelta(minutes=5)


# Withdrawing --------------------------------------------------------------------------------


def test_a_withdrawal_tells_each_member_once_in_swedish(app, session, recruiting):
    respondent, token = add(app, session, recruiting)
    browser = visit(app.test_client(), token)
    assert consent_through(browser, lang="en").status_code == 303
    outbox = app.extensions["outbox"]
    outbox.clear()

    page = browser.get("/r/withdraw?lang=en")
    assert "Withdraw my consent" in page.get_data(as_text=True), "the page is in English"
    gone = browser.post("/r/withdraw", data={"reason": "", "confirm": "yes"})
    assert gone.status_code == 303

    # The same withdrawal told again (a double click, the student registering it too): the
    # service answers with the first one, and no mail is queued when this request answers.
    with app.test_request_context():
        session.expire_all()
        again = withdrawal.withdraw(session, session.get(Respondent, respondent.id))
        session.commit()
        app.process_response(app.response_class())
    app.extensions["mail_queue"].wait()
    assert again.channel == "link"

    members = sorted([recruiting.student.email, recruiting.supervisor.email])
    assert sorted(m.to for m in outbox) == members
    assert {m.subject for m in outbox} == {"En intervjuperson har återkallat sitt samtycke"}
    assert all(m.body.startswith("Hej!") and "IP1" in m.body for m in outbox)


def test_a_rolled_back_withdrawal_deletes_no_file_at_the_next_commit(app, session, recruiting):
    respondent, _token = add(app, session, recruiting)
    recording = b"intervjuljud " * 1000
    with app.test_request_context():
        stored = get_vault(session).store(respondent, io.BytesIO(recording), kind="recording")
        withdrawal.withdraw(session, respondent)
        session.rollback()
        # Something else in the same session is committed afterwards.
        recruitment.add_respondent(
            session, recruiting.study, recruiting.student, code="IP2", name="Karin Berg"
        )
        session.commit()

    storage = app.extensions["vault_storage"]
    assert storage.exists(stored.object_id)
    session.expire_all()
    assert session.get(Respondent, respondent.id).withdrawn_at is None
    kept = session.get(VaultObject, stored.id)
    with app.test_request_context():
        with get_vault(session).open(kept, actor_id=None, purpose="test") as reader:
            assert reader.read() == recording


# The referrer over HTTPS --------------------------------------------------------------------


def test_over_https_the_referrer_policy_lets_the_csrf_check_see_our_own_forms(
    app_config, monkeypatch, tmp_path, make_user
):
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "https"))
    production = make_app(
        {
            **app_config,
            "TESTING": False,
            "WTF_CSRF_ENABLED": True,
            "EXTERNAL_URL": "https://localhost",
        }
    )
    user = make_user()
    try:
        browser = production.test_client()
        page = browser.get("/login", base_url="https://localhost")
        assert page.headers["Referrer-Policy"] == "same-origin"
        data = {
            "email": user.email,
            "password": PASSWORD,
            "csrf_token": soup(page).select_one("input[name=csrf_token]")["value"],
        }

        # Under no-referrer the browser would send none, and Flask-WTF refuses that over HTTPS.
        without = browser.post("/login", data=data, base_url="https://localhost")
        assert without.status_code == 400

        # Under same-origin it sends our own page's address, and the log-in goes through.
        with_referrer = browser.post(
            "/login",
            data=data,
            base_url="https://localhost",
            headers={"Referer": "https://localhost/login"},
        )
        assert with_referrer.status_code != 400
        assert with_referrer.status_code in (302, 303)
    finally:
        production.extensions["db_engine"].dispose()
