"""Recordings: uploaded through the page, encrypted as they stream in, played by Range."""

from __future__ import annotations

import io
import json
import os
import subprocess
import tempfile
import uuid
import wave
from pathlib import Path

import pytest
from sqlmodel import select

from study.audit import AuditEvent
from study.consent import services as consent
from study.consent import withdrawal
from study.recordings.models import Recording
from study.respondents import services as recruitment
from study.vault.models import VaultObject
from study.vault.service import get_vault
from tests.conftest import PASSWORD, require

BOUNDARY = "recordingboundary"


def wav(seconds: float, *, rate: int = 8000, marker: bytes = b"") -> bytes:
    """Return a mono 8-bit WAV of this length whose samples hold the marker, repeated."""
    frames = int(seconds * rate)
    unit = marker or bytes(range(256))
    pattern = unit * (frames // len(unit) + 1)
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(1)
        writer.setframerate(rate)
        writer.writeframes(pattern[:frames])
    return out.getvalue()


def multipart(*parts) -> tuple[bytes, str]:
    body = b""
    for part in parts:
        if len(part) == 2:
            name, value = part
            body += (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            ).encode()
        else:
            name, filename, media_type, data = part
            body += (
                (
                    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: {media_type}\r\n\r\n'
                ).encode()
                + data
                + b"\r\n"
            )
    body += f"--{BOUNDARY}--\r\n".encode()
    return body, f"multipart/form-data; boundary={BOUNDARY}"


def staff(app, user):
    client = app.test_client()
    client.get("/language/en")
    client.post("/login", data={"email": user.email, "password": PASSWORD})
    return client


def consented(app, session, recruiting, code="IP1", *, recording=True):
    """Add a respondent who consented, to recording or not."""
    with app.test_request_context():
        respondent = recruitment.add_respondent(
            session, recruiting.study, recruiting.student, code=code
        )
        documents = consent.approved_documents(session, recruiting.study)
        answers = {item["key"]: True for item in documents.items}
        for key in ("audio_recording", "video_recording"):
            if key in answers:
                answers[key] = recording
        consent.give_consent(
            session,
            respondent,
            documents,
            language="sv",
            answers=answers,
            names={"respondent": "Sara Ek"},
            submission=uuid.uuid4().hex,
        )
        session.commit()
    return respondent


@pytest.fixture
def recording_consent(app, session, make_user, make_study):
    """A study that may recruit and whose consent form asks for audio recording."""
    from study.accounts.models import Role
    from tests.conftest import Recruiting, answer_self_review, open_recruitment

    student, supervisor = make_user(Role.STUDENT), make_user(Role.SUPERVISOR)
    study = make_study(student, supervisor)
    study.controller, study.data_protection_officer = "Universitetet", "dso@example.org"
    session.add(study)
    session.commit()
    answer_self_review(app, session, study, student, recording="audio")
    open_recruitment(app, session, study, student, supervisor)
    return Recruiting(study, student, supervisor)


def upload(client, study, respondent, data, *, filename="intervju-sara.wav"):
    body, content_type = multipart(
        ("respondent", str(respondent.id)), ("recording", filename, "audio/wav", data)
    )
    return client.post(f"/studies/{study.id}/recordings", data=body, content_type=content_type)


def test_a_recording_is_stored_encrypted_and_its_marker_is_nowhere_in_plaintext(
    app, session, recording_consent, caplog
):
    marker = b"MARKER-" + uuid.uuid4().hex.encode()
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    sent = upload(client, recording_consent.study, respondent, wav(3, marker=marker))
    assert sent.status_code == 303, sent.get_data(as_text=True)
    recording = session.exec(select(Recording)).one()
    assert recording.format == "wav" and 2.9 < recording.duration_seconds < 3.1
    stored = session.get(VaultObject, recording.vault_object_id)
    assert stored.kind == "recording" and stored.media_type == "audio/wav"
    with app.test_request_context():
        with get_vault(session).open(stored, actor_id=None, purpose="test") as reader:
            assert marker in reader.readall()
    places = [Path(app.instance_path), Path(tempfile.gettempdir())]
    for place in places:
        for path in place.rglob("*"):
            if path.is_file() and path.stat().st_size < 200 * 1024 * 1024:
                try:
                    assert marker not in path.read_bytes(), path
                except PermissionError:
                    continue
    assert marker.decode() not in caplog.text
    assert b"intervju-sara" not in str(session.exec(select(AuditEvent)).all()).encode()


def test_a_respondent_without_consent_to_recording_cannot_be_chosen(
    app, session, recording_consent
):
    covered = consented(app, session, recording_consent, "IP1")
    refused = consented(app, session, recording_consent, "IP2", recording=False)
    client = staff(app, recording_consent.student)
    page = client.get(f"/studies/{recording_consent.study.id}/recordings").get_data(as_text=True)
    assert f'value="{covered.id}"' in page and f'value="{refused.id}"' not in page
    sent = upload(client, recording_consent.study, refused, wav(1))
    assert sent.status_code == 400
    assert session.exec(select(VaultObject)).all() == []


def test_bytes_that_are_no_recording_are_refused_and_nothing_stays(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    sent = upload(client, recording_consent.study, respondent, b"%PDF-1.7 " + b"x" * 5000)
    assert sent.status_code == 400
    assert "not a recording" in sent.get_data(as_text=True)
    assert session.exec(select(VaultObject)).all() == []
    assert session.exec(select(Recording)).all() == []
    vault = Path(app.config["VAULT_PATH"])
    assert not vault.exists() or not [p for p in vault.rglob("*") if p.is_file()]


def test_seeking_into_an_hour_long_recording_gets_the_right_bytes(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    hour = wav(3600)
    assert upload(client, recording_consent.study, respondent, hour).status_code == 303
    recording = session.exec(select(Recording)).one()
    base = f"/studies/{recording_consent.study.id}/recordings/{recording.id}"
    # The player's requests belong to a playback session that the page opens.
    assert client.get(f"{base}/audio").status_code == 403
    assert client.get(base).status_code == 200
    played = len(
        session.exec(select(AuditEvent).where(AuditEvent.action == "recording.played")).all()
    )
    decrypted = len(
        session.exec(select(AuditEvent).where(AuditEvent.action == "vault.decrypted")).all()
    )
    minute_55 = 44 + 55 * 60 * 8000
    part = client.get(f"{base}/audio", headers={"Range": f"bytes={minute_55}-{minute_55 + 9999}"})
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes {minute_55}-{minute_55 + 9999}/{len(hour)}"
    assert part.data == hour[minute_55 : minute_55 + 10000]
    last = client.get(f"{base}/audio", headers={"Range": "bytes=-480000"})
    assert last.status_code == 206 and last.data == hour[-480000:]
    # Range requests write no audit entries of their own.
    session.expire_all()
    assert (
        len(session.exec(select(AuditEvent).where(AuditEvent.action == "recording.played")).all())
        == played
    )
    assert (
        len(session.exec(select(AuditEvent).where(AuditEvent.action == "vault.decrypted")).all())
        == decrypted
    )


def test_the_stored_recording_opens_with_the_age_tool(app, session, recording_consent, tmp_path):
    require(bool(__import__("shutil").which("age")), "the age tool is missing")
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    data = wav(2)
    assert upload(client, recording_consent.study, respondent, data).status_code == 303
    stored = session.get(VaultObject, session.exec(select(Recording)).one().vault_object_id)
    with app.test_request_context():
        identity = get_vault(session).identity(respondent.id, None)
    key = tmp_path / "identity.txt"
    key.write_text(str(identity) + "\n")
    os.chmod(key, 0o600)
    ciphertext = Path(app.config["VAULT_PATH"]) / stored.object_id
    opened = subprocess.run(
        ["age", "-d", "-i", str(key), str(ciphertext)], capture_output=True, check=True
    )
    assert opened.stdout == data


def test_the_supervisor_neither_lists_nor_plays_recordings(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    assert (
        upload(
            staff(app, recording_consent.student), recording_consent.study, respondent, wav(1)
        ).status_code
        == 303
    )
    recording = session.exec(select(Recording)).one()
    supervisor = staff(app, recording_consent.supervisor)
    base = f"/studies/{recording_consent.study.id}/recordings"
    assert supervisor.get(base).status_code == 403
    assert supervisor.get(f"{base}/{recording.id}").status_code == 403
    assert supervisor.get(f"{base}/{recording.id}/download").status_code == 403


def test_a_withdrawal_takes_the_recording_with_it(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    assert upload(client, recording_consent.study, respondent, wav(1)).status_code == 303
    recording_id = session.exec(select(Recording)).one().id
    with app.test_request_context():
        done = withdrawal.withdraw(session, respondent)
        session.commit()
    assert done.destroyed["files_recording"] == 1
    session.expire_all()
    assert session.exec(select(Recording)).all() == []
    url = f"/studies/{recording_consent.study.id}/recordings/{recording_id}"
    assert client.get(url).status_code == 404


def test_a_new_consent_without_recording_takes_the_recordings_but_not_the_transcripts(
    app, session, recording_consent
):
    from tests.transcripts.test_transcripts import upload as upload_transcript

    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    assert upload(client, recording_consent.study, respondent, wav(1)).status_code == 303
    recording = session.exec(select(Recording)).one()
    recording_id = recording.id
    stored = session.get(VaultObject, recording.vault_object_id)
    sent = upload_transcript(client, recording_consent.study, respondent, b"IP1: Hej.")
    assert sent.status_code == 303
    files = Path(app.config["VAULT_PATH"])
    assert (files / stored.object_id).is_file()
    # She consents again (a new version of the form, or she changed her mind): no recording.
    with app.test_request_context():
        documents = consent.approved_documents(session, recording_consent.study)
        answers = {item["key"]: item["key"] != "audio_recording" for item in documents.items}
        consent.give_consent(
            session,
            respondent,
            documents,
            language="sv",
            answers=answers,
            names={"respondent": "Sara Ek"},
            submission=uuid.uuid4().hex,
        )
        session.commit()
    session.expire_all()
    assert session.exec(select(Recording)).all() == []
    assert not (files / stored.object_id).exists()
    kinds = [v.kind for v in session.exec(select(VaultObject))]
    assert "transcript" in kinds and "recording" not in kinds
    (entry,) = session.exec(
        select(AuditEvent).where(AuditEvent.action == "recording.consent_withdrawn")
    ).all()
    assert json.loads(entry.details)["recordings"] == 1
    url = f"/studies/{recording_consent.study.id}/recordings/{recording_id}"
    assert client.get(url).status_code == 404


class ServerFileWrapper:
    """A server's wsgi.file_wrapper as gunicorn's is: it iterates, but it cannot seek."""

    def __init__(self, file, block_size=8192):
        self.file, self.block_size = file, block_size

    def __iter__(self):
        while data := self.file.read(self.block_size):
            yield data

    def close(self):
        self.file.close()


def test_a_seek_decrypts_only_the_chunks_it_reaches_whatever_the_server(
    app, session, recording_consent, monkeypatch
):
    from study.vault import reader as reader_module

    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    hour = wav(3600)
    assert upload(client, recording_consent.study, respondent, hour).status_code == 303
    recording = session.exec(select(Recording)).one()
    base = f"/studies/{recording_consent.study.id}/recordings/{recording.id}"
    assert client.get(base).status_code == 200
    opened = []
    real = reader_module.AgeReader.readinto

    def counting(self, buffer):
        opened.append(self.tell())
        return real(self, buffer)

    monkeypatch.setattr(reader_module.AgeReader, "readinto", counting)
    start = len(hour) - 480_000
    part = client.get(
        f"{base}/audio",
        headers={"Range": f"bytes={start}-"},
        environ_base={"wsgi.file_wrapper": ServerFileWrapper},
    )
    assert part.status_code == 206 and part.data == hour[start:]
    # Nothing before the range was read (and so nothing before it decrypted).
    assert min(opened) >= start - 64 * 1024


def mp4(brand: bytes) -> bytes:
    """Return the first bytes of an MP4 file of this brand, padded to look like a recording."""
    return b"\x00\x00\x00\x20ftyp" + brand + b"\x00\x00\x02\x00" + b"\x00" * 4096


def test_a_file_that_may_hold_video_needs_consent_to_filming(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    refused = upload(client, recording_consent.study, respondent, mp4(b"isom"), filename="a.mp4")
    assert refused.status_code == 400
    assert "may hold video" in refused.get_data(as_text=True)
    assert session.exec(select(VaultObject)).all() == []
    # An audio-only MP4 (the M4A brand phones record in) needs only consent to recording.
    taken = upload(client, recording_consent.study, respondent, mp4(b"M4A "), filename="a.m4a")
    assert taken.status_code == 303
    assert taken.headers["Location"].endswith(f"/studies/{recording_consent.study.id}/recordings")


def test_a_few_bytes_are_no_recording(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    assert upload(client, recording_consent.study, respondent, b"ID3").status_code == 400
    assert session.exec(select(VaultObject)).all() == []


def test_playback_needs_a_live_session_and_a_consent_that_still_covers_it(
    app, session, recording_consent, monkeypatch
):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    assert upload(client, recording_consent.study, respondent, wav(1)).status_code == 303
    recording = session.exec(select(Recording)).one()
    base = f"/studies/{recording_consent.study.id}/recordings/{recording.id}"
    played = client.get(base)
    assert played.status_code == 200 and played.headers["X-Accel-Buffering"] == "no"
    assert client.get(f"{base}/audio").status_code == 200
    # A session that has run its time plays nothing.
    import study.recordings.routes as routes

    monkeypatch.setattr(routes, "PLAYBACK_SECONDS", -1)
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/audio").status_code == 403
    monkeypatch.undo()
    # A download asked for from another site is refused; from the app's own page it goes.
    cross = client.get(f"{base}/download", headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403
    assert (
        client.get(f"{base}/download", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200
    )
    # The respondent consents again without recording: the recording is gone.
    with app.test_request_context():
        documents = consent.approved_documents(session, recording_consent.study)
        answers = {item["key"]: item["key"] != "audio_recording" for item in documents.items}
        consent.give_consent(
            session,
            respondent,
            documents,
            language="sv",
            answers=answers,
            names={"respondent": "Sara Ek"},
            submission=uuid.uuid4().hex,
        )
        session.commit()
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/download").status_code == 404
