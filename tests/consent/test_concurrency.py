"""Consent against a real server: many at once, one twice at once, a withdrawal racing an upload.

The app runs as deployed (tests/consent/serving.py: `gunicorn -w 2 'app:create_app()'`, CSRF
on) on the test session's database (SQLite, or PostgreSQL when DATABASE_URL says so) and on
this test's instance folder, where the database is seeded through the services. Clients are
aiohttp sessions, one cookie jar per person, like browsers.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp
import pytest
from bs4 import BeautifulSoup
from sqlmodel import select

from study import audit
from study.audit import AuditEvent
from study.consent.models import ConsentRecord
from study.respondents import services as recruitment
from study.respondents.models import Respondent
from study.vault.models import VaultObject
from tests.conftest import PASSWORD, require

from . import serving


def run_apart(coroutine):
    """Run a coroutine to its end on an event loop of its own, in a thread of its own.

    The browser tests' Playwright keeps an event loop running in the main thread for the
    whole session, and asyncio.run refuses to start inside it.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


#: How many respondents consent at the same moment.
CONSENTS = 200
#: How many respondents each send their confirmation twice at once, one after the other.
DOUBLE_SUBMITS = 10
#: A scan's size, as a phone's photo or a scanner's PDF of one page; the part of it sent
#: before the upload pauses (several of the server's reads).
SCAN_SIZE = 2 * 1024 * 1024
SCAN_FIRST = 256 * 1024
TIMEOUT = aiohttp.ClientTimeout(total=120)


@dataclass(frozen=True)
class Person:
    """A respondent as the test knows them: id, code and personal link's token."""

    id: int
    code: str
    token: str


def enrol(app, session, recruiting, count: int) -> list[Person]:
    """Add respondents (each with a sealed name) and issue each a link, through the services."""
    people = []
    with app.test_request_context():
        for n in range(1, count + 1):
            respondent = recruitment.add_respondent(
                session, recruiting.study, recruiting.student, code=f"IP{n}", name=f"Person {n}"
            )
            token = recruitment.issue_link(
                session, recruiting.study, recruiting.student, respondent
            )
            people.append(Person(respondent.id, respondent.code, token))
        session.commit()
    return people


@pytest.fixture
def serve(app, database_url, tmp_path):
    """Start gunicorn on the test database and this test's instance folder; stop it after."""
    require(importlib.util.find_spec("gunicorn") is not None, "gunicorn is not installed")
    servers: list[serving.Server] = []

    def start() -> serving.Server:
        server = serving.start(Path(app.instance_path), database_url, tmp_path / "gunicorn.log")
        servers.append(server)
        return server

    try:
        yield start
    finally:
        for server in servers:
            server.stop()


def browser(server: serving.Server) -> aiohttp.ClientSession:
    """Return a client with a cookie jar of its own, as one person's browser."""
    return aiohttp.ClientSession(
        base_url=server.base, cookie_jar=serving.cookie_jar(server), timeout=TIMEOUT
    )


async def expect(http, method: str, path: str, status: int, **kwargs) -> tuple[str, str]:
    """Send a request without following redirects; return the page and the Location."""
    async with http.request(method, path, allow_redirects=False, **kwargs) as response:
        text = await response.text()
        location = response.headers.get("Location", "")
        assert response.status == status, f"{method} {path}: {response.status}\n{text[:2000]}"
        return text, location


async def fill_in(http, person: Person) -> dict[str, str]:
    """Open the person's link, send the consent form; return the confirmation's fields."""
    await expect(http, "GET", f"/r/{person.token}", 303)
    page, _ = await expect(http, "GET", "/r/consent", 200)
    fields = serving.form_fields(page, "/r/consent")
    fields["respondent"] = f"Person {person.code}"
    _, location = await expect(http, "POST", "/r/consent", 303, data=fields)
    assert location.endswith("/r/confirm"), location
    page, _ = await expect(http, "GET", "/r/confirm", 200)
    fields = serving.form_fields(page, "/r/confirm")
    assert fields.get("submission") and fields.get("csrf_token"), fields
    return fields


async def confirm(http, fields: dict[str, str]) -> tuple[int, str]:
    """Send the confirmation; return the status and where it sends the respondent."""
    async with http.post("/r/confirm", data=fields, allow_redirects=False) as response:
        await response.read()
        return response.status, response.headers.get("Location", "")


def assert_no_server_errors(server: serving.Server) -> None:
    errors = server.errors()
    assert not errors, errors[:5000]


def said(page: str) -> str:
    """Return what a page tells the visitor went wrong: its heading, error summary, flashes."""
    soup = BeautifulSoup(page, "html.parser")
    parts = soup.select("h1, .error-summary li, p.flash, p.error") or [soup]
    return " | ".join(" ".join(p.get_text().split()) for p in parts)


def consents_of(session, study_id: int) -> list[ConsentRecord]:
    session.rollback()  # a fresh look at what the server committed
    return list(session.exec(select(ConsentRecord).where(ConsentRecord.study_id == study_id)))


def audit_actions(session, action: str) -> int:
    return len(session.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_two_hundred_respondents_consenting_at_once_record_two_hundred_consents(
    app, session, recruiting, serve
):
    people = enrol(app, session, recruiting, CONSENTS)
    server = serve()

    async def everyone() -> list:
        async with AsyncExitStack() as stack:
            browsers = [await stack.enter_async_context(browser(server)) for _ in people]
            # Everyone reaches the confirmation page at once, then everyone confirms at once.
            filled = await asyncio.gather(
                *(fill_in(http, person) for http, person in zip(browsers, people, strict=True)),
                return_exceptions=True,
            )
            failed = [f for f in filled if isinstance(f, BaseException)]
            assert not failed, (
                f"{len(failed)} could not fill in the form: {failed[0]!r}\n{server.errors()[:5000]}"
            )
            return await asyncio.gather(
                *(confirm(http, fields) for http, fields in zip(browsers, filled, strict=True)),
                return_exceptions=True,
            )

    outcomes = run_apart(everyone())

    failed = [o for o in outcomes if isinstance(o, BaseException)]
    assert not failed, f"{len(failed)} confirmations failed: {failed[0]!r}\n{server.errors()}"
    wrong = [o for o in outcomes if o[0] != 303 or not o[1].endswith("/r/receipt")]
    assert not wrong, f"{len(wrong)} were not recorded: {wrong[:5]}\n{server.errors()[:5000]}"
    records = consents_of(session, recruiting.study.id)
    assert len(records) == CONSENTS
    assert {r.respondent_id for r in records} == {p.id for p in people}
    assert all(r.superseded_at is None and r.channel == "link" for r in records)
    assert audit_actions(session, "consent.given") == CONSENTS
    count, broken = audit.verify_log(session)
    assert broken is None, broken
    assert count == len(session.exec(select(AuditEvent)).all())
    assert_no_server_errors(server)


def test_a_confirmation_sent_twice_at_once_records_one_consent(app, session, recruiting, serve):
    people = enrol(app, session, recruiting, DOUBLE_SUBMITS)
    server = serve()

    async def twice(person: Person) -> list:
        async with browser(server) as http:
            fields = await fill_in(http, person)
            # The same cookie and submission, sent together: neither waits for the other's answer.
            return await asyncio.gather(confirm(http, fields), confirm(http, fields))

    async def one_after_another() -> list:
        return [await twice(person) for person in people]

    outcomes = run_apart(one_after_another())

    for person, pair in zip(people, outcomes, strict=True):
        for status, location in pair:
            assert status == 303 and location.endswith("/r/receipt"), (person.code, pair)
    records = consents_of(session, recruiting.study.id)
    assert sorted(r.respondent_id for r in records) == sorted(p.id for p in people)
    assert audit_actions(session, "consent.given") == DOUBLE_SUBMITS
    assert audit.verify_log(session)[1] is None
    assert_no_server_errors(server)


def scan_upload(fields: dict[str, str]) -> tuple[str, bytes, bytes, bytes]:
    """Return a paper-consent body as the browser sends it: content type, the fields with the
    file part's header, the scan, and the closing boundary."""
    boundary = f"----concurrency{uuid.uuid4().hex}"
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="scan"; filename="samtycke.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    scan = b"%PDF-1.4\n" + os.urandom(SCAN_SIZE - 9)
    return (
        f"multipart/form-data; boundary={boundary}",
        head,
        scan,
        f"\r\n--{boundary}--\r\n".encode(),
    )


async def upload_scan(student, study_id: int, person: Person, midway=None) -> tuple[int, str, str]:
    """Stream a paper consent with its scan; between two parts of the scan, await midway().

    Return the status, the Location and the page.
    """
    path = f"/studies/{study_id}/respondents/{person.id}/paper"
    page, _ = await expect(student, "GET", path, 200)
    fields = serving.form_fields(page, path)
    fields["signed_on"] = datetime.now(UTC).date().isoformat()
    content_type, head, scan, tail = scan_upload(fields)

    async def body():
        yield head + scan[:SCAN_FIRST]
        if midway is not None:
            await midway()
        yield scan[SCAN_FIRST:] + tail

    headers = {
        "Content-Type": content_type,
        "Content-Length": str(len(head) + len(scan) + len(tail)),
    }
    async with student.post(path, data=body(), headers=headers, allow_redirects=False) as answer:
        return answer.status, answer.headers.get("Location", ""), await answer.text()


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_a_withdrawal_while_a_scan_streams_in_leaves_nothing_of_the_scan(
    app, session, recruiting, serve
):
    stays, goes = enrol(app, session, recruiting, 2)
    study_id = recruiting.study.id
    vault = Path(app.config["VAULT_PATH"])
    folder = {p.id: vault / f"study-{study_id}" / f"respondent-{p.id}" for p in (stays, goes)}
    server = serve()
    seen: dict[str, object] = {}

    async def withdraw_when_streaming() -> None:
        """Once the scan is being written into the vault, withdraw through the link."""
        for _ in range(300):
            if files_under(folder[goes.id]):
                break
            await asyncio.sleep(0.05)
        seen["streaming"] = [p.name for p in files_under(folder[goes.id])]
        async with browser(server) as http:
            await expect(http, "GET", f"/r/{goes.token}", 303)
            page, _ = await expect(http, "GET", "/r/withdraw", 200)
            fields = serving.form_fields(page, "/r/withdraw")
            fields["confirm"] = "yes"
            _, seen["withdrawn"] = await expect(http, "POST", "/r/withdraw", 303, data=fields)
        seen["after_withdrawal"] = [p.name for p in files_under(folder[goes.id])]

    async def race() -> tuple:
        async with browser(server) as student:
            page, _ = await expect(student, "GET", "/login", 200)
            fields = serving.form_fields(page)
            fields.update(email=recruiting.student.email, password=PASSWORD)
            await expect(student, "POST", "/login", 302, data=fields)
            # The same upload without a withdrawal is stored: the body is one the app takes.
            control = await upload_scan(student, study_id, stays)
            raced = await upload_scan(student, study_id, goes, midway=withdraw_when_streaming)
            index, _ = await expect(student, "GET", f"/studies/{study_id}/respondents", 200)
            return control, raced, index

    control, raced, index = run_apart(race())

    back = f"/studies/{study_id}/respondents"
    assert control[0] in (302, 303) and control[1].endswith(back), control[:2] + (said(control[2]),)
    session.rollback()
    stored = session.exec(select(VaultObject).where(VaultObject.respondent_id == stays.id)).one()
    assert stored.kind == "consent_scan"
    assert [p.name for p in files_under(folder[stays.id])] == [stored.object_id.rsplit("/")[-1]]
    assert seen.get("streaming"), ("the scan never reached the vault", raced[:2], said(raced[2]))
    assert urlsplit(seen["withdrawn"]).path == "/r/withdrawn", seen
    # The withdrawal did not wait for the upload: the scan was still streaming in.
    assert seen["after_withdrawal"], seen
    assert session.get(Respondent, goes.id).withdrawn_at is not None
    assert session.exec(select(VaultObject).where(VaultObject.respondent_id == goes.id)).all() == []
    assert files_under(folder[goes.id]) == []
    # Refused, not a server error: back to the register, which says why.
    assert raced[0] in (302, 303) and raced[1].endswith(back), raced[:2] + (said(raced[2]),)
    errors = [p.get_text() for p in BeautifulSoup(index, "html.parser").select("p.flash.error")]
    assert any(goes.code in e for e in errors), errors
    records = consents_of(session, study_id)
    assert [r.respondent_id for r in records] == [stays.id]
    assert audit.verify_log(session)[1] is None
    assert_no_server_errors(server)
