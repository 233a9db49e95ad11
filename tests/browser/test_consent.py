"""Recruitment and e-consent through a personal link, in a real browser.

The story: a student cannot invite anyone before the supervisor has approved the self-review,
the letter and the consent form. Once they are approved, she adds respondent IP1 and reads
the personal link off the page. IP1 opens it on a phone: the token leaves the address, she
reads the letter in English, ticks the items, types her name, confirms and downloads her
receipt, which names the letter version she read by its hash. A recording is stored for her
in the vault. Later she comes back through the link and withdraws: the student's register
shows the consent and the withdrawal, and the recording's ciphertext, even a copy taken
before, can no longer be opened, for nothing left in the database holds her key.

Then every respondent page, at phone size, in Swedish, English and an Arabic translation,
passes axe-core's WCAG checks and fits the phone's width (reflow, which axe does not check).

The student's interface is Swedish (the browser's locale is sv-SE). Words the app translates
are looked up through its own catalogue (`said`), so the checks hold with or without a
Swedish translation of a new message.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale, gettext
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import select

from study.accounts.models import Role
from study.consent.models import ConsentRecord, Withdrawal
from study.letters import consent, consent_form, document
from study.letters import services as letters
from study.letters.sections import CHILD, MAIN
from study.respondents import services as recruitment
from study.respondents.models import Invitation, Respondent
from study.review import services as review
from study.review.models import Outcome
from study.vault.age import AgeError
from study.vault.models import RespondentKey, VaultObject
from study.vault.reader import AgeReader
from study.vault.service import KeyDestroyedError, get_vault

from ..conftest import PASSWORD, answer_self_review, open_recruitment
from .axe import assert_accessible, axe_source
from .conftest import wait_for_outbox

#: A phone: what most respondents open their link on.
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
#: Return how much wider than the phone's screen (`width`) the page is laid out, and the last
#: elements that reach past an edge or overflow their box (the skip link waits off-screen on
#: purpose), or "" if it fits.
FITS = """(width) => {
  const page = document.documentElement.scrollWidth;
  if (page <= width) return "";
  const wide = [...document.body.querySelectorAll("*:not(.skip)")]
    .filter((e) => {
      const r = e.getBoundingClientRect();
      return r.right > width + 1 || r.left < -1 || e.scrollWidth > e.clientWidth + 1;
    })
    .reverse()
    .slice(0, 3)
    .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
  return `laid out ${page}px wide on a ${width}px screen (${wide.join(", ")})`;
}"""
#: What is stored in the vault for the respondent: it must never be readable after withdrawal.
RECORDING = b"Interview with IP1: the words of a person who later withdrew."

#: An Arabic translation, as a student writes it: a heading and a sentence per section.
ARABIC_TITLE = "رسالة معلومات عن الدراسة"
ARABIC_HEADING = "عنوان القسم"
ARABIC_TEXT = "نطلب منك المشاركة في مقابلة. المشاركة طوعية ويمكنك التوقف في أي وقت."
ARABIC_ITEM = "أوافق على هذا البند."
ARABIC_LABELS = {
    "title": "الموافقة على المشاركة في الدراسة",
    "intro": "ضع علامة في كل مربع توافق عليه.",
    "name": "الاسم بأحرف واضحة",
    "signature": "التوقيع",
    "date": "المكان والتاريخ",
    "guardians": "موافقة أولياء الأمور",
    "child": "أريد المشاركة (الطفل)",
    "withdraw": "يمكنك سحب موافقتك في أي وقت دون إبداء سبب.",
}


def said(app, lang: str, message: str, **values) -> str:
    """Return a message as the app words it in `lang` (its msgid where no translation exists)."""
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


def pattern(app, lang: str, message: str, **placeholders: str) -> re.Pattern:
    """Return a regex of a translated message, each placeholder standing for a regex."""
    marks = {name: f"\0{name}\0" for name in placeholders}
    text = re.escape(said(app, lang, message, **marks))
    for name, regex in placeholders.items():
        text = text.replace(re.escape(marks[name]), regex)
    return re.compile(text)


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mina studier")).to_be_visible()


@pytest.fixture
def phone_factory(browser, live_server):
    """Open phone-sized browser contexts of their own; requests to other hosts are refused."""
    contexts, foreign = [], []
    own_host = urlsplit(live_server).netloc

    def guard(route):
        if urlsplit(route.request.url).netloc != own_host:
            foreign.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def new_phone(locale: str = "sv-SE"):
        context = browser.new_context(base_url=live_server, locale=locale, **PHONE)
        context.route("**/*", guard)
        contexts.append(context)
        return context.new_page()

    yield new_phone
    for context in contexts:
        context.close()
    assert not foreign, f"pages requested other hosts: {foreign}"


def a_study(app, session, make_user, make_study):
    """A student's study with a supervisor, its self-review answered: nothing approved yet."""
    student = make_user(Role.STUDENT, email="sara@example.org", name="Sara Student")
    supervisor = make_user(Role.SUPERVISOR, email="hanna@example.org", name="Hanna Handledare")
    study = make_study(student, supervisor, title="Unga vuxnas vägar till stöd")
    study.controller = "Göteborgs universitet"
    study.data_protection_officer = "Dataskyddsombudet, dataskydd@gu.se"
    session.add(study)
    session.commit()
    answer_self_review(app, session, study, student)
    return student, supervisor, study


def path_of(url: str) -> str:
    """Return a link's path: the app builds it for its public name, the test serves it here."""
    parts = urlsplit(url)
    assert parts.path.startswith("/r/"), url
    return parts.path


def register_row(page, code: str):
    """Return the register's row of one respondent."""
    return page.locator("table.register tbody tr").filter(
        has=page.get_by_role("rowheader", name=code, exact=True)
    )


def test_a_respondent_consents_through_their_link_on_a_phone_and_withdraws_later(
    app, session, make_user, make_study, page_factory, phone_factory, tmp_path
):
    student, supervisor, study = a_study(app, session, make_user, make_study)
    register = f"/studies/{study.id}/respondents"

    # Before the supervisor has approved the letter and the form, nobody can be invited:
    # the register says so, offers no form, and a request made anyway is refused.
    sara = page_factory()
    log_in(sara, student.email)
    sara.goto(register)
    expect(sara.locator(".notice")).to_have_text(
        said(
            app,
            "sv",
            "Respondents can be invited once the supervisor has approved the self-review, "
            "the information letter and the consent form as they now stand.",
        )
    )
    expect(sara.locator("#code")).to_have_count(0)
    expect(sara.locator(f'form[action="{register}"]')).to_have_count(0)
    refused = sara.request.post(
        register, form={"code": "IP0", "name": "Ann Ek", "email": "ann@example.org"}
    )
    assert refused.status == 400, refused.status
    assert session.exec(select(Respondent)).all() == []
    assert session.exec(select(Invitation)).all() == []

    # The supervisor approves the self-review, the letter and the consent form.
    open_recruitment(app, session, study, student, supervisor)

    # The student adds IP1 with an e-mail address, and the link is mailed and shown once.
    sara.goto(register)
    expect(sara.locator(".notice")).to_have_count(0)
    sara.locator("#code").fill("IP1")
    sara.locator("#name").fill("Ida Persson")
    sara.locator("#email").fill("ida@example.org")
    sara.locator("#send").check()
    sara.locator(f'form[action="{register}"] button[type=submit]').click()
    expect(sara).to_have_url(re.compile(r"/respondents/\d+/link$"))
    link = sara.locator("input.link-text").input_value()
    token = path_of(link).removeprefix("/r/")
    assert len(token) >= 32, link
    expect(sara.locator("figure.qr svg")).to_be_visible()
    mail = wait_for_outbox(app)
    assert mail.to == "ida@example.org" and link in mail.body
    # The link is shown only once.
    sara.reload()
    expect(sara.locator("input.link-text")).to_have_count(0)
    respondent = session.exec(select(Respondent).where(Respondent.study_id == study.id)).one()
    assert respondent.code == "IP1" and respondent.has_email
    assert b"ida@example.org" not in respondent.sealed_contact

    # IP1 opens the link on her phone: the token leaves the address at once.
    ida = phone_factory()
    ida.goto(path_of(link))
    expect(ida).to_have_url(re.compile(r"/r/$"))
    assert token not in ida.url
    expect(ida.locator("h1")).to_have_text(said(app, "sv", "Taking part in the study"))
    expect(ida.locator("html")).to_have_attribute("lang", "sv")

    # She chooses English and reads the letter.
    ida.locator("ul.language-choice").get_by_role("link", name="English").click()
    expect(ida.locator("html")).to_have_attribute("lang", "en")
    assert token not in ida.url
    approved = review.step_state(session, study, "letter").approved
    title = approved.content["letters"]["en"]["title"]
    expect(ida.get_by_role("heading", level=1)).to_have_text(title)
    expect(ida.get_by_role("heading", name=re.compile("voluntary", re.I)).first).to_be_visible()
    ida.get_by_role("link", name="Go on to the consent form").click()

    # She ticks every item, types her name, and sees exactly what she agrees to.
    boxes = ida.locator("fieldset.consent-items input[type=checkbox]")
    assert boxes.count() >= 2
    for index in range(boxes.count()):
        boxes.nth(index).tap()
        expect(boxes.nth(index)).to_be_checked()
    ida.get_by_label("Your full name").fill("Ida Persson")
    ida.get_by_role("button", name="Continue").click()
    expect(ida).to_have_url(re.compile(r"/r/confirm$"))
    items = review.step_state(session, study, "consent_form").approved.content["items"]
    expect(ida.locator("ul.answers li")).to_have_count(len(items))
    expect(ida.locator("ul.answers li strong")).to_have_text(["Yes:"] * len(items))
    expect(ida.locator("dl.signed")).to_contain_text("Ida Persson")
    assert session.exec(select(ConsentRecord)).all() == [], "recorded before it was confirmed"
    ida.get_by_role("button", name="Yes, I consent").click()

    # The receipt; its PDF names the letter and form versions by their hashes.
    expect(ida).to_have_url(re.compile(r"/r/receipt$"))
    expect(ida.get_by_role("heading", level=1)).to_have_text("Thank you: your consent is recorded")
    record = session.exec(select(ConsentRecord)).one()
    assert record.respondent_id == respondent.id
    assert record.language == "en" and record.channel == "link"
    assert all(record.items.values()), record.items
    assert record.letter_hash == approved.content_hash
    expect(ida.locator("dl.receipt")).to_contain_text(f"SHA-256 {record.letter_hash}")
    receipt = ida.request.get(
        ida.get_by_role("link", name="Download the receipt (PDF)").get_attribute("href")
    )
    assert receipt.ok and receipt.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(receipt.body())).pages)
    text = re.sub(r"\s", "", text)
    assert record.letter_hash in text
    assert record.form_hash in text
    assert "IdaPersson" in text

    # The student's register shows the consent.
    consent_line = pattern(
        app,
        "sv",
        "Letter v%(letter)s, form v%(form)s, %(when)s",
        letter="1",
        form="1",
        when=r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}",
    )
    sara.goto(register)
    row = register_row(sara, "IP1")
    expect(row.locator("td").nth(0)).to_have_text(said(app, "sv", "Consented"))
    expect(row.locator("td").nth(1)).to_contain_text(consent_line)

    # A recording of her interview is stored in the vault, encrypted to her own key.
    vault_path = Path(app.config["VAULT_PATH"])
    assert app.config["VAULT_BACKEND"] == "files", "the test reads the vault's files"
    with app.test_request_context():
        stored = get_vault(session).store(
            respondent, io.BytesIO(RECORDING), kind="recording", actor_id=student.id
        )
    with app.test_request_context():
        with get_vault(session).open(stored, actor_id=student.id, purpose="test") as reader:
            assert reader.readall() == RECORDING
    session.expunge(stored)  # Kept as it was: withdrawal deletes its row.
    files = [p for p in vault_path.rglob("*") if p.is_file() and stored.object_id in str(p)]
    assert len(files) == 1, list(vault_path.rglob("*"))
    ciphertext = files[0]
    assert RECORDING not in ciphertext.read_bytes()
    copy = tmp_path / "vault-copy"
    shutil.copytree(vault_path, copy)
    copied = copy / ciphertext.relative_to(vault_path)
    key = session.exec(
        select(RespondentKey).where(RespondentKey.respondent_id == respondent.id)
    ).one()
    assert key.sealed_identity is not None and key.destroyed_at is None
    with app.test_request_context():
        # Held by the test alone, to show that the copy is what her key once opened.
        her_identity = get_vault(session).identity(respondent.id, None)
        # Another respondent, whose key stays in the database.
        recruitment.add_respondent(
            session, study, student, code="IP2", name="Per Ek", email="per@example.org"
        )
        session.commit()

    # Later she opens her link again and withdraws.
    later = ida.context.new_page()
    later.goto(path_of(link))
    expect(later).to_have_url(re.compile(r"/r/$"))
    expect(later.locator(".status.ok")).to_be_visible()
    # The pages speak the language she consented in.
    expect(later.locator("html")).to_have_attribute("lang", "en")
    later.locator("main").get_by_role("link", name="Withdraw my consent").click()
    expect(later).to_have_url(re.compile(r"/r/withdraw$"))
    later.get_by_label("Reason (you do not have to give one)").fill("Jag har ångrat mig.")
    later.get_by_role("button", name="Withdraw my consent").click()
    expect(later.get_by_role("heading", level=1)).to_have_text("Your consent is withdrawn")
    expect(later.locator("html")).to_have_attribute("lang", "en")
    # The confirmation is shown once; after that the link is like any unknown one.
    later.reload()
    expect(later.get_by_role("heading", level=1)).to_have_text(
        said(app, "sv", "This link does not work")
    )
    gone = later.request.get(path_of(link))
    unknown = later.request.get("/r/" + "x" * len(token))
    assert gone.status == unknown.status == 404
    assert gone.body() == unknown.body()

    # The register shows both: the consent she gave, and her withdrawal.
    sara.reload()
    row = register_row(sara, "IP1")
    expect(row.locator("td").nth(0)).to_have_text(
        pattern(app, "sv", "Withdrawn %(when)s", when=r"\d{4}-\d{2}-\d{2}")
    )
    expect(row.locator("td").nth(1)).to_contain_text(consent_line)
    session.expire_all()
    withdrawal = session.exec(select(Withdrawal)).one()
    assert withdrawal.respondent_id == respondent.id and withdrawal.channel == "link"
    assert withdrawal.destroyed["files_recording"] == 1 and withdrawal.destroyed["key"] == 1

    # The recording is gone from the vault, and the copy taken before cannot be opened:
    # her key is destroyed, and no key left in the database opens it.
    assert not ciphertext.exists()
    assert session.exec(select(VaultObject)).all() == []
    key = session.exec(
        select(RespondentKey).where(RespondentKey.respondent_id == respondent.id)
    ).one()
    assert key.sealed_identity is None and key.destroyed_at is not None
    sealed = copied.read_bytes()
    assert sealed.startswith(b"age-encryption.org/v1\n") and RECORDING not in sealed
    with AgeReader(io.BytesIO(sealed), [her_identity]) as reader:
        assert reader.readall() == RECORDING
    with app.test_request_context():
        vault = get_vault(session)
        with pytest.raises(KeyDestroyedError):
            vault.open(stored, actor_id=student.id, purpose="test")
        with pytest.raises(KeyDestroyedError):
            vault.identity(respondent.id, student.id)
        left = [row.respondent_id for row in session.exec(select(RespondentKey))]
        left.remove(respondent.id)
        assert left, "no other key left to try"
        for other in left:
            with pytest.raises(AgeError):
                AgeReader(io.BytesIO(sealed), [vault.identity(other, None)]).readall()


def approve_in_three_languages(app, session, study, student, supervisor) -> None:
    """Write the letter and form in Swedish, English and Arabic (translated), and approve them."""
    with app.test_request_context():
        letters.create(session, study, student, ["sv", "en"])
        letters.add_language(session, study, student, "ar")
        written = document.letter_document(session, study)["letters"]["ar"]
        # The sections that name people say who they are, as the plan does.
        named = {
            "controller": f" {study.controller}",
            "dpo": f" {study.data_protection_officer}",
            "responsible": f" {student.email} {supervisor.email}",
        }
        sections = {
            (audience, key): (f"{ARABIC_HEADING} {number}", ARABIC_TEXT + named.get(key, ""))
            for audience in (MAIN, CHILD)
            for number, key in enumerate(written.get(audience, {}), start=1)
        }
        letters.save_language(session, study, student, "ar", ARABIC_TITLE, sections)
        consent_form.create(session, study, student)
        items = consent_form.form(session, study)["items"]
        consent_form.save_language(
            session,
            study,
            student,
            "ar",
            {key: ARABIC_LABELS[key] for key in consent.LABELS},
            {item["key"]: ARABIC_ITEM for item in items},
        )
        for step in ("ethics", "letter", "consent_form"):
            review.submit(session, study, student, step)
            review.decide(session, study, supervisor, step, outcome=Outcome.APPROVED)
        session.commit()
        assert review.may_recruit(session, study)


def test_every_respondent_page_is_accessible_on_a_phone_in_every_language(
    app, session, make_user, make_study, phone_factory
):
    axe_source()  # Fetched once, or the test skips (fails in CI) before it begins.
    student, supervisor, study = a_study(app, session, make_user, make_study)
    approve_in_three_languages(app, session, study, student, supervisor)

    failures: list[str] = []

    def check(page, what: str) -> None:
        try:
            assert_accessible(page, context=what)
        except AssertionError as error:
            failures.append(str(error))
        # Reflow (WCAG 1.4.10): nothing makes a phone scroll sideways, in either direction.
        # (A page that does is laid out wider and zoomed out: the steps after it would only
        # time out, so the test stops here.)
        wide = page.evaluate(FITS, PHONE["viewport"]["width"])
        if wide:
            failures.append(f"{what} ({page.url}) is wider than the phone: {wide}")
            pytest.fail("\n\n".join(failures))

    for code, locale in (("sv", "sv-SE"), ("en", "en-GB"), ("ar", "ar")):
        with app.test_request_context():
            respondent = recruitment.add_respondent(
                session, study, student, code=f"IP-{code}", email=f"{code}@example.org"
            )
            token = recruitment.issue_link(session, study, student, respondent)
            session.commit()
        phone = phone_factory(locale)

        # The neutral page for a link that does not work, in the browser's language.
        phone.goto("/r/" + "x" * len(token))
        expect(phone.locator("h1")).to_be_visible()
        check(phone, f"the unavailable page ({code})")

        phone.goto(f"/r/{token}")
        expect(phone).to_have_url(re.compile(r"/r/$"))
        phone.goto(f"/r/?lang={code}")
        expect(phone.locator("html")).to_have_attribute("lang", code)
        check(phone, f"the respondent's start page ({code})")

        phone.goto("/r/letter")
        expect(phone.locator("html")).to_have_attribute("lang", code)
        expect(phone.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
        if code == "ar":
            expect(phone.get_by_role("heading", level=1)).to_have_text(ARABIC_TITLE)
        check(phone, f"the letter ({code})")

        phone.goto("/r/consent")
        expect(phone.locator("#item_1")).to_have_attribute("aria-invalid", "false")
        check(phone, f"the consent form ({code})")
        # Sent without the first item ticked and without a name: the form says what is wrong.
        phone.locator("form button[type=submit], form input[type=submit]").last.click()
        expect(phone.locator(".error-summary")).to_be_visible()
        expect(phone.locator(".checkbox.has-error")).to_have_count(1)
        expect(phone.locator("#item_1")).to_have_attribute("aria-invalid", "true")
        expect(phone.locator("#item_2")).to_have_attribute("aria-invalid", "false")
        expect(phone).to_have_title(re.compile(r"^[^:]+: "))
        check(phone, f"the consent form with an error ({code})")

        boxes = phone.locator("fieldset.consent-items input[type=checkbox]")
        for index in range(boxes.count()):
            boxes.nth(index).check()
        phone.locator("#respondent").fill("Ida Persson")
        phone.locator("form button[type=submit], form input[type=submit]").last.click()
        expect(phone).to_have_url(re.compile(r"/r/confirm$"))
        # The app has no Arabic words of its own: its English ones say that they are English.
        marked = phone.locator("h1").get_attribute("lang")
        assert marked == ("en" if code == "ar" else None), marked
        check(phone, f"the confirmation ({code})")

        phone.locator("form button[type=submit], form input[type=submit]").last.click()
        expect(phone).to_have_url(re.compile(r"/r/receipt$"))
        expect(phone.locator("dl.receipt")).to_be_visible()
        check(phone, f"the receipt ({code})")

        phone.goto("/r/")
        expect(phone.locator(".status.ok")).to_be_visible()
        check(phone, f"the start page after consent ({code})")

        phone.goto("/r/withdraw")
        check(phone, f"the withdrawal page ({code})")
        phone.locator("form button[type=submit], form input[type=submit]").last.click()
        expect(phone).to_have_url(re.compile(rf"/r/withdrawn\?lang={code}$"))
        expect(phone.locator("html")).to_have_attribute("lang", code)
        expect(phone.locator("html")).to_have_attribute("dir", "rtl" if code == "ar" else "ltr")
        check(phone, f"the withdrawal's confirmation ({code})")

    assert not failures, "\n\n".join(failures)
