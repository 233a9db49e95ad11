"""Command line: ``python -m study.pseudonymize suggest|apply`` (see docs/design.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import NoReturn

from .apply import apply_all, leftovers
from .codekey import CodeKey, CodeKeyError
from .suggest import review


class _Parser(argparse.ArgumentParser):
    """Argument parser whose errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print a one-line error and exit."""
        self.exit(2, f"error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    """Build the command-line grammar."""
    parser = _Parser(prog="python -m study.pseudonymize", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    suggest = commands.add_parser("suggest", help="print suggestions for FILE as JSON")
    suggest.add_argument("file", type=Path)
    suggest.add_argument("--key", type=Path, help="code key CSV: term,category[,pseudonym]")
    apply = commands.add_parser("apply", help="write pseudonymized copies of FILE... to DIR")
    apply.add_argument("files", type=Path, nargs="+")
    apply.add_argument("--key", type=Path, required=True)
    apply.add_argument("--accept-suggestions", action="store_true")
    apply.add_argument("--out", type=Path, required=True)
    apply.add_argument(
        "--key-out",
        type=Path,
        help="write the key with the pseudonyms it gained here instead of back to --key",
    )
    return parser


def _read(path: Path) -> str:
    """Read a UTF-8 text file exactly (no newline translation, so offsets match the file).

    :raises CodeKeyError: when the file is not UTF-8.
    """
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            return stream.read()
    except UnicodeDecodeError:
        raise CodeKeyError(f"{path}: not UTF-8") from None


def _suggest(args: argparse.Namespace) -> None:
    """Print the JSON list of suggestions (quasi-identifiers carry action "consider …")."""
    key = CodeKey.from_csv(args.key) if args.key else CodeKey()
    found = review(_read(args.file), key)
    json.dump([s.as_json() for s in found], sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _apply(args: argparse.Namespace) -> None:
    """Write each file's pseudonymized text to the output folder under its own name.

    The key goes back, with every pseudonym it gained, to --key (or --key-out), so the next
    run gives the same term the same pseudonym. No output replaces an input, and nothing is
    written unless every file was pseudonymized: the outputs and the key appear together at
    the end. What still looks like an identifier in an output is reported on stderr.
    """
    names = [path.name for path in args.files]
    if len(set(names)) != len(names):
        raise CodeKeyError("two input files share a name; their outputs would collide")
    inputs = {path.resolve() for path in args.files}
    targets = [args.out / name for name in names]
    key_target = args.key_out or args.key
    for target in [*targets, key_target]:
        if target.resolve() in inputs:
            raise CodeKeyError(f"{target}: an output would replace an input file")
    key = CodeKey.from_csv(args.key)
    texts = [_read(path) for path in args.files]
    results = apply_all(texts, key, accept=args.accept_suggestions)
    args.out.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        for target, result in zip(targets, results, strict=True):
            stack.enter_context(_atomic(target, result.text))
        stack.enter_context(_atomic(key_target, key.to_csv()))
    for name, result in zip(names, results, strict=True):
        for line, column, reason in leftovers(result.text):
            print(
                f"warning: {name}: line {line}, column {column}: still looks like {reason}",
                file=sys.stderr,
            )


@contextmanager
def _atomic(target: Path, content: str) -> Iterator[None]:
    """Write content to a hidden file beside target; rename it over target at the end.

    The rename happens when the block ends without error (every file of the run was
    written); otherwise the hidden file is removed and target is left as it was.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(content)
            stream.flush()
            os.fsync(stream.fileno())
        yield
    except BaseException:
        os.unlink(temporary)
        raise
    os.replace(temporary, target)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        _suggest(args) if args.command == "suggest" else _apply(args)
    except (OSError, CodeKeyError) as error:
        message = error.strerror if isinstance(error, OSError) and error.strerror else error
        filename = getattr(error, "filename", None)
        print(f"error: {filename + ': ' if filename else ''}{message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
