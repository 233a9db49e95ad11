"""`python -m study.vault`: the age command line, for scripts, backups and benchmarks."""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import BinaryIO, NoReturn

from study.vault.age import (
    AgeError,
    Identity,
    Recipient,
    ScryptIdentity,
    ScryptRecipient,
    X25519Identity,
    X25519Recipient,
)
from study.vault.keyfiles import parse_identities, parse_recipients

PASSPHRASE_VARIABLE = "AGE_PASSPHRASE"  # noqa: S105 - a variable name, not a secret
PROGRAM = "study.vault"

DESCRIPTION = f"""\
Encrypt and decrypt age v1 files, compatible with the age tool.

  python -m study.vault --keygen [-o OUTPUT]
  python -m study.vault [-e] (-r RECIPIENT | -R PATH)... [-a] [-o OUTPUT] [INPUT]
  python -m study.vault -e -p [-a] [-o OUTPUT] [INPUT]
  python -m study.vault -d [-i PATH]... [-o OUTPUT] [INPUT]

INPUT defaults to standard input and OUTPUT to standard output. An OUTPUT file
appears only when the whole operation succeeded.

Passphrases are never typed: -p and passphrase-encrypted files read the
passphrase from the environment variable {PASSPHRASE_VARIABLE}.
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line, like every other failure here."""

    def error(self, message: str) -> NoReturn:
        """Print a one-line usage error and exit with status 2."""
        self.exit(2, f"{PROGRAM}: error: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=f"python -m {PROGRAM}",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        usage=argparse.SUPPRESS,
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("-e", "--encrypt", action="store_true", help="encrypt (the default)")
    mode.add_argument("-d", "--decrypt", action="store_true", help="decrypt")
    mode.add_argument("--keygen", action="store_true", help="generate an identity file")
    parser.add_argument(
        "-r", "--recipient", action="append", default=[], help="encrypt to an age1... key"
    )
    parser.add_argument(
        "-R", "--recipients-file", action="append", default=[], help="encrypt to keys in a file"
    )
    parser.add_argument(
        "-p",
        "--passphrase",
        action="store_true",
        help=f"encrypt with the passphrase in ${PASSPHRASE_VARIABLE}",
    )
    parser.add_argument(
        "-i", "--identity", action="append", default=[], help="decrypt with an identity file"
    )
    parser.add_argument("-a", "--armor", action="store_true", help="encrypt to PEM-style text")
    parser.add_argument("-o", "--output", help="write the result to this file")
    parser.add_argument("input", nargs="?", help="read from this file instead of stdin")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 on success)."""
    arguments = _parser().parse_args(argv)
    try:
        if arguments.keygen:
            _keygen(arguments)
        elif arguments.decrypt:
            _decrypt(arguments)
        else:
            _encrypt(arguments)
    except AgeError as error:
        return _fail(str(error))
    except OSError as error:
        return _fail(
            f"{error.strerror or error}" + (f": {error.filename}" if error.filename else "")
        )
    except KeyboardInterrupt:
        return _fail("interrupted")
    except Exception as error:  # noqa: BLE001 - a command line ends in one line, never a traceback
        return _fail(f"unexpected {type(error).__name__}: {error}")
    return 0


def _fail(message: str) -> int:
    print(f"{PROGRAM}: error: {message}", file=sys.stderr)
    return 1


def _keygen(arguments: argparse.Namespace) -> None:
    if arguments.input or arguments.recipient or arguments.identity or arguments.armor:
        raise AgeError("--keygen takes only -o")
    identity = X25519Identity.generate()
    created = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    text = f"# created: {created}\n# public key: {identity.recipient}\n{identity}\n"
    if arguments.output:
        # Like age-keygen: never overwrite a key, and never let others read it.
        descriptor = os.open(arguments.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with open(descriptor, "w", encoding="ascii") as key_file:
            key_file.write(text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if arguments.output or not sys.stdout.isatty():
        print(f"Public key: {identity.recipient}", file=sys.stderr)


def _encrypt(arguments: argparse.Namespace) -> None:
    from study.vault.stream import encrypt_stream

    if arguments.identity:
        raise AgeError("-i is for decryption; use -r or -R to encrypt")
    recipients: list[Recipient] = [X25519Recipient.parse(r) for r in arguments.recipient]
    for path in arguments.recipients_file:
        recipients.extend(parse_recipients(_read_text(path)))
    if arguments.passphrase:
        if recipients:
            raise AgeError("-p cannot be combined with -r or -R")
        recipients.append(ScryptRecipient(_passphrase()))
    if not recipients:
        raise AgeError("missing recipients: use -r, -R or -p")
    if arguments.armor:
        from study.vault.armor import ArmorWriter

        with _input(arguments.input) as source, _output(arguments.output, binary=False) as sink:
            with ArmorWriter(sink) as armored:
                encrypt_stream(source, armored, recipients)
        return
    with _input(arguments.input) as source, _output(arguments.output, binary=True) as sink:
        encrypt_stream(source, sink, recipients)


def _decrypt(arguments: argparse.Namespace) -> None:
    from study.vault.armor import dearmored
    from study.vault.stream import decrypt_stream

    if arguments.recipient or arguments.recipients_file or arguments.passphrase:
        raise AgeError("-r, -R and -p are for encryption; use -i to decrypt")
    identities: list[Identity] = []
    for path in arguments.identity:
        identities.extend(parse_identities(_read_text(path)))
    if PASSPHRASE_VARIABLE in os.environ:
        identities.append(ScryptIdentity(_passphrase()))
    if not identities:
        raise AgeError(f"missing identities: use -i or set {PASSPHRASE_VARIABLE}")
    with _input(arguments.input) as source, _output(arguments.output, binary=False) as sink:
        decrypt_stream(dearmored(source), sink, identities)


def _passphrase() -> str:
    passphrase = os.environ.get(PASSPHRASE_VARIABLE, "")
    if not passphrase:
        raise AgeError(f"the passphrase must be given in ${PASSPHRASE_VARIABLE}")
    return passphrase


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8") as key_file:
        return key_file.read()


@contextmanager
def _input(path: str | None) -> Iterator[BinaryIO]:
    if path is None or path == "-":
        yield sys.stdin.buffer
        return
    with open(path, "rb", buffering=0) as source:
        yield source  # type: ignore[misc]


@contextmanager
def _output(path: str | None, *, binary: bool) -> Iterator[BinaryIO]:
    """Yield the output stream; a file appears under its name only after success."""
    from study.vault.files import atomic_file

    if path is None or path == "-":
        if binary and sys.stdout.isatty():
            raise AgeError("refusing to write binary ciphertext to a terminal; use -o or -a")
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    # Like the age tool, no fsync: a crash may lose the file, but never shows a partial one.
    with atomic_file(path, durable=False) as sink:
        yield sink
