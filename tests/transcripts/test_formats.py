"""Transcript files read into the transcript form: one turn per paragraph, speakers kept."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from docx import Document

from study.transcripts import formats, markup
from study.transcripts.text import MAX_CHARS, normalise, paragraphs, split_turn

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def read(data: bytes) -> formats.Parsed:
    return formats.read(data)


def docx_of(body: str, *, prolog: str = "") -> bytes:
    """Return a minimal .docx whose body is this WordprocessingML."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "word/document.xml",
            f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document {W}><w:body>{body}'
            "</w:body></w:document>",
        )
    return out.getvalue()


def refused(data: bytes) -> str:
    with pytest.raises(formats.UnreadableError) as caught:
        formats.read(data)
    return str(caught.value.message)


# Plain text -------------------------------------------------------------------------------


def test_a_text_file_keeps_one_turn_per_paragraph_and_its_speakers():
    sent = (
        "Intervjuare: Hur började det?\r\n"
        "IP1:   Det var\tlänge sedan.\r\n"
        "\r\n\r\n"
        "Intervjuare:\r\n"
        "Berätta mer.\r\n"
        "En rad utan talare.\r\n"
    )
    parsed = read(sent.encode("utf-8"))
    assert parsed.format == "txt"
    assert parsed.text == (
        "Intervjuare: Hur började det?\n\n"
        "IP1: Det var länge sedan.\n\n"
        "Intervjuare: Berätta mer.\n\n"
        "En rad utan talare."
    )
    assert normalise(parsed.text) == parsed.text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_a_text_file_is_read_in_the_encodings_word_processors_write(encoding):
    parsed = read("Intervjuare: Vad gör du på fritiden?\nIP2: Åker skidor.".encode(encoding))
    assert parsed.text == "Intervjuare: Vad gör du på fritiden?\n\nIP2: Åker skidor."


def test_turns_are_read_with_their_speaker_and_time():
    assert split_turn("[01:02] Anna Berg: Hej där") == ("[01:02]", "Anna Berg", "Hej där")
    assert split_turn("Klockan var 12:30 då.") == ("", "", "Klockan var 12:30 då.")
    assert split_turn("Se http://example.org: där") == ("", "", "Se http://example.org: där")
    assert split_turn("[00:05] Tyst en stund.") == ("[00:05]", "", "Tyst en stund.")


def test_bytes_that_are_no_text_are_refused():
    assert "not a transcript" in refused(b"%PDF-1.7\n\x00\x01\x02\x03 binary")
    assert "not a transcript" in refused(bytes(range(256)) * 40)
    assert "no text" in refused(b"  \r\n\t\n")
    assert "at most" in refused(b"a" * (MAX_CHARS + 1))


def test_the_form_holds_nothing_an_edit_would_refuse():
    parsed = read("Anna:\u200b Hej\ufeff\x0b och\u2028hej\x07 då".encode())
    assert parsed.text == "Anna: Hej\n\noch\n\nhej då"
    assert all(ord(c) >= 32 or c == "\n" for c in parsed.text)


# Word -------------------------------------------------------------------------------------


def test_a_word_document_keeps_paragraphs_speakers_and_table_turns():
    document = Document()
    document.add_heading("Intervju 3", level=1)
    document.add_paragraph("Intervjuare: Hur började det?")
    paragraph = document.add_paragraph()
    paragraph.add_run("IP3:").bold = True
    paragraph.add_run(" Det var ")
    paragraph.add_run("länge sedan.").italic = True
    soft = document.add_paragraph()
    soft.add_run("Intervjuare:").add_break()
    soft.add_run("Och sedan?")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "IP3", "Sedan flyttade vi."
    table.cell(1, 0).text, table.cell(1, 1).text = "Intervjuare:", "Vart?"
    timed = document.add_table(rows=1, cols=3)
    for i, value in enumerate(("00:12:05", "IP3", "Till Umeå.")):
        timed.cell(0, i).text = value
    out = io.BytesIO()
    document.save(out)
    parsed = read(out.getvalue())
    assert parsed.format == "docx"
    assert paragraphs(parsed.text) == [
        "Intervju 3",
        "Intervjuare: Hur började det?",
        "IP3: Det var länge sedan.",
        "Intervjuare: Och sedan?",
        "IP3: Sedan flyttade vi.",
        "Intervjuare: Vart?",
        "[00:12:05] IP3: Till Umeå.",
    ]


def test_a_word_document_leaves_out_deleted_text_and_field_codes():
    body = (
        "<w:p><w:r><w:t>IP1: Jag bodde i </w:t></w:r>"
        "<w:del><w:r><w:delText>Kiruna</w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>norr</w:t></w:r></w:ins>"
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        "<w:r><w:t>.</w:t></w:r></w:p>"
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>Slut.</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    assert read(docx_of(body)).text == "IP1: Jag bodde i norr.\n\nSlut."


def test_word_documents_that_declare_entities_or_unpack_too_far_are_refused(monkeypatch):
    laughs = '<!DOCTYPE w:document [<!ENTITY a "ha">]>'
    assert "Word document" in refused(
        docx_of("<w:p><w:r><w:t>&a;</w:t></w:r></w:p>", prolog=laughs)
    )
    assert "Word document" in refused(b"PK\x03\x04 not really a zip")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/other.xml", "<x/>")
    assert "Word document" in refused(out.getvalue())
    monkeypatch.setattr(markup, "MAX_DOCX_XML", 1000)
    big = "<w:p><w:r><w:t>" + "ord " * 1000 + "</w:t></w:r></w:p>"
    assert "too large" in refused(docx_of(big))


# Captions ---------------------------------------------------------------------------------

VTT = """WEBVTT - intervju 2

NOTE the interviewer's notes are not text
of the transcript

STYLE
::cue { color: yellow }

intro
00:00:01.000 --> 00:00:04.000 align:start
<v Intervjuare>Välkommen, och tack för att du ställer upp.

00:00:04.000 --> 00:00:06.500
<v Intervjuare>Vi börjar med <i>din</i> bakgrund.</v>

00:00:06.500 --> 00:00:09.000
<v.loud IP2>Gärna &amp; tack!
<00:00:07.500>Jag växte upp i Luleå.

00:00:09.000 --> 00:00:11.000
<v Intervjuare>Och sedan?
"""


def test_webvtt_keeps_the_voices_and_drops_the_times():
    parsed = read(VTT.encode())
    assert parsed.format == "vtt"
    assert paragraphs(parsed.text) == [
        "Intervjuare: Välkommen, och tack för att du ställer upp. Vi börjar med din bakgrund.",
        "IP2: Gärna & tack! Jag växte upp i Luleå.",
        "Intervjuare: Och sedan?",
    ]
    assert "-->" not in parsed.text and "00:0" not in parsed.text


def test_captions_that_name_no_one_keep_a_paragraph_per_cue():
    sent = "WEBVTT\n\n00:01.000 --> 00:02.000\nFörsta meningen\npå två rader.\n\n00:02.000 --> 00:03.000\nAndra.\n"
    assert paragraphs(read(sent.encode()).text) == ["Första meningen på två rader.", "Andra."]


SRT = """1
00:00:01,000 --> 00:00:04,000
Intervjuare: Hur började det?

2
00:00:04,000 --> 00:00:08,000
<i>Du minns säkert.</i>

3
00:00:08,500 --> 00:00:10,000
{\\an8}IP1: Jag minns
det mesta.

4
00:00:10,000 --> 00:00:12,000
- Verkligen?
- Ja.
"""


def test_subrip_keeps_the_named_speakers_and_drops_numbers_and_times():
    parsed = read(SRT.encode("cp1252"))
    assert parsed.format == "srt"
    assert paragraphs(parsed.text) == [
        "Intervjuare: Hur började det? Du minns säkert.",
        "IP1: Jag minns det mesta.",
        "Verkligen?",
        "Ja.",
    ]


# oTranscribe ------------------------------------------------------------------------------


def otr(html: str, **more) -> bytes:
    return json.dumps({"text": html, "media": "intervju-sara-ek.mp3", **more}).encode()


def test_an_otranscribe_file_keeps_paragraphs_speakers_and_time_marks():
    html = (
        '<p><span class="timestamp" contenteditable="false" data-timestamp="38.28">00:38</span>'
        " <b>Intervjuare:</b> Hur länge har du bott här?</p>"
        "<p>IP4: Sedan 1998.<br>Nästan hela livet.</p>"
        '<div><span class="timestamp" data-timestamp="3725.9">1:02:05</span>Slut på&nbsp;bandet.</div>'
        '<p><span class="timestamp">04:10</span> IP4: Utan sekunder.</p>'
        "<script>alert(1)</script>"
    )
    parsed = read(otr(html, **{"media-time": 3725.9}))
    assert parsed.format == "otr"
    assert paragraphs(parsed.text) == [
        "[00:38] Intervjuare: Hur länge har du bott här?",
        "IP4: Sedan 1998.",
        "Nästan hela livet.",
        "[1:02:05] Slut på bandet.",
        "[04:10] IP4: Utan sekunder.",
    ]
    assert "sara" not in parsed.text and "alert" not in parsed.text
    assert split_turn(paragraphs(parsed.text)[0]).speaker == "Intervjuare"


def test_json_that_is_no_otranscribe_file_is_refused():
    assert "oTranscribe" in refused(json.dumps({"media": "a.mp3"}).encode())
    assert "oTranscribe" in refused(b"[1, 2, 3]"[0:0] + b'{"text": 3}')
    # Text that only starts with a brace is plain text.
    assert read(b"{paus} IP1: Ja.").text == "{paus} IP1: Ja."


@pytest.mark.parametrize(
    "data",
    [
        # HTMLParser quotes the file in its own error: it must never reach a log.
        json.dumps({"text": "<![ Anna Svensson St"}).encode(),
        # Unclosed tags by the thousand, which HTMLParser takes quadratic time over.
        json.dumps({"text": "<a" * 200_000}).encode(),
    ],
    ids=["a parser error that quotes the file", "unclosed tags"],
)
def test_broken_otranscribe_files_are_refused_cleanly(data):
    with pytest.raises(formats.UnreadableError):
        formats.read(data)


def test_a_time_mark_beyond_any_clock_is_left_out():
    otr = {"text": '<p><span class="timestamp" data-timestamp="1e400">?</span>Anna: Hej</p>'}
    assert "Anna: Hej" in formats.read(json.dumps(otr).encode()).text


def test_captions_full_of_half_tags_are_read_in_one_pass():
    text = "WEBVTT\n\n00:00.000 --> 00:01.000\nAnna: " + "<v " * 40_000
    assert formats.read(text.encode()).format == "vtt"


def test_a_word_document_nested_beyond_reason_is_refused():
    body = "<w:r>" * 3000 + "<w:t>x</w:t>" + "</w:r>" * 3000
    document = (
        '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body><w:p>{body}</w:p></w:body></w:document>'
    )
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("word/document.xml", document)
    with pytest.raises(formats.UnreadableError):
        formats.read(packed.getvalue())
