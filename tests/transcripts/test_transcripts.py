"""Transcripts through the pages: uploaded or written, encrypted, versioned, gone on withdrawal."""

from __future__ import annotations

import io
import json
import tempfile
import uuid
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from docx import Document
from sqlmodel import Session, select

from study.audit import AuditEvent
from study.consent import withdrawal
from study.consent.models import ConsentRecord
from study.models import utcnow
from study.recordings.models import Recording
from study.respondents import services as recruitment
from study.respondents.models import Respondent
from study.transcripts import formats
from study.transcripts.models import Transcript, TranscriptVersion
from study.vault.models import VaultObject
from study.vault.service import get_vault
from tests.recordings.test_recordings import consented, multipart, staff
from tests.recordings.test_recordings import recording_consent as recording_consent_fixture

recording_consent = recording_consent_fixture


def upload(client, study, respondent, data, *, filename="intervju.txt", recording=""):
    body, content_type = multipart(
        ("respondent", str(respondent.id)),
        ("recording", str(recording)),
        ("transcript", filename, "application/octet-stream", data),
    )
    return client.post(f"/studies/{study.id}/transcripts", data=body, content_type=content_type)


def stored_texts(app, session, transcript) -> list[str]:
    """Decrypt every version of a transcript, oldest first."""
    session.expire_all()
    versions = session.exec(
        select(TranscriptVersion)
        .where(TranscriptVersion.transcript_id == transcript.id)
        .order_by(TranscriptVersion.number)
    ).all()
    texts = []
    with app.test_request_context():
        vault = get_vault(session)
        for version in versions:
            stored = session.get(VaultObject, version.vault_object_id)
            assert stored.kind == "transcript"
            with vault.open(stored, actor_id=None, purpose="test") as reader:
                texts.append(reader.readall().decode())
    return texts


def actions(session, action: str) -> list[AuditEvent]:
    session.expire_all()
    return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)))


def word_file() -> bytes:
    document = Document()
    document.add_paragraph("Intervjuare: Hur började det?")
    document.add_paragraph("IP1: Det var länge sedan.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


UPLOADS = {
    "txt": ("intervju.txt", "Intervjuare: Hur började det?\r\nIP1: Det var länge sedan.\r\n"),
    "docx": ("intervju.docx", word_file()),
    "vtt": (
        "intervju.vtt",
        "WEBVTT\n\n00:01.000 --> 00:03.000\n<v Intervjuare>Hur började det?\n\n"
        "00:03.000 --> 00:05.000\n<v IP1>Det var\n\n00:05.000 --> 00:06.000\n<v IP1>länge sedan.\n",
    ),
    "srt": (
        "intervju.srt",
        "1\n00:00:01,000 --> 00:00:03,000\nIntervjuare: Hur började det?\n\n"
        "2\n00:00:03,000 --> 00:00:06,000\nIP1: Det var länge sedan.\n",
    ),
    "otr": (
        "intervju.otr",
        json.dumps(
            {
                "text": "<p>Intervjuare: Hur började det?</p><p>IP1: Det var länge sedan.</p>",
                "media": "intervju.mp3",
            }
        ),
    ),
}
TURNS = "Intervjuare: Hur började det?\n\nIP1: Det var länge sedan."


@pytest.mark.parametrize("kind", sorted(UPLOADS))
def test_each_format_is_uploaded_with_its_speaker_turns_kept(app, session, recording_consent, kind):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    filename, data = UPLOADS[kind]
    sent = upload(
        client,
        recording_consent.study,
        respondent,
        data if isinstance(data, bytes) else data.encode(),
        filename=filename,
    )
    assert sent.status_code == 303, sent.get_data(as_text=True)
    transcript = session.exec(select(Transcript)).one()
    assert transcript.respondent_id == respondent.id and transcript.recording_id is None
    assert stored_texts(app, session, transcript) == [TURNS]
    version = session.exec(select(TranscriptVersion)).one()
    assert (version.number, version.source) == (1, kind)
    (entry,) = actions(session, "transcript.uploaded")
    assert json.loads(entry.details)["format"] == kind and "Hur" not in entry.details
    page = client.get(sent.headers["Location"])
    assert page.status_code == 200
    turns = BeautifulSoup(page.get_data(as_text=True), "html.parser").select(".transcript p")
    assert [t.get_text(" ", strip=True) for t in turns] == [
        "Intervjuare: Hur började det?",
        "IP1: Det var länge sedan.",
    ]
    assert [t.strong.get_text() for t in turns] == ["Intervjuare:", "IP1:"]


def test_a_marker_in_an_uploaded_transcript_is_nowhere_in_plaintext(
    app, session, recording_consent, caplog
):
    marker = "MARKER-" + uuid.uuid4().hex
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    # Larger than Werkzeug's form parser keeps in memory (it would spool this to a file).
    data = (f"IP1: {marker} " + "åäö" * 40 + "\n").encode() * 2000
    assert len(data) > 512 * 1024
    sent = upload(client, recording_consent.study, respondent, data, filename="sara-ek.txt")
    assert sent.status_code == 303, sent.get_data(as_text=True)
    assert marker in client.get(sent.headers["Location"]).get_data(as_text=True)
    transcript = session.exec(select(Transcript)).one()
    assert marker in stored_texts(app, session, transcript)[0]
    for place in (Path(app.instance_path), Path(tempfile.gettempdir())):
        for path in place.rglob("*"):
            if path.is_file() and path.stat().st_size < 200 * 1024 * 1024:
                try:
                    assert marker.encode() not in path.read_bytes(), path
                except PermissionError:
                    continue
    assert marker not in caplog.text
    audit = str([(e.action, e.details) for e in session.exec(select(AuditEvent))])
    assert marker not in audit and "sara-ek" not in audit


def test_an_edit_makes_a_new_version_and_every_version_is_listed_and_readable(
    app, session, recording_consent
):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    sent = upload(client, recording_consent.study, respondent, b"Intervjuare: Hej.\nIP1: Hej!")
    url = sent.headers["Location"]
    viewed = len(actions(session, "transcript.viewed"))
    page = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    assert len(actions(session, "transcript.viewed")) == viewed + 1
    assert (
        page.select_one("textarea[name=text]").get_text().removeprefix("\r\n")
        == "Intervjuare: Hej.\n\nIP1: Hej!"
    )
    base = page.select_one("input[name=base]")["value"]
    saved = client.post(
        url,
        data={"text": "Intervjuare: Hej.\r\n\r\nIP1: Hej, hej!\r\nIntervjuare: Ja.", "base": base},
    )
    assert saved.status_code == 303, saved.get_data(as_text=True)
    transcript = session.exec(select(Transcript)).one()
    assert stored_texts(app, session, transcript) == [
        "Intervjuare: Hej.\n\nIP1: Hej!",
        "Intervjuare: Hej.\n\nIP1: Hej, hej!\n\nIntervjuare: Ja.",
    ]
    (entry,) = actions(session, "transcript.saved")
    assert json.loads(entry.details)["version"] == 2 and "Hej" not in entry.details
    page = BeautifulSoup(client.get(url).get_data(as_text=True), "html.parser")
    rows = page.select("section[aria-labelledby=versions-heading] tbody tr")
    assert [r.th.get_text(strip=True) for r in rows] == ["2", "Version 1"]
    assert "Edited here" in rows[0].get_text() and "Text file" in rows[1].get_text()
    earlier = client.get(rows[1].a["href"])
    shown = BeautifulSoup(earlier.get_data(as_text=True), "html.parser")
    assert "IP1: Hej!" in shown.select_one(".transcript").get_text(" ", strip=True)
    assert shown.select_one("textarea") is None and "earlier version" in shown.get_text()
    assert client.get(f"{url}?version=9").status_code == 404
    assert client.get(f"{url}?version=x").status_code == 404
    listing = client.get(f"/studies/{recording_consent.study.id}/transcripts")
    row = BeautifulSoup(listing.get_data(as_text=True), "html.parser").select_one("tbody tr")
    assert row.th.get_text() == "IP1" and row.select("td")[1].get_text() == "2"


def test_a_save_on_top_of_a_newer_version_is_refused_and_the_text_kept(
    app, session, recording_consent
):
    respondent = consented(app, session, recording_consent)
    client, other = staff(app, recording_consent.student), staff(app, recording_consent.student)
    url = upload(client, recording_consent.study, respondent, b"IP1: Ett.").headers["Location"]
    assert other.post(url, data={"text": "IP1: Två.", "base": "1"}).status_code == 303
    late = client.post(url, data={"text": "IP1: Mitt eget.", "base": "1"})
    assert late.status_code == 400
    page = BeautifulSoup(late.get_data(as_text=True), "html.parser")
    assert "Version 2 was saved while you were editing" in page.select_one(".error-summary").text
    assert page.select_one("textarea").get_text().removeprefix("\r\n") == "IP1: Mitt eget."
    assert page.select_one("input[name=base]")["value"] == "2"
    # A refused save reads nothing: the newest version is a link away.
    assert page.select_one(".transcript") is None
    assert "Read the newest version (2)" in page.get_text()
    assert len(session.exec(select(TranscriptVersion)).all()) == 2
    # Saving the same text again makes no version.
    same = client.post(url, data={"text": "IP1: Två.", "base": "2"})
    assert same.status_code == 303
    assert len(session.exec(select(TranscriptVersion)).all()) == 2


def test_a_transcript_written_here_needs_a_consent_but_not_one_to_recording(
    app, session, recording_consent
):
    respondent = consented(app, session, recording_consent, "IP2", recording=False)
    client = staff(app, recording_consent.student)
    study = recording_consent.study
    page = client.get(f"/studies/{study.id}/transcripts/new").get_data(as_text=True)
    assert f'value="{respondent.id}"' in page
    sent = client.post(
        f"/studies/{study.id}/transcripts/new",
        data={"respondent": str(respondent.id), "recording": "", "text": "Anteckningar:\nIP2 log."},
    )
    assert sent.status_code == 303, sent.get_data(as_text=True)
    transcript = session.exec(select(Transcript)).one()
    assert stored_texts(app, session, transcript) == ["Anteckningar: IP2 log."]
    assert session.exec(select(TranscriptVersion)).one().source == "typed"
    assert json.loads(actions(session, "transcript.saved")[0].details)["version"] == 1


def test_no_transcript_for_a_respondent_without_consent(app, session, recording_consent):
    study = recording_consent.study
    with app.test_request_context():
        waiting = recruitment.add_respondent(session, study, recording_consent.student, code="IP9")
        session.commit()
    client = staff(app, recording_consent.student)
    page = client.get(f"/studies/{study.id}/transcripts").get_data(as_text=True)
    assert f'value="{waiting.id}"' not in page and "No respondent has a consent" in page
    assert upload(client, study, waiting, b"IP9: Hej.").status_code == 400
    written = client.post(
        f"/studies/{study.id}/transcripts/new",
        data={"respondent": str(waiting.id), "recording": "", "text": "IP9: Hej."},
    )
    assert written.status_code == 400
    assert session.exec(select(VaultObject)).all() == []
    assert session.exec(select(Transcript)).all() == []


def test_a_withdrawal_while_the_file_is_read_wins(app, session, recording_consent, monkeypatch):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    read = formats.read

    def withdraw_meanwhile(data):
        with app.test_request_context():
            with Session(app.extensions["db_engine"], expire_on_commit=False) as other:
                withdrawal.withdraw(other, other.get(Respondent, respondent.id))
                other.commit()
        return read(data)

    monkeypatch.setattr(formats, "read", withdraw_meanwhile)
    sent = upload(client, recording_consent.study, respondent, b"IP1: Hej.")
    assert sent.status_code == 303
    assert "withdrawn" in client.get(sent.headers["Location"]).get_data(as_text=True)
    assert session.exec(select(Transcript)).all() == []
    assert [o.kind for o in session.exec(select(VaultObject))] == []


def test_a_consent_that_ends_while_the_file_is_read_is_checked_again_under_the_lock(
    app, session, recording_consent, monkeypatch
):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    read = formats.read

    def supersede_meanwhile(data):
        with Session(app.extensions["db_engine"]) as other:
            record = other.exec(
                select(ConsentRecord).where(ConsentRecord.respondent_id == respondent.id)
            ).one()
            record.superseded_at = utcnow()
            other.add(record)
            other.commit()
        return read(data)

    monkeypatch.setattr(formats, "read", supersede_meanwhile)
    sent = upload(client, recording_consent.study, respondent, b"IP1: Hej.")
    assert sent.status_code == 400
    assert "has no consent in force" in sent.get_data(as_text=True)
    assert session.exec(select(Transcript)).all() == []
    assert session.exec(select(VaultObject)).all() == []
    vault = Path(app.config["VAULT_PATH"])
    assert not vault.exists() or not [p for p in vault.rglob("*") if p.is_file()]


def test_a_transcript_names_its_respondents_recording_only(app, session, recording_consent):
    first = consented(app, session, recording_consent, "IP1")
    second = consented(app, session, recording_consent, "IP2")
    with app.test_request_context():
        stored = get_vault(session).store(first, io.BytesIO(b"RIFF\0\0\0\0WAVE"), kind="recording")
        recording = Recording(
            study_id=recording_consent.study.id,
            respondent_id=first.id,
            vault_object_id=stored.id,
            format="wav",
        )
        session.add(recording)
        session.commit()
    client = staff(app, recording_consent.student)
    study = recording_consent.study
    wrong = upload(client, study, second, b"IP2: Hej.", recording=recording.id)
    assert wrong.status_code == 400 and "another respondent" in wrong.get_data(as_text=True)
    sent = upload(client, study, first, b"IP1: Hej.", recording=recording.id)
    assert sent.status_code == 303
    assert session.exec(select(Transcript)).one().recording_id == recording.id
    listing = client.get(f"/studies/{study.id}/transcripts").get_data(as_text=True)
    assert f"/recordings/{recording.id}" in listing


def test_files_that_are_no_transcript_or_too_large_are_refused(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    study = recording_consent.study
    pdf = upload(client, study, respondent, b"%PDF-1.7\n\x00\x01\x02" * 100, filename="a.txt")
    assert pdf.status_code == 400 and "not a transcript" in pdf.get_data(as_text=True)
    empty = upload(client, study, respondent, b"")
    assert empty.status_code == 400 and "Choose the transcript" in empty.get_data(as_text=True)
    big = upload(client, study, respondent, b"a" * (formats.MAX_BYTES + 1))
    assert big.status_code == 413
    assert session.exec(select(VaultObject)).all() == []


def test_a_withdrawal_takes_every_version_with_it(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    client = staff(app, recording_consent.student)
    url = upload(client, recording_consent.study, respondent, b"IP1: Ett.").headers["Location"]
    assert client.post(url, data={"text": "IP1: Två.", "base": "1"}).status_code == 303
    with app.test_request_context():
        done = withdrawal.withdraw(session, respondent)
        session.commit()
    assert done.destroyed["files_transcript"] == 2
    session.expire_all()
    assert session.exec(select(Transcript)).all() == []
    assert session.exec(select(TranscriptVersion)).all() == []
    assert session.exec(select(VaultObject)).all() == []
    assert client.get(url).status_code == 404
    assert client.post(url, data={"text": "IP1: Tre.", "base": "2"}).status_code == 404
    assert "No transcripts yet" in client.get(
        f"/studies/{recording_consent.study.id}/transcripts"
    ).get_data(as_text=True)


def test_the_supervisor_is_refused_every_transcript_page(app, session, recording_consent):
    respondent = consented(app, session, recording_consent)
    url = upload(
        staff(app, recording_consent.student), recording_consent.study, respondent, b"IP1: Hej."
    ).headers["Location"]
    supervisor = staff(app, recording_consent.supervisor)
    base = f"/studies/{recording_consent.study.id}/transcripts"
    viewed = len(actions(session, "transcript.viewed"))
    assert supervisor.get(base).status_code == 403
    assert supervisor.get(f"{base}/new").status_code == 403
    assert supervisor.get(url).status_code == 403
    assert supervisor.post(url, data={"text": "IP1: Nej.", "base": "1"}).status_code == 403
    assert upload(supervisor, recording_consent.study, respondent, b"IP1: X.").status_code == 403
    assert len(actions(session, "transcript.viewed")) == viewed
    assert len(session.exec(select(TranscriptVersion)).all()) == 1
