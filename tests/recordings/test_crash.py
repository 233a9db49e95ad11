"""A server killed (SIGKILL) in the middle of a recording's upload, then started again.

The app runs as deployed (tests/consent/serving.py: `gunicorn -w 2 'app:create_app()'`, CSRF
on) on the test session's database (SQLite, or PostgreSQL when DATABASE_URL says so) and on
this test's instance folder. The student, logged in with an aiohttp client, first uploads a
short recording whole (the control: the body is one the app takes), then starts a second one
and stops sending half-way; once the vault folder holds the partial ciphertext, gunicorn's
whole process group (master and workers) is killed, and the server is started again on the
same instance folder and database.

After the restart no half-stored recording is visible: no row for it, nothing more on the
recordings page, and the partial file never got its name (storage lists only the control).
The partial file must also be cleaned up: `flask --app app vault check` reports it (once
older than the grace an upload in progress gets), `--remove-orphans` removes it, and a second
check finds nothing.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import aiohttp
from bs4 import BeautifulSoup
from sqlmodel import select

from study import audit
from study.audit import AuditEvent
from study.recordings.models import Recording
from study.vault.check import ORPHAN_GRACE
from study.vault.models import VaultObject
from study.vault.storage import FileSystemStorage
from tests.conftest import PASSWORD
from tests.consent import serving, test_concurrency
from tests.consent.test_concurrency import (
    assert_no_server_errors,
    browser,
    expect,
    files_under,
    run_apart,
)
from tests.recordings import test_recordings
from tests.recordings.test_recordings import consented, wav

#: The fixtures of those tests: gunicorn on the test database, a study that records audio.
serve = test_concurrency.serve
recording_consent = test_recordings.recording_consent

#: The interrupted recording (8 kHz mono 8-bit: 1 MB a little over two minutes), and the part
#: of it sent before the upload stalls (many of the server's 64 KiB reads).
RECORDING_SECONDS = 600
SENT_FIRST = 1024 * 1024
#: How much ciphertext must be in the vault folder before the server is killed.
PARTIAL_AT_LEAST = 256 * 1024


@dataclass
class Crash:
    """What the crash left: the restarted server, the control recording and the partial file."""

    restarted: serving.Server
    study_id: int
    respondent_id: int
    control_id: int
    control_object: str
    partial: Path
    partial_size: int
    broken_off: str


def upload_body(fields: dict[str, str], data: bytes) -> tuple[str, bytes, bytes]:
    """Return a recording upload as the browser sends it: content type, everything up to and
    including the file part's header, and the file followed by the closing boundary."""
    boundary = f"----crash{uuid.uuid4().hex}"
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="recording"; filename="intervju.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    return (
        f"multipart/form-data; boundary={boundary}",
        head,
        data + f"\r\n--{boundary}--\r\n".encode(),
    )


async def log_in(http, email: str) -> None:
    page, _ = await expect(http, "GET", "/login", 200)
    fields = serving.form_fields(page)
    fields.update(email=email, password=PASSWORD)
    await expect(http, "POST", "/login", 302, data=fields)


async def upload(http, study_id: int, data: bytes, midway=None) -> tuple[int, str]:
    """Stream a recording through the upload form; between its two parts, await midway().

    Return the status and the Location.
    """
    path = f"/studies/{study_id}/recordings"
    page, _ = await expect(http, "GET", path, 200)
    fields = serving.form_fields(page, path)
    assert fields.get("csrf_token") and fields.get("respondent"), fields
    content_type, head, rest = upload_body(fields, data)

    async def body():
        yield head + rest[:SENT_FIRST]
        if midway is not None:
            await midway()
        yield rest[SENT_FIRST:]

    headers = {"Content-Type": content_type, "Content-Length": str(len(head) + len(rest))}
    async with http.post(path, data=body(), headers=headers, allow_redirects=False) as answer:
        await answer.read()
        return answer.status, answer.headers.get("Location", "")


def group_alive(group: int) -> list[int]:
    """Return the processes of a process group that still run (zombies are not counted)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
        fields = text[text.rindex(")") + 2 :].split()
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


def kill_server(server: serving.Server) -> None:
    """SIGKILL gunicorn's whole process group, master and workers, and wait until it is gone."""
    group = server.process.pid  # start_new_session: the master leads its own group
    os.killpg(group, signal.SIGKILL)
    server.process.wait(timeout=15)
    deadline = time.monotonic() + 15
    while (left := group_alive(group)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not left, f"processes of the killed server still run: {left}"


def crash_mid_upload(app, session, recording_consent, serve) -> Crash:
    """Upload a control recording whole, kill the server during a second upload, restart it."""
    respondent = consented(app, session, recording_consent)
    study_id = recording_consent.study.id
    email = recording_consent.student.email
    folder = Path(app.config["VAULT_PATH"]) / f"study-{study_id}" / f"respondent-{respondent.id}"
    server = serve()
    seen: dict[str, object] = {}

    async def kill_when_streaming() -> None:
        """Once the partial ciphertext is in the vault folder, kill the server."""
        for _ in range(300):
            partial = [p for p in files_under(folder) if p.name.startswith(".")]
            if partial and partial[0].stat().st_size >= PARTIAL_AT_LEAST:
                seen["partial"] = partial
                break
            await asyncio.sleep(0.05)
        kill_server(server)
        seen["killed"] = True

    async def upload_then_crash() -> tuple[int, str]:
        async with browser(server) as student:
            await log_in(student, email)
            control = await upload(student, study_id, wav(1))
            try:
                answer = await upload(
                    student, study_id, wav(RECORDING_SECONDS), kill_when_streaming
                )
            except (TimeoutError, aiohttp.ClientError, ConnectionError) as error:
                seen["broken_off"] = type(error).__name__
            else:
                seen["answered"] = answer
            return control

    control = run_apart(upload_then_crash())

    assert control[0] == 303, control
    assert seen.get("killed"), seen
    assert "answered" not in seen, f"the interrupted upload was answered: {seen}"
    assert seen.get("partial"), ("the upload never reached the vault", seen)
    [partial] = seen["partial"]
    session.rollback()
    [control_row] = session.exec(select(Recording)).all()
    control_object = session.get(VaultObject, control_row.vault_object_id).object_id
    # Nothing removed the partial ciphertext: the worker died in the middle of writing it.
    assert partial.exists(), seen
    restarted = serve()
    return Crash(
        restarted,
        study_id,
        respondent.id,
        control_row.id,
        control_object,
        partial,
        partial.stat().st_size,
        str(seen["broken_off"]),
    )


def listed_recordings(page: str) -> list[int]:
    """Return the ids of the recordings the recordings page links to."""
    soup = BeautifulSoup(page, "html.parser")
    return [
        int(m.group(1))
        for a in soup.select("table a[href]")
        if (m := re.search(r"/recordings/(\d+)$", a["href"]))
    ]


def vault_check(app, database_url: str, server: serving.Server, *options: str):
    """Run `flask --app app vault check` on the server's instance folder and database."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "vault", "check", *options],
        cwd=serving.REPOSITORY,
        env=serving.environment(Path(app.instance_path), database_url, server.port),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_after_a_kill_mid_upload_and_a_restart_no_half_stored_recording_is_visible(
    app, session, recording_consent, serve
):
    crash = crash_mid_upload(app, session, recording_consent, serve)

    # The database: only the control's recording and file, no trace of the interrupted one.
    session.rollback()
    assert [r.id for r in session.exec(select(Recording)).all()] == [crash.control_id]
    objects = session.exec(select(VaultObject)).all()
    assert [o.object_id for o in objects] == [crash.control_object]
    stored = session.exec(select(AuditEvent).where(AuditEvent.action == "vault.stored")).all()
    assert len(stored) == 1
    assert audit.verify_log(session)[1] is None

    # The restarted server lists the control alone, and the interrupted upload can be redone.
    async def after_restart() -> tuple[str, tuple[int, str], str]:
        async with browser(crash.restarted) as student:
            await log_in(student, recording_consent.student.email)
            path = f"/studies/{crash.study_id}/recordings"
            before, _ = await expect(student, "GET", path, 200)
            again = await upload(student, crash.study_id, wav(2))
            after, _ = await expect(student, "GET", path, 200)
            return before, again, after

    before, again, after = run_apart(after_restart())
    assert listed_recordings(before) == [crash.control_id]
    assert again[0] == 303, again
    assert len(listed_recordings(after)) == 2

    # The partial ciphertext never got a name: storage lists only complete files.
    storage = FileSystemStorage(app.config["VAULT_PATH"])
    listed = [object_id for object_id, _ in storage.listing()]
    assert crash.control_object in listed and len(listed) == 2
    assert crash.partial.name.startswith(".") and crash.partial.name.endswith(".tmp")
    assert not any(crash.partial.name in object_id for object_id in listed)
    assert_no_server_errors(crash.restarted)


def test_vault_check_reports_the_partial_file_of_a_killed_upload_and_removes_it(
    app, session, recording_consent, serve, database_url
):
    crash = crash_mid_upload(app, session, recording_consent, serve)
    vault = Path(app.config["VAULT_PATH"])
    # An upload in progress has a partial file too; an hour later (ORPHAN_GRACE) it is
    # abandoned. Its last write is made that long ago.
    aged = time.time() - ORPHAN_GRACE.total_seconds() - 600
    os.utime(crash.partial, (aged, aged))

    found = vault_check(app, database_url, crash.restarted)
    assert found.returncode == 0, found.stdout + found.stderr
    assert "1 files checked." in found.stdout, found.stdout
    assert crash.partial.name in found.stdout, found.stdout
    assert crash.partial.exists()  # a check alone removes nothing

    removed = vault_check(app, database_url, crash.restarted, "--remove-orphans")
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert crash.partial.name in removed.stdout, removed.stdout
    assert not crash.partial.exists()
    assert files_under(vault) == [vault / crash.control_object]

    again = vault_check(app, database_url, crash.restarted)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.strip() == "1 files checked.", again.stdout
    assert_no_server_errors(crash.restarted)
