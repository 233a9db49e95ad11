"""A recording's upload through the encrypting endpoint beside one that discards, and seeking.

    .venv/bin/python bench/upload.py [--size 1GiB] [--repeat 3] [--range-runs 20]
        [--hour-format 8k|cd] [--worker-timeout 30]

Starts the app as deployed (`gunicorn -w 2`, as the concurrency tests start it:
tests/consent/serving.py), but from bench/upload_app.py, which adds one route the real app
does not have: `POST /bench/discard` reads the body as the upload does (64 KiB reads) and
drops it. SQLite in a temporary folder, or PostgreSQL when DATABASE_URL names a server (a
fresh database there, dropped afterwards). Seeds a study whose consent form asks for audio
recording and a respondent who consented to it, and logs in as the student.

In one run, against the one server:

- throughput: a WAV of --size (8 kHz mono, made on the fly: the body is never in memory)
  in one multipart body as the upload form sends it, to /bench/discard (the same-run
  reference) and to the recording upload, which parses it, encrypts it into the vault,
  syncs it to disk and records it; --repeat times each, the fastest counts. Beside them,
  the same number of bytes written by this process straight to a file in the instance
  folder and fsynced (the floor of any upload that stores its file durably). Target: the
  upload at least 0.8 of the discarding speed.
- memory: the server's resident memory (RSS of the gunicorn master and workers summed,
  sampled from /proc every 50 ms) idle before, and at its peak during each upload; PSS
  (shared pages divided among the processes that share them) beside it, and each process's
  RSS. Target: peak RSS under 100 MiB.
- seeking: a one-hour recording (8 kHz mono; --hour-format cd for 44.1 kHz stereo 16-bit) is
  uploaded, its playback page opened (the session the player's requests use), and the time
  to the first byte of `Range: bytes=<last minute>` measured, median of --range-runs, each
  on a new connection (gunicorn's sync workers keep none open), each answer checked against
  the bytes sent; the first minute and /health the same way beside it. Target: under 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from sqlalchemy import make_url  # noqa: E402
from sqlmodel import Session, create_engine, select  # noqa: E402

from bench.respondent import fresh_database, recruiting_study  # noqa: E402
from study import create_app, db  # noqa: E402
from study.consent import services as consent  # noqa: E402
from study.recordings.models import Recording  # noqa: E402
from study.respondents import services as recruitment  # noqa: E402
from study.vault.models import VaultObject  # noqa: E402
from tests.consent import serving  # noqa: E402

RATIO_TARGET = 0.8
MEMORY_TARGET_MIB = 100
TTFB_TARGET_MS = 50
WORKERS = 2
PASSWORD = "ett långt och ovanligt lösen"
#: The big recording's format, and the one-hour recording's: (sample rate, channels, bits).
#: 8 kHz mono 8-bit is 8000 bytes a second; "cd" (44.1 kHz stereo 16-bit) 176400.
FORMATS = {"8k": (8000, 1, 8), "cd": (44100, 2, 16)}
HOUR = 3600
WAV_HEADER = 44
#: The samples, sent over and over: 0, 1 … 255, so that any byte's value is known from its
#: place (a Range answer is checked against it) and no boundary can appear in the body.
PATTERN = bytes(range(256))
BLOCK = PATTERN * 4096  # 1 MiB
SAMPLE_EVERY = 0.05
MIB = 1024 * 1024


def parse_size(text: str) -> int:
    """Return a byte count from "1GiB", "512MiB", "300MB" or a plain number."""
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]i?B?)?\s*", text, re.IGNORECASE)
    if not found:
        raise argparse.ArgumentTypeError(f"not a size: {text!r}")
    number, unit = float(found.group(1)), (found.group(2) or "").upper()
    scale = {"": 1, "K": 1024, "M": MIB, "G": 1024 * MIB}[unit[:1]]
    if unit and "I" not in unit and unit.endswith("B"):
        scale = {"": 1, "K": 1000, "M": 1000**2, "G": 1000**3}[unit[:1]]
    size = int(number * scale)
    if size <= WAV_HEADER:
        raise argparse.ArgumentTypeError(f"a recording needs more than {WAV_HEADER} bytes")
    return size


def bytes_per_second(kind: str) -> int:
    rate, channels, bits = FORMATS[kind]
    return rate * channels * bits // 8


def wav_header(file_size: int, kind: str = "8k") -> bytes:
    """Return the 44-byte header of a PCM WAV file of file_size bytes in this format."""
    rate, channels, bits = FORMATS[kind]
    data = file_size - WAV_HEADER
    frame = channels * bits // 8
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * frame, frame, bits)
        + b"data"
        + struct.pack("<I", data)
    )


def plaintext(offset: int, length: int) -> bytes:
    """Return bytes [offset, offset + length) of a recording this bench sends (past the header)."""
    start = (offset - WAV_HEADER) % len(PATTERN)
    repeated = PATTERN * ((start + length) // len(PATTERN) + 1)
    return repeated[start : start + length]


@dataclass
class Body:
    """A multipart body made on the fly: its content type, length and parts."""

    content_type: str
    length: int
    parts: Iterator[bytes]


def upload_body(fields: dict[str, str], file_size: int, kind: str = "8k") -> Body:
    """Return the upload form's body: the fields, then a WAV of file_size made block by block."""
    boundary = f"----bench{uuid.uuid4().hex}"
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    )
    head += (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="recording"; filename="intervju.wav"\r\n'
        "Content-Type: audio/wav\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def parts() -> Iterator[bytes]:
        yield head + wav_header(file_size, kind)
        left = file_size - WAV_HEADER
        while left >= len(BLOCK):
            yield BLOCK
            left -= len(BLOCK)
        if left:
            yield BLOCK[:left]
        yield tail

    return Body(
        f"multipart/form-data; boundary={boundary}", len(head) + file_size + len(tail), parts()
    )


@dataclass
class Answer:
    """A response: status, headers, body, and the seconds to its first byte (headers read)."""

    status: int
    headers: http.client.HTTPMessage
    body: bytes
    first_byte: float


class Browser:
    """One person's browser against the server: a new connection a request, one cookie."""

    def __init__(self, server: serving.Server) -> None:
        self.server = server
        self.cookie = ""

    def request(
        self, method: str, path: str, body=None, headers: dict[str, str] | None = None
    ) -> Answer:
        """Send a request (body: bytes or an iterator of bytes); keep the session cookie."""
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=600)
        try:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            first_byte = time.perf_counter() - started
            content = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name == serving.SESSION_COOKIE:
                self.cookie = f"{name}={rest.split(';', 1)[0]}"
        return Answer(response.status, response.headers, content, first_byte)

    def page(self, path: str) -> str:
        answer = self.request("GET", path)
        if answer.status != 200:
            raise SystemExit(f"GET {path} answered {answer.status}")
        return answer.body.decode()

    def post_form(self, path: str, fields: dict[str, str]) -> Answer:
        return self.request(
            "POST",
            path,
            body=urlencode(fields).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )


def seed(app) -> int:
    """Create a study that may record audio and one respondent whose consent covers it;
    return the study's id."""
    with app.test_request_context(), db.session_scope() as session:
        study, student = recruiting_study(session, recording="audio")
        respondent = recruitment.add_respondent(session, study, student, code="IP1")
        documents = consent.approved_documents(session, study)
        consent.give_consent(
            session,
            respondent,
            documents,
            language="sv",
            answers={item["key"]: True for item in documents.items},
            names={"respondent": "Ida Persson"},
            submission=uuid.uuid4().hex,
        )
        return study.id


def start_server(
    instance: Path, url: str, log: Path, *, worker_timeout: int, ready_within: float = 30.0
) -> serving.Server:
    """Start gunicorn on bench/upload_app.py as serving.start starts the real app."""
    port = serving.free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        "--timeout",
        str(worker_timeout),
        "bench.upload_app:create_app()",
    ]
    with open(log, "ab") as output:
        process = subprocess.Popen(
            command,
            cwd=REPOSITORY,
            env=serving.environment(instance, url, port),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = serving.Server(process, port, log)
    try:
        serving._wait_until_ready(server, ready_within)
    except BaseException:
        server.stop()
        raise
    return server


def _kib(path: str, name: str) -> int:
    """Return the value of a "Name:  123 kB" line of a /proc file, 0 if it is gone."""
    try:
        with open(path, encoding="ascii") as lines:
            for line in lines:
                if line.startswith(name):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def server_processes(master: int) -> list[int]:
    """Return the gunicorn master and its workers."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except FileNotFoundError:
        children = []
    return [master, *(int(c) for c in children)]


@dataclass
class Memory:
    """The server's summed RSS and PSS (KiB), sampled while a block runs, and each process's
    largest RSS."""

    master: int
    rss: list[int] = field(default_factory=list)
    pss: list[int] = field(default_factory=list)
    each: dict[int, int] = field(default_factory=dict)

    def sample(self) -> None:
        pids = server_processes(self.master)
        sizes = {p: _kib(f"/proc/{p}/status", "VmRSS:") for p in pids}
        for pid, size in sizes.items():
            self.each[pid] = max(self.each.get(pid, 0), size)
        self.rss.append(sum(sizes.values()))
        self.pss.append(sum(_kib(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids))

    @property
    def peak_rss_mib(self) -> float:
        return max(self.rss) / 1024

    @property
    def peak_pss_mib(self) -> float:
        return max(self.pss) / 1024

    def processes(self) -> str:
        """Return each process's largest RSS in MiB, the master first."""
        master = self.each.get(self.master, 0) / 1024
        workers = [v / 1024 for p, v in sorted(self.each.items()) if p != self.master]
        return f"master {master:.0f}, workers " + ", ".join(f"{w:.0f}" for w in workers)


class Watching:
    """Sample the server's memory every SAMPLE_EVERY seconds in a thread, while in the block."""

    def __init__(self, server: serving.Server) -> None:
        self.memory = Memory(server.process.pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.memory.sample()
            self._stop.wait(SAMPLE_EVERY)

    def __enter__(self) -> Memory:
        self.memory.sample()
        self._thread.start()
        return self.memory

    def __exit__(self, *_exc) -> None:
        self._stop.set()
        self._thread.join()
        self.memory.sample()


@dataclass
class Sent:
    """An upload: its answer, seconds, and the server's memory meanwhile."""

    answer: Answer
    seconds: float
    memory: Memory
    length: int

    def rate(self, size: int) -> float:
        return size / MIB / self.seconds


def send(browser: Browser, path: str, fields: dict[str, str], size: int, kind: str) -> Sent:
    """Upload a WAV of size bytes in the upload form's body to path, watching memory."""
    body = upload_body(fields, size, kind)
    headers = {"Content-Type": body.content_type, "Content-Length": str(body.length)}
    with Watching(browser.server) as memory:
        started = time.perf_counter()
        answer = browser.request("POST", path, body=body.parts, headers=headers)
        seconds = time.perf_counter() - started
    return Sent(answer, seconds, memory, body.length)


def upload_recording(
    browser: Browser, study_id: int, size: int, kind: str = "8k"
) -> tuple[Sent, str]:
    """Upload a recording through the form; return the upload and its playback page's path."""
    path = f"/studies/{study_id}/recordings"
    fields = serving.form_fields(browser.page(path), path)
    sent = send(browser, path, fields, size, kind)
    location = sent.answer.headers.get("Location", "")
    if sent.answer.status != 303 or not location.endswith(path):
        raise SystemExit(
            f"the upload answered {sent.answer.status} {location}\n"
            f"{sent.answer.body.decode(errors='replace')[:2000]}\n{browser.server.errors()}"
        )
    # The upload goes back to the list, newest first; its first player is this recording's.
    newest = re.search(rf'href="({re.escape(path)}/\d+)"', browser.page(path))
    if newest is None:
        raise SystemExit("the recordings page lists no recording after an upload")
    return sent, newest.group(1)


def discard(browser: Browser, study_id: int, size: int) -> Sent:
    """Send the same body (the form's fields, then the WAV) to /bench/discard."""
    path = f"/studies/{study_id}/recordings"
    fields = serving.form_fields(browser.page(path), path)
    sent = send(browser, "/bench/discard", fields, size, "8k")
    if sent.answer.status != 200:
        raise SystemExit(f"/bench/discard answered {sent.answer.status}")
    read = json.loads(sent.answer.body)["size"]
    if read != sent.length:
        raise SystemExit(f"/bench/discard read {read} bytes of {sent.length}")
    return sent


def ranges(browser: Browser, path: str, first: int, last: int, runs: int, full: int) -> list[float]:
    """Ask for bytes first-last runs times; return the times to the first byte, in ms."""
    times = []
    expected = plaintext(first, last - first + 1)
    for _ in range(runs):
        answer = browser.request("GET", path, headers={"Range": f"bytes={first}-{last}"})
        if answer.status != 206 or answer.headers["Content-Range"] != (
            f"bytes {first}-{last}/{full}"
        ):
            raise SystemExit(f"Range {first}-{last}: {answer.status} {dict(answer.headers)}")
        if answer.body != expected:
            raise SystemExit(f"Range {first}-{last} answered other bytes than were uploaded")
        times.append(answer.first_byte * 1000)
    return times


def write_and_sync(folder: Path, size: int) -> float:
    """Write size bytes to a new file in folder and fsync it; return the seconds (the floor
    of any upload that stores its file durably there)."""
    path = folder / "write-reference"
    started = time.perf_counter()
    with open(path, "wb") as sink:
        left = size
        while left > 0:
            left -= sink.write(BLOCK[: min(left, len(BLOCK))])
        sink.flush()
        os.fsync(sink.fileno())
    seconds = time.perf_counter() - started
    path.unlink()
    return seconds


def first_bytes(browser: Browser, path: str, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        answer = browser.request("GET", path)
        if answer.status != 200:
            raise SystemExit(f"GET {path} answered {answer.status}")
        times.append(answer.first_byte * 1000)
    return times


def stored(url: str) -> list[tuple[int, int, float | None]]:
    """Return (ciphertext size, id, duration in seconds) of every stored recording."""
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(Recording, VaultObject).join(
                    VaultObject, VaultObject.id == Recording.vault_object_id
                )
            ).all()
            return [(o.size, r.id, r.duration_seconds) for r, o in rows]
    finally:
        engine.dispose()


def log_in(browser: Browser) -> None:
    fields = serving.form_fields(browser.page("/login"))
    fields.update(email="student@example.org", password=PASSWORD)
    answer = browser.post_form("/login", fields)
    if answer.status != 302:
        raise SystemExit(f"logging in answered {answer.status}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", type=parse_size, default=1024 * MIB, help="the big recording's size (1GiB)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="uploads of each kind; the fastest counts (3)"
    )
    parser.add_argument(
        "--range-runs", type=int, default=20, help="Range requests timed for the median (20)"
    )
    parser.add_argument(
        "--hour-format",
        choices=sorted(FORMATS),
        default="8k",
        help="the one-hour recording: 8k (8 kHz mono 8-bit, 27 MiB, the default) or cd "
        "(44.1 kHz stereo 16-bit, 606 MiB)",
    )
    parser.add_argument(
        "--worker-timeout",
        type=int,
        default=30,
        help="gunicorn's --timeout: a request that takes longer loses its worker "
        "(30, gunicorn's default)",
    )
    args = parser.parse_args()
    size = args.size

    folder = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    instance = folder / "instance"
    os.environ["INSTANCE_PATH"] = str(instance)
    url, drop = fresh_database(folder)
    server = None
    try:
        db.upgrade(url)
        app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": url})
        study_id = seed(app)
        app.extensions["db_engine"].dispose()
        server = start_server(
            instance, url, folder / "gunicorn.log", worker_timeout=args.worker_timeout
        )
        browser = Browser(server)
        log_in(browser)
        # Warm-up: both workers load their code and open their database connections.
        for _ in range(2):
            discard(browser, study_id, MIB)
            upload_recording(browser, study_id, MIB)
        with Watching(server) as idle:
            time.sleep(1)
        discarded, encrypted, locations, written = [], [], [], []
        for _ in range(args.repeat):
            written.append(write_and_sync(instance, size))
            discarded.append(discard(browser, study_id, size))
            sent, location = upload_recording(browser, study_id, size)
            encrypted.append(sent)
            locations.append(location)

        minute = 60 * bytes_per_second(args.hour_format)
        hour_size = WAV_HEADER + HOUR * bytes_per_second(args.hour_format)
        _hour, play = upload_recording(browser, study_id, hour_size, args.hour_format)
        browser.page(play)  # opens the playback session the player's requests belong to
        audio = f"{play}/audio"
        last = (hour_size - minute, hour_size - 1)
        opening = (WAV_HEADER, WAV_HEADER + minute - 1)
        ranges(browser, audio, *last, 4, hour_size)  # warm-up, both workers
        last_minute = ranges(browser, audio, *last, args.range_runs, hour_size)
        first_minute = ranges(browser, audio, *opening, args.range_runs, hour_size)
        health = first_bytes(browser, "/health", args.range_runs)
        errors = server.errors()
        recordings = stored(url)
    finally:
        if server is not None:
            server.stop()
        drop()
        shutil.rmtree(folder, ignore_errors=True)

    uploaded = {int(location.rsplit("/", 1)[1]) for location in locations}
    big = [r for r in recordings if r[1] in uploaded and r[0] > size]
    if len(big) != args.repeat:
        raise SystemExit(f"no recording of {size} bytes was stored: {recordings}")
    database = make_url(url).get_backend_name()
    print(
        f"gunicorn, {WORKERS} sync workers (--timeout {args.worker_timeout}), {database}; "
        f"a {size / MIB:.0f} MiB WAV (8 kHz mono) in the upload form's multipart body, "
        "made on the fly and sent over loopback from this process"
    )
    print(
        f"{'':<34}{'seconds':>8}{'MiB/s':>8}{'peak RSS MiB':>14}{'peak PSS MiB':>14}"
        f"   (fastest of {args.repeat}; memory: the highest peak)"
    )
    fastest = {}
    for name, runs in (
        ("/bench/discard (reference)", discarded),
        ("recording upload (encrypting)", encrypted),
    ):
        fastest[name] = best = min(runs, key=lambda sent: sent.seconds)
        print(
            f"{name:<34}{best.seconds:>8.2f}{best.rate(size):>8.1f}"
            f"{max(r.memory.peak_rss_mib for r in runs):>14.1f}"
            f"{max(r.memory.peak_pss_mib for r in runs):>14.1f}"
            f"   (all: {', '.join(f'{r.seconds:.2f}' for r in runs)} s)"
        )
    floor = min(written)
    print(
        f"{'write+fsync here (reference)':<34}{floor:>8.2f}{size / MIB / floor:>8.1f}"
        f"{'':>28}   (all: {', '.join(f'{w:.2f}' for w in written)} s)"
    )
    print(
        f"{'idle for 1 s before (reference)':<34}{'':>16}"
        f"{idle.peak_rss_mib:>14.1f}{idle.peak_pss_mib:>14.1f}"
    )
    highest = max(encrypted, key=lambda sent: sent.memory.peak_rss_mib).memory
    print(f"  RSS by process, MiB, idle:       {idle.processes()}")
    print(f"  at most, during the encrypting:  {highest.processes()}")
    ratio = fastest["recording upload (encrypting)"].rate(size) / fastest[
        "/bench/discard (reference)"
    ].rate(size)
    print(
        f"throughput, encrypting/discarding: {ratio:.2f} (target at least {RATIO_TARGET}): "
        f"{'MET' if ratio >= RATIO_TARGET else 'NOT MET'}"
    )
    peak = highest.peak_rss_mib
    print(
        f"server memory during the upload: peak RSS {peak:.1f} MiB, "
        f"{peak - idle.peak_rss_mib:+.1f} MiB over idle (target under {MEMORY_TARGET_MIB} MiB): "
        f"{'MET' if peak < MEMORY_TARGET_MIB else 'NOT MET'}"
    )
    print(
        f"stored: {len(big)} big recordings, each {big[0][0] / MIB:.1f} MiB of ciphertext, "
        f"their length read as {big[0][2] or 0:.0f} s"
    )
    rate, channels, bits = FORMATS[args.hour_format]
    print(
        f"time to first byte, ms, one-hour recording ({rate} Hz, {channels} channel(s), "
        f"{bits}-bit, {hour_size / MIB:.0f} MiB), median of {args.range_runs} (min-max), "
        "a new connection each:"
    )
    for name, times in (
        ("Range: the last minute", last_minute),
        ("Range: the first minute (reference)", first_minute),
        ("/health (reference)", health),
    ):
        print(f"  {name:<38}{statistics.median(times):>7.1f}  ({min(times):.1f}-{max(times):.1f})")
    median = statistics.median(last_minute)
    print(
        f"seeking to the last minute (target under {TTFB_TARGET_MS} ms): "
        f"{'MET' if median < TTFB_TARGET_MS else 'NOT MET'}"
    )
    if errors:
        print(f"the server logged errors:\n{errors[:3000]}")


if __name__ == "__main__":
    main()
