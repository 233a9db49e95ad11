"""Uploads read as they stream in: no plaintext byte of a scan ever reaches a temporary file.

A large paper-consent scan goes through the real route while every way Python and Werkzeug
make temporary files is closed off; the reader itself is also taken through its cases.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
import werkzeug.formparser
import werkzeug.wrappers.request
from flask import request
from sqlmodel import select
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge

from study.consent import services as consent
from study.consent.models import ConsentRecord
from study.models import utcnow
from study.respondents import services as recruitment
from study.uploads import FIELDS_SIZE, UploadRefusedError, read_upload
from study.vault.models import VaultObject
from study.vault.service import Vault, get_vault
from tests.conftest import PASSWORD

BOUNDARY = "----intervjustudie-upload-test"
#: What a scan is made of: recognisable, so that it can be looked for in files.
MARK = b"PLAINTEXT-SCAN-BYTES:"


def multipart(*parts, end: bool = True) -> bytes:
    """Return a multipart body of the parts, in order: (name, value) or (name, file, type, bytes)."""
    body = bytearray()
    for part in parts:
        if len(part) == 2:
            name, value = part
            body += (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            ).encode()
        else:
            name, filename, media_type, data = part
            body += (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: {media_type}\r\n\r\n'
            ).encode()
            body += data + b"\r\n"
    if end:
        body += f"--{BOUNDARY}--\r\n".encode()
    return bytes(body)


CONTENT_TYPE = f"multipart/form-data; boundary={BOUNDARY}"


class CountingStream(io.BytesIO):
    """A request body that remembers how far into it the app has read."""

    taken = 0

    def _seen(self, result):
        self.taken = max(self.taken, self.tell())
        return result

    def read(self, size=-1):
        return self._seen(super().read(size))

    def read1(self, size=-1):
        return self._seen(super().read1(size))

    def readinto(self, buffer):
        return self._seen(super().readinto(buffer))

    def readline(self, size=-1):
        return self._seen(super().readline(size))


class TemporaryFileMadeError(Exception):
    """Raised by every trapped way of making a temporary file."""


@pytest.fixture
def no_temporary_files(monkeypatch, app):
    """Close off temporary files; mkstemp only in the instance folder (the vault's ciphertext and
    key files, each renamed into place).

    Returns the list of attempts, which must stay empty.
    """
    attempts: list[str] = []

    def trap(name):
        def refuse(*args, **kwargs):
            attempts.append(name)
            raise TemporaryFileMadeError(name)

        return refuse

    for name in ("SpooledTemporaryFile", "TemporaryFile", "NamedTemporaryFile"):
        monkeypatch.setattr(tempfile, name, trap(f"tempfile.{name}"))
    monkeypatch.setattr(werkzeug.formparser, "SpooledTemporaryFile", trap("werkzeug Spooled"))
    monkeypatch.setattr(werkzeug.formparser, "default_stream_factory", trap("werkzeug factory"))
    monkeypatch.setattr(
        werkzeug.wrappers.request, "default_stream_factory", trap("werkzeug request factory")
    )
    own = [Path(app.config["VAULT_PATH"]).resolve(), Path(app.instance_path).resolve()]
    real_mkstemp = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):  # noqa: A002 (tempfile's own name)
        if dir is None or not any(Path(dir).resolve().is_relative_to(o) for o in own):
            attempts.append(f"mkstemp in {dir}")
            raise TemporaryFileMadeError("mkstemp")
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    return attempts


def test_the_trap_catches_werkzeugs_own_parsing_of_a_large_file(app, no_temporary_files):
    body = multipart(("name", "x"), ("scan", "scan.pdf", "application/pdf", MARK * 40_000))
    assert 500 * 1024 < len(body) < app.config["MAX_CONTENT_LENGTH"]
    with app.test_request_context(method="POST", data=body, content_type=CONTENT_TYPE):
        with pytest.raises(TemporaryFileMadeError):
            request.files  # noqa: B018 (parsing is what is tested)
    assert no_temporary_files


def test_a_large_scan_streams_into_the_vault_without_a_temporary_file(
    app, session, recruiting, monkeypatch, no_temporary_files
):
    with app.test_request_context():
        respondent = recruitment.add_respondent(
            session, recruiting.study, recruiting.student, code="IP1"
        )
        session.commit()
        documents = consent.approved_documents(session, recruiting.study)
    client = app.test_client()
    client.post("/login", data={"email": recruiting.student.email, "password": PASSWORD})

    scan = MARK * 150_000  # 3.15 MB
    assert len(scan) > 3 * 1024 * 1024
    items = [(f"item_{n}", "y") for n in range(1, len(documents.items) + 1)]
    body = multipart(
        ("language", "sv"),
        *items,
        ("signed_on", utcnow().date().isoformat()),
        ("scan", "scan.pdf", "application/pdf", scan),
    )
    stream = CountingStream(body)
    read_when_the_vault_began: list[int] = []
    original = Vault.upload

    def upload(self, *args, **kwargs):
        read_when_the_vault_began.append(stream.taken)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Vault, "upload", upload)
    sent = client.post(
        f"/studies/{recruiting.study.id}/respondents/{respondent.id}/paper",
        input_stream=stream,
        content_type=CONTENT_TYPE,
        content_length=len(body),
    )

    assert sent.status_code in (302, 303), sent.get_data(as_text=True)
    assert no_temporary_files == []
    # The fields were checked and the vault opened before most of the scan had arrived.
    assert read_when_the_vault_began and read_when_the_vault_began[0] < 256 * 1024
    assert stream.taken == len(body)
    stored = session.exec(select(VaultObject)).one()
    assert session.exec(select(ConsentRecord)).one().scan_id == stored.id
    for path in Path(app.config["VAULT_PATH"]).rglob("*"):
        if path.is_file():
            assert MARK not in path.read_bytes()
    monkeypatch.undo()
    with app.test_request_context():
        with get_vault(session).open(stored, actor_id=None, purpose="test") as reader:
            assert reader.read() == scan


# The reader ---------------------------------------------------------------------------------


class Sink(io.BytesIO):
    """Where a file part's bytes go, with the fields begin_file was given."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: MultiDict | None = None


def read(
    app, body: bytes, *, max_size: int = 1 << 20, content_type: str = CONTENT_TYPE, refuse=False
):
    """Read body as the streaming views do; return the upload, the sinks and begin_file's calls."""
    sinks: list[Sink] = []

    def begin_file(fields, part):
        if refuse:
            raise UploadRefusedError
        sink = Sink()
        sink.fields = MultiDict(fields)
        sink.part = part
        sinks.append(sink)
        return sink

    with app.test_request_context(method="POST", data=body, content_type=content_type):
        request.max_content_length = max_size + FIELDS_SIZE + 1024  # as the views set it
        upload = read_upload(request, max_size=max_size, begin_file=begin_file, file_field="scan")
    return upload, sinks


def test_the_fields_before_the_file_are_given_before_its_first_byte(app):
    data = MARK * 100_000
    upload, [sink] = read(
        app,
        multipart(
            ("language", "sv"),
            ("item_1", "y"),
            ("note", "åäö"),
            ("scan", "scan.png", "image/png", data),
            ("after", "the file"),
        ),
        max_size=len(data),
    )
    assert sink.fields.to_dict(flat=False) == {
        "language": ["sv"],
        "item_1": ["y"],
        "note": ["åäö"],
    }
    assert (sink.part.name, sink.part.filename, sink.part.media_type) == (
        "scan",
        "scan.png",
        "image/png",
    )
    assert sink.getvalue() == data and upload.size == len(data)
    assert upload.file == sink.part


def test_a_file_part_without_a_type_is_taken_as_octet_stream(app):
    body = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="scan"; filename="a"\r\n\r\n'
        f"abc\r\n--{BOUNDARY}--\r\n"
    ).encode()
    upload, [sink] = read(app, body)
    assert sink.part.media_type == "application/octet-stream" and sink.getvalue() == b"abc"


def test_only_the_first_file_part_is_taken(app):
    upload, sinks = read(
        app,
        multipart(
            ("language", "sv"),
            ("scan", "scan.pdf", "application/pdf", b"the scan"),
            ("other", "evil.exe", "application/octet-stream", b"something else"),
            ("scan", "second.pdf", "application/pdf", b"a second scan"),
        ),
    )
    assert len(sinks) == 1 and sinks[0].getvalue() == b"the scan"
    assert upload.size == len(b"the scan") and upload.file.name == "scan"


def test_a_body_without_a_file_has_only_fields(app):
    upload, sinks = read(app, multipart(("language", "sv"), ("item_1", "y")))
    assert sinks == [] and upload.file is None and upload.size == 0
    assert upload.fields.to_dict() == {"language": "sv", "item_1": "y"}


def test_an_empty_file_part_has_size_zero(app):
    upload, [sink] = read(app, multipart(("scan", "", "application/octet-stream", b"")))
    assert upload.size == 0 and sink.getvalue() == b"" and sink.part.filename == ""


def test_a_body_that_breaks_off_is_a_bad_request(app):
    whole = multipart(("language", "sv"), ("scan", "scan.pdf", "application/pdf", MARK * 1000))
    for cut in (len(whole) // 3, len(whole) - 10):
        with pytest.raises(BadRequest):
            read(app, whole[:cut])
    with pytest.raises(BadRequest):
        read(app, multipart(("language", "sv"), end=False))


@pytest.mark.parametrize(
    "content_type",
    ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain", ""],
)
def test_a_body_that_is_not_multipart_with_a_boundary_is_a_bad_request(app, content_type):
    with pytest.raises(BadRequest):
        read(app, b"language=sv", content_type=content_type)


def test_a_file_larger_than_allowed_is_refused_as_it_arrives(app):
    with pytest.raises(RequestEntityTooLarge):
        read(app, multipart(("scan", "s.pdf", "application/pdf", b"x" * 1001)), max_size=1000)
    upload, [sink] = read(
        app, multipart(("scan", "s.pdf", "application/pdf", b"x" * 1000)), max_size=1000
    )
    assert upload.size == 1000


def test_fields_larger_than_allowed_are_refused(app):
    with pytest.raises(RequestEntityTooLarge):
        read(app, multipart(("note", "x" * (FIELDS_SIZE + 1))))
    with pytest.raises(RequestEntityTooLarge):
        read(app, multipart(*[(f"f{n}", "x" * 1000) for n in range(FIELDS_SIZE // 1000 + 1)]))


def test_a_refusal_before_the_file_is_passed_on(app):
    with pytest.raises(UploadRefusedError):
        read(app, multipart(("scan", "s.pdf", "application/pdf", b"x")), refuse=True)


def test_a_file_part_of_another_name_is_read_past(app):
    upload, [sink] = read(
        app,
        multipart(
            ("language", "sv"),
            ("other", "evil.exe", "application/octet-stream", b"something else"),
            ("scan", "scan.pdf", "application/pdf", b"the scan"),
        ),
    )
    assert sink.getvalue() == b"the scan" and sink.part.name == "scan"


@pytest.mark.parametrize("seed", range(5))
def test_scans_of_any_bytes_pass_whole_whatever_line_breaks_they_hold(app, seed):
    # Random bytes hold CR and LF anywhere, also near the end of a read, where the decoder
    # keeps bytes back in case a boundary begins there.
    import random

    data = random.Random(seed).randbytes(2 * 1024 * 1024)
    upload, [sink] = read(
        app,
        multipart(("language", "sv"), ("scan", "scan.pdf", "application/pdf", data)),
        max_size=len(data),
    )
    assert sink.getvalue() == data and upload.size == len(data)
