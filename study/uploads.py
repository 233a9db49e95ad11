"""Uploads read as they stream in, so that no plaintext byte of a file reaches a temporary file.

Werkzeug's form parser spools a file part larger than 500 KB to a temporary file on disk;
a consent scan or a recording must never be there. A view marked `streams_upload` reads its
multipart body here instead: the small fields first (the form puts its file input last), then
the one file part, handed to a sink (a vault upload) chunk by chunk. The fields can be checked,
CSRF token included, before the first byte of the file is taken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, BinaryIO

from flask import Request, current_app, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder, NeedData

READ_SIZE = 64 * 1024
#: The most the small fields of an upload form may hold together.
FIELDS_SIZE = 64 * 1024


def streams_upload(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view as one that reads its own multipart body (study.security leaves it alone).

    Such a view is exempt from the global CSRF check (which would parse the body) and
    checks the token among the fields itself. A POST that is not multipart cannot carry a
    token the view reads, so where CSRF is checked it is refused with 400 before anything
    else, as the global check refuses a missing token.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        checked = current_app.config.get("WTF_CSRF_ENABLED", True)
        if checked and request.method == "POST" and request.mimetype != "multipart/form-data":
            raise BadRequest()
        return view(*args, **kwargs)

    wrapped.accepts_files = True  # type: ignore[attr-defined]
    wrapped.streams_upload = True  # type: ignore[attr-defined]
    return wrapped


@dataclass
class FilePart:
    """The file part as it begins: its field name, file name and media type."""

    name: str
    filename: str
    media_type: str


@dataclass
class Upload:
    """What a streamed upload form sent: its small fields, and the file part's size."""

    fields: MultiDict = field(default_factory=MultiDict)
    file: FilePart | None = None
    size: int = 0


class UploadRefusedError(Exception):
    """The fields came and the caller refused them before any of the file was taken."""


def read_upload(
    request: Request,
    *,
    max_size: int,
    begin_file: Callable[[MultiDict, FilePart], BinaryIO],
    file_field: str,
) -> Upload:
    """Read the request's multipart body: fields into memory, the file part into a sink.

    `begin_file` gets the fields sent before the file part named `file_field` and its
    description, and returns the sink its bytes are written to (or raises
    UploadRefusedError, which is passed on). File parts of other names, and a second part
    of that name, are read past and dropped; fields after the file are collected but
    `begin_file` has decided by then.

    :raises BadRequest: if the body is not multipart or breaks off.
    :raises RequestEntityTooLarge: if the file is larger than max_size or the fields too big.
    """
    mimetype, options = parse_options_header(request.headers.get("Content-Type", ""))
    boundary = options.get("boundary")
    if mimetype != "multipart/form-data" or not boundary:
        raise BadRequest()
    # The decoder's own limit counts its read-ahead too (what follows a line break near the
    # end of a read waits for the next one), so it is set above a read and the fields
    # together; the fields and the file are counted exactly below.
    decoder = MultipartDecoder(
        boundary.encode("latin-1"), max_form_memory_size=2 * READ_SIZE + FIELDS_SIZE
    )
    stream = request.stream
    upload = Upload()
    sink: BinaryIO | None = None
    current: Field | File | None = None
    value = bytearray()
    fields_size = 0
    ended = False
    while True:
        try:
            event = decoder.next_event()
        except ValueError:
            raise BadRequest() from None
        if isinstance(event, NeedData):
            if ended:
                raise BadRequest()
            chunk = stream.read(READ_SIZE)
            ended = not chunk
            decoder.receive_data(chunk or None)
            continue
        if isinstance(event, Epilogue):
            break
        if isinstance(event, Field):
            current, value = event, bytearray()
        elif isinstance(event, File):
            current = event
            if upload.file is None and event.name == file_field:
                upload.file = FilePart(
                    event.name,
                    event.filename,
                    event.headers.get("Content-Type", "application/octet-stream"),
                )
                sink = begin_file(upload.fields, upload.file)
        elif isinstance(event, Data):
            if isinstance(current, Field):
                fields_size += len(event.data)
                if fields_size > FIELDS_SIZE:
                    raise RequestEntityTooLarge()
                value += event.data
                if not event.more_data:
                    upload.fields.add(current.name, value.decode("utf-8", "replace"))
            elif isinstance(current, File) and sink is not None and upload.file is not None:
                if current.name == upload.file.name:
                    upload.size += len(event.data)
                    if upload.size > max_size:
                        raise RequestEntityTooLarge()
                    sink.write(event.data)
                    if not event.more_data:
                        sink = None
    return upload
