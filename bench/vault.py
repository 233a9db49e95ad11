"""Vault speed and memory beside the age tool and cp, on one random file in one run.

    .venv/bin/python bench/vault.py [--size-mib 512] [--repeat 3]

Prints wall times (best of --repeat) for encrypting and decrypting with the vault command
line, the age tool and cp; the vault child's peak memory; and the time to open a file and
read its last 176 kB (one second of audio) through random access, median of 15 runs.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from study.vault.age import X25519Identity  # noqa: E402
from study.vault.reader import AgeReader  # noqa: E402

LAST_SECOND = 176_000  # 44.1 kHz, 16-bit stereo
ACCESS_RUNS = 15


def run(command: list[str]) -> tuple[float, int]:
    """Run a command; return its wall time in seconds and its peak RSS in KiB."""
    # GNU time forks from a small process; a child forked from this Python process would
    # report this process's memory as its own peak.
    timed = ["/usr/bin/time", "-f", "%M"] if os.path.exists("/usr/bin/time") else []
    started = time.perf_counter()
    process = subprocess.Popen(
        timed + command, cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    stderr = process.stderr.read().decode() if process.stderr else ""
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}: {stderr}")
    return elapsed, int(stderr.split()[-1]) if timed else usage.ru_maxrss


def best(command: list[str], repeat: int, output: Path) -> tuple[float, int]:
    """Run a command repeat times; return the best time and the largest peak RSS."""
    results = []
    for _ in range(repeat):
        output.unlink(missing_ok=True)
        # Start each run with no dirty pages left by the one before, so that no tool pays
        # for another's writeback.
        os.sync()
        results.append(run(command))
    return min(r[0] for r in results), max(r[1] for r in results)


def write_random_file(path: Path, size: int) -> None:
    """Fill path with size random bytes."""
    block = 16 * 1024 * 1024
    with open(path, "wb") as sink:
        for start in range(0, size, block):
            sink.write(os.urandom(min(block, size - start)))


def digest(path: Path) -> bytes:
    """Return the SHA-256 of a file, read in pieces to keep this process small."""
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, "sha256").digest()


def random_access_seconds(path: Path, identity: X25519Identity) -> float:
    """Return the median time to open an age file and read its last second of audio."""
    timings = []
    for _ in range(ACCESS_RUNS):
        started = time.perf_counter()
        with AgeReader(open(path, "rb", buffering=0), [identity], close_source=True) as reader:
            reader.seek(-LAST_SECOND, os.SEEK_END)
            assert len(reader.read(LAST_SECOND)) == LAST_SECOND
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mib", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    age = shutil.which("age")
    vault = [sys.executable, "-m", "study.vault"]
    size = arguments.size_mib * 1024 * 1024

    with tempfile.TemporaryDirectory(prefix="vault-bench-") as folder:
        work = Path(folder)
        plain, sealed, opened = work / "plain", work / "sealed.age", work / "opened"
        identity = X25519Identity.generate()
        (work / "key.txt").write_text(f"{identity}\n")
        recipient = str(identity.recipient)
        write_random_file(plain, size)

        rows: list[tuple[str, tuple[float, int], tuple[float, int]]] = []
        tools = [("vault CLI", vault)] + ([("age tool", [age])] if age else [])
        for name, program in tools:
            encrypt = best(
                [*program, "-e", "-r", recipient, "-o", str(sealed), str(plain)],
                arguments.repeat,
                sealed,
            )
            decrypt = best(
                [*program, "-d", "-i", str(work / "key.txt"), "-o", str(opened), str(sealed)],
                arguments.repeat,
                opened,
            )
            if digest(opened) != digest(plain):
                raise SystemExit(f"{name}: decrypted file differs from the original")
            if name == "vault CLI":
                access = random_access_seconds(sealed, identity)
                vault_rss = max(encrypt[1], decrypt[1])
            rows.append((name, encrypt, decrypt))
        copy = best(["cp", str(plain), str(opened)], arguments.repeat, opened)
        rows.append(("cp", copy, copy))

    print(f"vault benchmark: {arguments.size_mib} MiB random file, best of {arguments.repeat}")
    print(f"{'':12}{'encrypt s':>11}{'decrypt s':>11}{'encrypt MiB/s':>15}{'peak RSS MiB':>14}")
    for name, encrypt, decrypt in rows:
        speed = arguments.size_mib / encrypt[0]
        peak = max(encrypt[1], decrypt[1]) / 1024
        print(f"{name:12}{encrypt[0]:>11.3f}{decrypt[0]:>11.3f}{speed:>15.0f}{peak:>14.1f}")
    print()
    vault_encrypt, vault_decrypt = rows[0][1][0], rows[0][2][0]
    if age:
        ratio = vault_encrypt / rows[1][1][0]
        verdict = "ok" if ratio <= 1.0 else "SLOWER"
        print(f"encrypt vault/age ratio   {ratio:6.2f}   target <= 1.00   {verdict}")
        print(f"decrypt vault/age ratio   {vault_decrypt / rows[1][2][0]:6.2f}   (no target)")
    else:
        print("age tool not installed: no ratio")
    peak_mib = vault_rss / 1024
    verdict = "ok" if peak_mib < 64 else "OVER"
    print(f"vault CLI peak RSS        {peak_mib:6.1f}   target < 64 MiB  {verdict}")
    millis = access * 1000
    verdict = "ok" if millis < 50 else "OVER"
    print(
        f"last 176 kB random read   {millis:6.2f}   target < 50 ms   {verdict} (median, incl. open)"
    )
    print(f"encrypt vault/cp ratio    {vault_encrypt / rows[-1][1][0]:6.2f}   (reference)")


if __name__ == "__main__":
    main()
