"""Identity and recipient files: one key per line, `#` comments and blank lines allowed."""

from __future__ import annotations

from study.vault.age import AgeError, X25519Identity, X25519Recipient


def parse_identities(text: str) -> list[X25519Identity]:
    """Parse an identity file: one `AGE-SECRET-KEY-1...` per line, `#` comments allowed.

    :raises AgeError: if a line is not a valid identity or the file has none.
    """
    identities = [X25519Identity.parse(line) for line in _key_lines(text)]
    if not identities:
        raise AgeError("no identities found in identity file")
    return identities


def parse_recipients(text: str) -> list[X25519Recipient]:
    """Parse a recipients file: one `age1...` per line, `#` comments allowed.

    :raises AgeError: if a line is not a valid recipient or the file has none.
    """
    recipients = [X25519Recipient.parse(line) for line in _key_lines(text)]
    if not recipients:
        raise AgeError("no recipients found in recipients file")
    return recipients


def _key_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
