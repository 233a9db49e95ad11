"""Recordings and transcripts in a real browser.

The story: a study may recruit, and its consent form asks for audio recording. IP1 ticked
that item; IP2 consented to the interview but not to being recorded. The student opens the
study's recordings page: only IP1 can be chosen. She uploads a WAV file of a few MiB over a
network slower than loopback (Chromium's own network emulation), and the progress bar reports
how far the upload has come; the list shows the new recording. She
plays it and seeks into it: the player's requests are answered by Range (206). Then she
uploads a Word document (.docx) as the transcript of that recording, edits the text in the
browser and saves it: the page lists two versions, the newest with her edit, and the first
one still reads as it was uploaded.

The student's interface is Swedish (the browser's locale is sv-SE). Words the app translates
are looked up through its own catalogue (`said`), so the checks hold with or without a
Swedish translation of a new message.
"""

from __future__ import annotations

import io
import math
import re
import struct
import uuid
import wave

import pytest
from docx import Document
from flask_babel import force_locale, gettext
from playwright.sync_api import expect

from study.accounts.models import Role
from study.consent import services as consent
from study.respondents import services as recruitment

from ..conftest import PASSWORD, Recruiting, answer_self_review, open_recruitment

#: The recording's length in seconds, and the point the test seeks to.
SECONDS = 20
SEEK_TO = 15.0
#: CD quality (44.1 kHz, 16 bits, stereo): 20 seconds are about 3.4 MiB.
RATE = 44_100
#: The transcript as uploaded, and the words the student changes in the browser.
UPLOADED = [
    "Intervjuare: Hur hittade du stödet?",
    "IP1: Genom en vän i skolan.",
]
EDITED = [
    "Intervjuare: Hur hittade du stödet?",
    "IP1: Genom en lärare i skolan.",
    "Intervjuare: Tack för att du berättade.",
]
#: How fast the student's network takes the upload, in bytes a second: slow enough that the
#: browser reports the upload's progress while it goes on (over loopback it is over at once).
UPLOAD = 4 * 1024 * 1024
#: Chromium's network emulation switched off.
UNTHROTTLED = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
#: Report every change of the upload form's progress box through `reportProgress`.
WATCH_PROGRESS = """() => {
  const box = document.querySelector(".upload-progress");
  const bar = box.querySelector("progress");
  const text = box.querySelector("[data-progress-text]");
  new MutationObserver(() =>
    reportProgress({hidden: box.hidden, value: bar.value, text: text.textContent})
  ).observe(box, {attributes: true, subtree: true, childList: true, characterData: true});
}"""
#: Stands for a date in a message, which `on_a_date` then matches to any date.
DATE = "\0date\0"
#: Seek the player to a point; the `seeked` event records where it got, and any error.
SEEK = """(audio, target) => {
  audio.addEventListener("seeked", () => {
    window.seekedAt = {
      time: audio.currentTime,
      error: audio.error && audio.error.code,
      seeking: audio.seeking,
    };
  }, {once: true});
  audio.currentTime = target;
}"""


def said(app, lang: str, message: str, **values) -> str:
    """Return a message as the app words it in `lang` (its msgid where no translation exists)."""
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **values)


def on_a_date(text: str) -> re.Pattern:
    """Return a regex of a text in which DATE stands for any date."""
    return re.compile("^" + re.escape(text).replace(re.escape(DATE), r"\d{4}-\d{2}-\d{2}") + "$")


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Mina studier")).to_be_visible()


def tone(seconds: int) -> bytes:
    """Return a stereo 16-bit WAV of a 440 Hz tone: a recording any browser can play."""
    # A tenth of a second holds 44 whole periods: it repeats without a click.
    tenth = [int(8000 * math.sin(2 * math.pi * 440 * i / RATE)) for i in range(RATE // 10)]
    frames = b"".join(struct.pack("<hh", s, s) for s in tenth) * (10 * seconds)
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(2)
        writer.setsampwidth(2)
        writer.setframerate(RATE)
        writer.writeframes(frames)
    return out.getvalue()


def word_document(paragraphs: list[str]) -> bytes:
    """Return a .docx with one paragraph per turn, as Word writes it."""
    document = Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def consented(app, session, study: Recruiting, code: str, *, recording: bool):
    """Add a respondent who consented to every item, recording only if `recording`."""
    with app.test_request_context():
        respondent = recruitment.add_respondent(session, study.study, study.student, code=code)
        documents = consent.approved_documents(session, study.study)
        answers = {item["key"]: True for item in documents.items}
        assert "audio_recording" in answers, "the consent form does not ask for recording"
        answers["audio_recording"] = recording
        consent.give_consent(
            session,
            respondent,
            documents,
            language="sv",
            answers=answers,
            names={"respondent": f"Person {code}"},
            submission=uuid.uuid4().hex,
        )
        session.commit()
    return respondent


@pytest.fixture
def recording_study(app, session, make_user, make_study) -> Recruiting:
    """A study that may recruit and whose consent form asks for audio recording."""
    student = make_user(Role.STUDENT, email="sara@example.org", name="Sara Student")
    supervisor = make_user(Role.SUPERVISOR, email="hanna@example.org", name="Hanna Handledare")
    study = make_study(student, supervisor, title="Unga vuxnas vägar till stöd")
    study.controller, study.data_protection_officer = "Universitetet", "dso@example.org"
    session.add(study)
    session.commit()
    answer_self_review(app, session, study, student, recording="audio")
    open_recruitment(app, session, study, student, supervisor)
    return Recruiting(study, student, supervisor)


def test_a_recording_is_uploaded_played_and_transcribed_and_the_transcript_edited(
    app, session, recording_study, page_factory, tmp_path
):
    """Upload with progress, playback with seeking by Range, a .docx transcript edited once."""
    study = recording_study.study
    covered = consented(app, session, recording_study, "IP1", recording=True)
    declined = consented(app, session, recording_study, "IP2", recording=False)
    recordings = f"/studies/{study.id}/recordings"

    sara = page_factory()
    log_in(sara, recording_study.student.email)
    sara.goto(recordings)
    expect(sara.get_by_role("heading", level=1)).to_have_text(said(app, "sv", "Recordings"))

    # Only IP1, whose consent covers recording, can be chosen; IP2 is not offered.
    respondent = sara.get_by_label(said(app, "sv", "Respondent"), exact=True)
    expect(respondent.locator("option")).to_have_text(["IP1"])
    expect(respondent.locator(f'option[value="{covered.id}"]')).to_have_count(1)
    expect(respondent.locator(f'option[value="{declined.id}"]')).to_have_count(0)

    # She chooses a recording of a few MiB and uploads it over a network slower than this
    # machine's loopback, as hers is: the progress bar shows how far the upload has come.
    # Every change of the bar is reported from the page as it happens.
    audio = tone(SECONDS)
    assert len(audio) > 3 * 1024 * 1024
    path = tmp_path / "intervju-ip1.wav"
    path.write_bytes(audio)
    progress: list[dict] = []
    sara.expose_function("reportProgress", lambda state: progress.append(state))
    sara.evaluate(WATCH_PROGRESS)
    expect(sara.locator(".upload-progress")).to_be_hidden()
    row = sara.locator("table tbody tr").filter(
        has=sara.get_by_role("rowheader", name="IP1", exact=True)
    )
    expect(row).to_have_count(0)
    respondent.select_option(label="IP1")
    sara.get_by_label(
        said(app, "sv", "Recording (wav, mp3, m4a, ogg, opus, flac or webm)"), exact=True
    ).set_input_files(str(path))
    network = sara.context.new_cdp_session(sara)
    network.send("Network.enable")
    network.send("Network.emulateNetworkConditions", {**UNTHROTTLED, "uploadThroughput": UPLOAD})
    sara.get_by_role("button", name=said(app, "sv", "Upload and encrypt")).click()

    # Back on the list, with the new recording and the message that it is stored (the
    # upload takes a moment over the slow network); on the way, the bar was shown and moved.
    expect(row).to_have_count(1, timeout=30_000)
    expect(sara.locator(".flash.success")).to_have_text(
        said(app, "sv", "The recording is stored, encrypted.")
    )
    expect(sara).to_have_url(re.compile(rf"{re.escape(recordings)}$"))
    network.send("Network.emulateNetworkConditions", UNTHROTTLED)
    network.detach()
    expect(row.locator("td").nth(1)).to_have_text(f"0:{SECONDS}")
    expect(row.locator("td").nth(2)).to_have_text(f"wav ({round(len(audio) / 1048576, 1)} MB)")
    assert progress and not progress[0]["hidden"], f"the progress bar was not shown: {progress}"
    moving = [p for p in progress if 0 < p["value"] < 100]
    assert moving, f"the progress bar never showed a part of the upload: {progress}"
    left = said(app, "sv", "left")
    for state in moving:
        assert re.fullmatch(rf"{state['value']} % \(\d+ s {left}\)", state["text"]), state
    values = [p["value"] for p in progress]
    assert values == sorted(values), f"the progress bar went backwards: {values}"

    # She plays it and seeks to a later point: the player asks for the bytes from there by
    # Range, the server answers 206 with just those bytes, and the player gets there.
    play = row.get_by_role("link", name=f"{said(app, 'sv', 'Play')} IP1", exact=True)
    recording_id = int(play.get_attribute("href").rsplit("/", 1)[1])
    ranges = []
    sara.on(
        "response",
        lambda response: (
            response.url.endswith(f"/recordings/{recording_id}/audio") and ranges.append(response)
        ),
    )
    play.click()
    expect(sara.get_by_role("heading", level=1)).to_have_text(
        said(app, "sv", "Recording %(n)d", n=recording_id)
    )
    player = sara.locator("audio")
    sara.wait_for_function("() => document.querySelector('audio').readyState >= 1")
    assert abs(player.evaluate("(audio) => audio.duration") - SECONDS) < 0.01
    assert player.evaluate("(audio) => audio.seekable.end(0)") >= SEEK_TO
    # Only the start is loaded (preload="metadata"), so the seek has to ask for more.
    first = player.evaluate("(audio) => audio.buffered.length && audio.buffered.end(0)")
    assert first < SEEK_TO, f"the whole recording was loaded up to {first} s before the seek"
    with sara.expect_response(
        lambda response: (
            "/audio" in response.url
            and response.request.headers.get("range", "bytes=0-") != "bytes=0-"
        )
    ) as sought:
        player.evaluate(SEEK, SEEK_TO)
        sara.wait_for_function("() => window.seekedAt !== undefined")
    seek = sara.evaluate("() => window.seekedAt")
    assert seek["error"] is None and not seek["seeking"], seek
    assert abs(seek["time"] - SEEK_TO) < 0.1, seek
    start = int(re.fullmatch(r"bytes=(\d+)-", sought.value.request.headers["range"])[1])
    assert 0 < start <= 44 + int(SEEK_TO * RATE * 4), start
    assert sought.value.status == 206
    assert sought.value.headers["content-range"] == f"bytes {start}-{len(audio) - 1}/{len(audio)}"
    assert int(sought.value.headers["content-length"]) == len(audio) - start
    # The same bytes, asked for in the player's session, are the recording's own.
    again = sara.request.get(sought.value.url, headers={"Range": f"bytes={start}-{start + 9999}"})
    assert again.status == 206 and again.body() == audio[start : start + 10_000]
    assert ranges and all(response.status == 206 for response in ranges), [
        (response.status, response.request.headers.get("range")) for response in ranges
    ]
    assert all(response.headers["content-range"].endswith(f"/{len(audio)}") for response in ranges)

    # She uploads the transcript as a Word document, for IP1 and this recording. Both
    # respondents can have a transcript (both consented), but only IP1 has a recording.
    sara.get_by_role("link", name=said(app, "sv", "Recordings"), exact=True).click()
    sara.get_by_role("main").get_by_role(
        "link", name=said(app, "sv", "Transcripts"), exact=True
    ).click()
    whose = sara.get_by_label(said(app, "sv", "Respondent"), exact=True)
    expect(whose.locator("option")).to_have_text(["IP1", "IP2"])
    whose.select_option(label="IP1")
    which = sara.get_by_label(said(app, "sv", "Recording (optional)"), exact=True)
    offered = which.locator("option")
    expect(offered).to_have_text(
        [
            said(app, "sv", "None"),
            on_a_date(
                said(
                    app,
                    "sv",
                    "%(code)s: recording %(n)d of %(date)s",
                    code="IP1",
                    n=recording_id,
                    date=DATE,
                )
            ),
        ]
    )
    which.select_option(value=str(recording_id))
    document = tmp_path / "intervju-ip1.docx"
    document.write_bytes(word_document(UPLOADED))
    sara.get_by_label(
        said(app, "sv", "Transcript (txt, docx, vtt, srt or otr)"), exact=True
    ).set_input_files(str(document))
    sara.get_by_role("button", name=said(app, "sv", "Upload and encrypt")).click()

    # The transcript's page shows the text read from the document, one turn a paragraph.
    expect(sara.locator(".flash.success")).to_have_text(
        said(app, "sv", "The transcript is stored, encrypted.")
    )
    expect(sara.get_by_role("heading", level=1)).to_have_text(
        said(app, "sv", "Transcript of %(code)s", code="IP1")
    )
    expect(sara.locator("p.meta").get_by_role("link")).to_have_text(
        said(app, "sv", "Recording %(n)d", n=recording_id)
    )
    text = sara.get_by_role("region", name=said(app, "sv", "Text"), exact=True)
    expect(text.locator("p")).to_have_text(UPLOADED)

    # She edits it in the browser and saves: a second version, with her words.
    editor = sara.get_by_label(said(app, "sv", "Transcript"), exact=True)
    expect(editor).to_have_value("\n\n".join(UPLOADED))
    editor.fill("\n\n".join(EDITED))
    sara.get_by_role("button", name=said(app, "sv", "Save as a new version")).click()
    expect(sara.locator(".flash.success")).to_have_text(
        said(app, "sv", "Saved as a new version, encrypted.")
    )
    expect(text.locator("p")).to_have_text(EDITED)
    expect(editor).to_have_value("\n\n".join(EDITED))
    versions = sara.get_by_role("region", name=said(app, "sv", "Versions"), exact=True)
    rows = versions.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_role("rowheader").locator("[aria-current=page]")).to_have_text("2")
    expect(rows.nth(0).locator("td").nth(2)).to_have_text(said(app, "sv", "Edited here"))
    expect(rows.nth(1).get_by_role("rowheader")).to_have_text(said(app, "sv", "Version %(n)d", n=1))
    expect(rows.nth(1).locator("td").nth(2)).to_have_text(said(app, "sv", "Word document"))
    expect(rows.locator("td:nth-child(3)")).to_have_text(["Sara Student", "Sara Student"])

    # The first version still reads as it was uploaded, and is not edited in place.
    rows.nth(1).get_by_role("link").click()
    expect(sara.locator(".notice")).to_contain_text(said(app, "sv", "This is an earlier version."))
    expect(text.locator("p")).to_have_text(UPLOADED)
    expect(editor).to_have_count(0)

    # The study's list of transcripts counts the two versions.
    sara.get_by_role("link", name=said(app, "sv", "Transcripts"), exact=True).click()
    listed = sara.locator("table tbody tr").filter(
        has=sara.get_by_role("rowheader", name="IP1", exact=True)
    )
    expect(listed.locator("td").nth(1)).to_have_text("2")
