"""Writing an archive: a zip file streamed through age encryption, never plaintext on disk.

Each member is read from the vault (decrypted chunk by chunk), written into the zip and
from there straight into an age stream to the export's owner, so memory stays a few MiB
whatever the material's size and no plaintext byte reaches a disk. The zip is written
without seeking (sizes and checksums follow each member), which every common unzip tool
reads; a list of the members with their SHA-256 comes last, as README.txt.
"""

from __future__ import annotations

import hashlib
import zipfile
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

from ..vault.age import Recipient
from ..vault.stream import AgeWriter

#: How much is read from the vault at a time, and how often progress is reported.
COPY_SIZE = 1 << 20
#: A member that may pass 2 GiB needs the zip64 extension from its first byte.
ZIP64_FROM = 1 << 30


@dataclass(frozen=True)
class Member:
    """One file of the archive: its path inside, and how to read its plaintext."""

    path: str
    #: The stored file's size: progress is counted in it (close to the plaintext's).
    size: int
    open: Callable[[], AbstractContextManager[BinaryIO]]
    #: Compress (text) or store as it is (recordings, compressed already).
    compress: bool = False


@dataclass(frozen=True)
class Written:
    """What went into the archive: a member's path, size and SHA-256 of its content."""

    path: str
    size: int
    sha256: str


#: Told the number of members done and the bytes read so far; may raise to stop.
Progress = Callable[[int, int], None]


def write(
    sink: BinaryIO,
    recipients: Iterable[Recipient],
    members: Sequence[Member],
    readme: Callable[[list[Written]], str],
    progress: Progress,
    *,
    when: datetime,
) -> list[Written]:
    """Write members, then README.txt (made from what was written), as one age file to sink.

    If anything raises (progress included), the age stream lacks its final chunk: what
    reached sink decrypts to nothing.
    """
    written: list[Written] = []
    done = 0
    stamp = when.timetuple()[:6]
    with AgeWriter(sink, recipients) as encrypting:
        with zipfile.ZipFile(encrypting, "w", allowZip64=True) as archive:
            for index, member in enumerate(members):
                info = zipfile.ZipInfo(member.path, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED if member.compress else zipfile.ZIP_STORED
                digest = hashlib.sha256()
                size = 0
                with (
                    member.open() as source,
                    archive.open(info, "w", force_zip64=member.size >= ZIP64_FROM) as target,
                ):
                    while block := source.read(COPY_SIZE):
                        target.write(block)
                        digest.update(block)
                        size += len(block)
                        progress(index, done + min(size, member.size))
                done += member.size
                written.append(Written(member.path, size, digest.hexdigest()))
                progress(index + 1, done)
            info = zipfile.ZipInfo("README.txt", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, readme(written).encode("utf-8"))
    return written
