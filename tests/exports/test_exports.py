"""Archive exports: the material in one age file its owner opens, written in the background."""

from __future__ import annotations

import io
import json
import os
import pty
import shutil
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from study.audit import AuditEvent
from study.consent import withdrawal
from study.errors import UserError
from study.exports import services as exports
from study.exports.models import Export, ExportState
from study.models import utcnow
from study.transcripts import services as transcripts
from study.transcripts.models import Transcript
from study.vault.age import X25519Identity
from study.vault.service import get_vault
from tests.conftest import require
from tests.recordings.test_recordings import consented, staff, upload, wav
from tests.recordings.test_recordings import recording_consent as recording_consent_fixture
from tests.transcripts.test_transcripts import upload as upload_transcript

recording_consent = recording_consent_fixture

PASSPHRASE = "blåbär kanot fyrtorn regnrock"
RAW_TEXT = "Intervjuare: Hur började det?\n\nIP1: Jag heter Sara Ek och bor i Lerum."
PSEUDONYMIZED = "Intervjuare: Hur började det?\n\nIP1: Jag heter [Namn 1] och bor i [Ort 1]."


def transcribed(app, session, recruiting, respondent, *, pseudonymized: bool = True) -> Transcript:
    """Upload a transcript for the respondent and, if asked, its pseudonymized version."""
    client = staff(app, recruiting.student)
    sent = upload_transcript(client, recruiting.study, respondent, RAW_TEXT.encode())
    assert sent.status_code == 303, sent.get_data(as_text=True)
    transcript = session.exec(
        select(Transcript).where(Transcript.respondent_id == respondent.id)
    ).one()
    if pseudonymized:
        with app.test_request_context():
            transcripts.store_text(
                get_vault(session),
                respondent,
                PSEUDONYMIZED,
                recruiting.student,
                lambda stored: transcripts.add_pseudonymized(
                    session, recruiting.study, recruiting.student, transcript, stored, base=1
                ),
            )
    return transcript


def finish_exports() -> None:
    """Wait for every export being written on a thread of this process."""
    for thread in threading.enumerate():
        if thread.name.startswith("export-"):
            thread.join(timeout=120)
            assert not thread.is_alive()


def ask(client, study, **fields):
    form = {"protection": "passphrase", "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE}
    form.update(fields)
    return client.post(f"/studies/{study.id}/exports", data=form)


def the_export(session) -> Export:
    session.expire_all()
    return session.exec(select(Export).order_by(Export.id.desc())).first()


def download(client, study, export) -> bytes:
    got = client.get(f"/studies/{study.id}/exports/{export.id}/download")
    assert got.status_code == 200, got.status_code
    assert got.headers["Content-Disposition"].endswith('.zip.age"')
    assert got.headers["Cache-Control"] == "no-store"
    data = got.get_data()
    got.close()
    assert len(data) == int(got.headers["Content-Length"])
    return data


def open_with_passphrase(tmp_path: Path, ciphertext: bytes, passphrase: str) -> bytes:
    """Decrypt with the age tool, typing the passphrase at its prompt as a person would."""
    require(bool(shutil.which("age")), "the age tool is missing")
    sealed, opened = tmp_path / "archive.zip.age", tmp_path / "archive.zip"
    sealed.write_bytes(ciphertext)
    pid, terminal = pty.fork()
    if pid == 0:  # the child: age reads the passphrase from its terminal only
        os.execvp("age", ["age", "-d", "-o", str(opened), str(sealed)])
    said = b""
    deadline = time.monotonic() + 60
    while b"passphrase" not in said.lower() and time.monotonic() < deadline:
        said += os.read(terminal, 1024)
    os.write(terminal, passphrase.encode() + b"\n")
    while True:
        try:
            if not os.read(terminal, 1024):
                break
        except OSError:
            break
    _pid, status = os.waitpid(pid, 0)
    os.close(terminal)
    assert os.waitstatus_to_exitcode(status) == 0, said
    return opened.read_bytes()


def members(archive: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        assert opened.testzip() is None
        return {name: opened.read(name) for name in opened.namelist()}


def test_a_student_exports_the_pseudonymized_transcripts_to_a_passphrase_age_opens(
    app, session, recording_consent, tmp_path
):
    respondent = consented(app, session, recording_consent)
    transcript = transcribed(app, session, recording_consent, respondent)
    client = staff(app, recording_consent.student)
    sent = ask(client, recording_consent.study)
    assert sent.status_code == 302, sent.get_data(as_text=True)
    finish_exports()
    export = the_export(session)
    assert export.state is ExportState.READY and not export.raw
    assert (export.files_done, export.files_total) == (1, 1)
    page = client.get(f"/studies/{recording_consent.study.id}/exports").get_data(as_text=True)
    assert "Download" in page
    ciphertext = download(client, recording_consent.study, export)
    assert ciphertext.startswith(b"age-encryption.org/v1\n-> scrypt ")
    assert b"Lerum" not in ciphertext and b"[Namn 1]" not in ciphertext
    inside = members(open_with_passphrase(tmp_path, ciphertext, PASSPHRASE))
    name = f"pseudonymized/IP1-transcript-{transcript.id}-v2.txt"
    assert sorted(inside) == ["README.txt", name]
    assert inside[name].decode() == PSEUDONYMIZED
    readme = inside["README.txt"].decode()
    assert name in readme and recording_consent.study.title in readme
    assert b"Lerum" not in b"".join(inside.values())


def test_the_supervisor_adds_the_raw_material_encrypted_to_an_age_key(
    app, session, recording_consent, tmp_path
):
    require(bool(shutil.which("age")), "the age tool is missing")
    respondent = consented(app, session, recording_consent)
    sound = wav(2)
    student = staff(app, recording_consent.student)
    assert upload(student, recording_consent.study, respondent, sound).status_code == 303
    transcript = transcribed(app, session, recording_consent, respondent)
    identity = X25519Identity.generate()
    supervisor = staff(app, recording_consent.supervisor)
    sent = ask(
        supervisor,
        recording_consent.study,
        raw="y",
        protection="recipient",
        recipient=str(identity.recipient),
    )
    assert sent.status_code == 302, sent.get_data(as_text=True)
    finish_exports()
    export = the_export(session)
    assert export.state is ExportState.READY and export.raw
    key = tmp_path / "key.txt"
    key.write_text(str(identity) + "\n")
    sealed = tmp_path / "archive.zip.age"
    sealed.write_bytes(download(supervisor, recording_consent.study, export))
    opened = subprocess.run(["age", "-d", "-i", str(key), str(sealed)], capture_output=True)
    assert opened.returncode == 0, opened.stderr
    inside = members(opened.stdout)
    recording = next(n for n in inside if n.startswith("raw/recordings/IP1-recording-"))
    assert inside[recording] == sound
    assert inside[f"raw/transcripts/IP1-transcript-{transcript.id}-v1.txt"].decode() == RAW_TEXT
    assert inside[f"pseudonymized/IP1-transcript-{transcript.id}-v2.txt"].decode() == PSEUDONYMIZED
    if shutil.which("unzip"):
        tested = tmp_path / "archive.zip"
        tested.write_bytes(opened.stdout)
        listed = subprocess.run(["unzip", "-t", str(tested)], capture_output=True, text=True)
        assert listed.returncode == 0 and "No errors detected" in listed.stdout, listed.stdout


def test_a_student_gets_only_the_pseudonymized_material_whatever_the_form_says(
    app, session, recording_consent
):
    respondent = consented(app, session, recording_consent)
    assert (
        upload(
            staff(app, recording_consent.student), recording_consent.study, respondent, wav(1)
        ).status_code
        == 303
    )
    transcribed(app, session, recording_consent, respondent)
    client = staff(app, recording_consent.student)
    page = client.get(f"/studies/{recording_consent.study.id}/exports").get_data(as_text=True)
    assert 'name="raw"' not in page
    assert ask(client, recording_consent.study, raw="y").status_code == 302
    finish_exports()
    export = the_export(session)
    assert not export.raw and export.files_total == 1
    with app.test_request_context(), pytest.raises(UserError, match="handledare"):
        exports.start(
            session,
            recording_consent.study,
            recording_consent.student,
            raw=True,
            protection="passphrase",
        )


def test_without_pseudonymized_transcripts_there_is_nothing_to_export(
    app, session, recording_consent
):
    respondent = consented(app, session, recording_consent)
    transcribed(app, session, recording_consent, respondent, pseudonymized=False)
    client = staff(app, recording_consent.student)
    page = client.get(f"/studies/{recording_consent.study.id}/exports").get_data(as_text=True)
    assert "No transcript of the study is pseudonymized yet" in page
    refused = ask(client, recording_consent.study)
    assert refused.status_code == 400
    assert "nothing to export yet" in refused.get_data(as_text=True)
    assert session.exec(select(Export)).first() is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"passphrase": "kort", "passphrase_again": "kort"}, "at least 12 characters"),
        ({"passphrase_again": PASSPHRASE + "x"}, "The two passphrases differ"),
        ({"protection": "recipient", "recipient": "age1inte-en-nyckel"}, "not an age public key"),
        ({"protection": "recipient", "recipient": ""}, "not an age public key"),
    ],
)
def test_a_weak_passphrase_or_a_wrong_key_is_refused_by_name(
    app, session, recording_consent, fields, message
):
    respondent = consented(app, session, recording_consent)
    transcribed(app, session, recording_consent, respondent)
    refused = ask(staff(app, recording_consent.student), recording_consent.study, **fields)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert message in page and PASSPHRASE not in page
    assert session.exec(select(Export)).first() is None


def test_the_passphrase_is_never_stored_and_the_archive_is_never_plaintext(
    app, session, recording_consent, caplog
):
    respondent = consented(app, session, recording_consent)
    transcribed(app, session, recording_consent, respondent)
    client = staff(app, recording_consent.student)
    assert ask(client, recording_consent.study).status_code == 302
    finish_exports()
    assert the_export(session).state is ExportState.READY
    session.expire_all()
    rows = [json.dumps(e.details) for e in session.exec(select(AuditEvent))]
    assert not any(PASSPHRASE in row for row in rows)
    assert PASSPHRASE not in caplog.text
    instance = Path(app.instance_path)
    for path in instance.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert PASSPHRASE.encode() not in data, path
            assert b"[Namn 1]" not in data and b"Lerum" not in data, path
    (archive,) = [p for p in Path(app.config["EXPORT_PATH"]).rglob("*.zip.age")]
    assert archive.read_bytes().startswith(b"age-encryption.org/v1\n")


def test_only_its_owner_downloads_an_export(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    transcribed(app, session, recording_consent, respondent)
    assert ask(staff(app, recording_consent.student), recording_consent.study).status_code == 302
    finish_exports()
    export = the_export(session)
    supervisor = staff(app, recording_consent.supervisor)
    base = f"/studies/{recording_consent.study.id}/exports/{export.id}"
    assert supervisor.get(f"{base}/download").status_code == 404
    assert supervisor.get(f"{base}/progress").status_code == 404
    cross_site = staff(app, recording_consent.student).get(
        f"{base}/download", headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status_code == 403


def test_a_withdrawal_deletes_every_archive_of_the_study(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    transcribed(app, session, recording_consent, respondent)
    client = staff(app, recording_consent.student)
    assert ask(client, recording_consent.study).status_code == 302
    finish_exports()
    export = the_export(session)
    stored = Path(app.config["EXPORT_PATH"]) / export.object_id
    assert stored.is_file()
    with app.test_request_context():
        withdrawal.withdraw(session, respondent)
        session.commit()
    assert not stored.exists()
    export = the_export(session)
    assert (export.state, export.reason, export.object_id) == (
        ExportState.DELETED,
        "withdrawal",
        None,
    )
    assert (
        client.get(
            f"/studies/{recording_consent.study.id}/exports/{export.id}/download"
        ).status_code
        == 404
    )
    page = client.get(f"/studies/{recording_consent.study.id}/exports").get_data(as_text=True)
    assert "a respondent withdrew" in page


def test_an_export_deleted_while_it_is_written_stops_and_leaves_no_file(
    app, session, recording_consent
):
    respondent = consented(app, session, recording_consent)
    transcribed(app, session, recording_consent, respondent)
    with app.test_request_context():
        export, _planned = exports.start(
            session,
            recording_consent.study,
            recording_consent.student,
            raw=False,
            protection="recipient",
        )
        session.commit()
        exports.delete(session, export, recording_consent.student)
        session.commit()
    exports.write(app, export.id, [X25519Identity.generate().recipient], "sv")
    export = the_export(session)
    assert export.state is ExportState.DELETED and export.object_id is None
    assert not any(p.is_file() for p in Path(app.config["EXPORT_PATH"]).rglob("*"))


def test_a_dead_export_shows_as_failed_and_the_sweep_removes_what_it_left(
    app, session, recording_consent
):
    respondent = consented(app, session, recording_consent)
    transcribed(app, session, recording_consent, respondent)
    with app.test_request_context():
        export, _planned = exports.start(
            session,
            recording_consent.study,
            recording_consent.student,
            raw=False,
            protection="passphrase",
        )
        session.commit()
    # The process that wrote it went away: its row stopped moving, a temporary file stayed.
    export.updated_at = utcnow() - exports.STALE * 2
    session.add(export)
    session.commit()
    folder = Path(app.config["EXPORT_PATH"]) / f"study-{recording_consent.study.id}"
    folder.mkdir(parents=True)
    left = folder / ".export-1.zip.age.tmp"
    left.write_bytes(b"age-encryption.org/v1\n-> cut off")
    old = time.time() - 3600
    os.utime(left, (old, old))
    client = staff(app, recording_consent.student)
    page = client.get(f"/studies/{recording_consent.study.id}/exports").get_data(as_text=True)
    assert "Stopped before its end" in page
    progress = client.get(f"/studies/{recording_consent.study.id}/exports/{export.id}/progress")
    assert progress.get_json()["state"] == "failed"
    result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "Removed 1 export files" in result.output
    assert not left.exists()
    assert the_export(session).state is ExportState.FAILED


def test_an_archive_goes_after_its_time(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    transcribed(app, session, recording_consent, respondent)
    client = staff(app, recording_consent.student)
    assert ask(client, recording_consent.study).status_code == 302
    finish_exports()
    export = the_export(session)
    stored = Path(app.config["EXPORT_PATH"]) / export.object_id
    export.expires_at = utcnow()
    session.add(export)
    session.commit()
    base = f"/studies/{recording_consent.study.id}/exports/{export.id}"
    assert client.get(f"{base}/download").status_code == 404
    assert app.test_cli_runner().invoke(args=["retention", "run"]).exit_code == 0
    assert not stored.exists()
    assert (the_export(session).state, the_export(session).reason) == (
        ExportState.DELETED,
        "expired",
    )


def test_its_owner_deletes_an_archive(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    transcribed(app, session, recording_consent, respondent)
    client = staff(app, recording_consent.student)
    assert ask(client, recording_consent.study).status_code == 302
    finish_exports()
    export = the_export(session)
    stored = Path(app.config["EXPORT_PATH"]) / export.object_id
    base = f"/studies/{recording_consent.study.id}/exports/{export.id}"
    assert client.post(f"{base}/delete").status_code == 302
    assert not stored.exists()
    assert the_export(session).state is ExportState.DELETED
    assert client.get(f"{base}/download").status_code == 404
