"""The age v1 cryptography: keys, recipient stanzas, header MAC and STREAM payload chunks.

This is the only module that touches cryptography's primitives; the rest of the vault speaks
in recipients, identities, headers and chunks.
"""

from __future__ import annotations

import hmac
import os
import re
from collections.abc import Iterable, Sequence
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from study.vault import bech32
from study.vault.format import (
    AgeError,
    Header,
    Stanza,
    b64decode,
    b64encode,
    encode_header_without_mac,
)
from study.vault.halves import in_two_halves

__all__ = [
    "CHUNK_SIZE",
    "ENCRYPTED_CHUNK_SIZE",
    "NONCE_SIZE",
    "AgeError",
    "Identity",
    "PayloadCipher",
    "Recipient",
    "ScryptIdentity",
    "ScryptRecipient",
    "X25519Identity",
    "X25519Recipient",
    "new_header",
    "open_header",
    "new_wrapping_key",
    "key_id",
    "open_sealed",
    "seal",
]

CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
ENCRYPTED_CHUNK_SIZE = CHUNK_SIZE + TAG_SIZE
NONCE_SIZE = 16
FILE_KEY_SIZE = 16
_ZERO_NONCE = bytes(12)
_X25519_LABEL = b"age-encryption.org/v1/X25519"
_SCRYPT_LABEL = b"age-encryption.org/v1/scrypt"
_RECIPIENT_PREFIX = "age"
_IDENTITY_PREFIX = "age-secret-key-"
_WORK_FACTOR = re.compile(r"[1-9][0-9]?")
# encrypt_into/decrypt_into (cryptography 45+) write into a caller's buffer; older releases
# get the same results through one join per batch.
_HAS_INTO = hasattr(ChaCha20Poly1305, "encrypt_into")
WRAPPING_KEY_SIZE = 32
_SEALED_VERSION = b"\x01"
_SEAL_NONCE_SIZE = 12
_KEY_ID_LABEL = b"intervjustudie/key-id"


class Recipient(Protocol):
    """Anything a file key can be wrapped to."""

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """Return the stanzas that carry file_key to this recipient."""


class Identity(Protocol):
    """Anything that can unwrap a file key from a header's stanzas."""

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Return the file key if one of the stanzas is for this identity, else None."""


def _hkdf(secret: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(secret)


def _seal_file_key(wrap_key: bytes, file_key: bytes) -> bytes:
    return ChaCha20Poly1305(wrap_key).encrypt(_ZERO_NONCE, file_key, None)


def _open_file_key(wrap_key: bytes, body: bytes) -> bytes | None:
    if len(body) != FILE_KEY_SIZE + TAG_SIZE:
        raise AgeError("recipient stanza body has the wrong length")
    try:
        return ChaCha20Poly1305(wrap_key).decrypt(_ZERO_NONCE, body, None)
    except InvalidTag:
        return None


class X25519Recipient:
    """A public key `age1...`: anyone may encrypt to it, no secret needed."""

    def __init__(self, public_bytes: bytes) -> None:
        if len(public_bytes) != 32:
            raise AgeError("an X25519 public key is 32 bytes")
        self.public_bytes = public_bytes

    @classmethod
    def parse(cls, text: str) -> X25519Recipient:
        """Parse an `age1...` recipient string.

        :raises AgeError: if it is not a valid lower-case age X25519 recipient.
        """
        text = text.strip()
        try:
            prefix, data = bech32.decode(text)
        except bech32.Bech32Error as error:
            raise AgeError(f"invalid recipient {text[:12]!r}...: {error}") from None
        if prefix != _RECIPIENT_PREFIX or text != text.lower() or len(data) != 32:
            raise AgeError(f"invalid recipient {text[:12]!r}...: not an age1 X25519 key")
        return cls(data)

    def __str__(self) -> str:
        return bech32.encode(_RECIPIENT_PREFIX, self.public_bytes)

    def __repr__(self) -> str:
        return f"X25519Recipient({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, X25519Recipient) and other.public_bytes == self.public_bytes

    def __hash__(self) -> int:
        return hash(self.public_bytes)

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """Wrap file_key to this public key with a fresh ephemeral share."""
        ephemeral = X25519PrivateKey.generate()
        share = ephemeral.public_key().public_bytes_raw()
        shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(self.public_bytes))
        wrap_key = _hkdf(shared, share + self.public_bytes, _X25519_LABEL)
        body = _seal_file_key(wrap_key, file_key)
        return [Stanza("X25519", (b64encode(share).decode(),), body)]


class X25519Identity:
    """A private key `AGE-SECRET-KEY-1...`; its recipient is the matching public key."""

    def __init__(self, private_bytes: bytes) -> None:
        if len(private_bytes) != 32:
            raise AgeError("an X25519 private key is 32 bytes")
        self._key = X25519PrivateKey.from_private_bytes(private_bytes)
        self.recipient = X25519Recipient(self._key.public_key().public_bytes_raw())

    @classmethod
    def generate(cls) -> X25519Identity:
        """Return a new random identity."""
        return cls(os.urandom(32))

    @classmethod
    def parse(cls, text: str) -> X25519Identity:
        """Parse an `AGE-SECRET-KEY-1...` string.

        :raises AgeError: if it is not a valid upper-case age secret key.
        """
        text = text.strip()
        try:
            prefix, data = bech32.decode(text)
        except bech32.Bech32Error as error:
            raise AgeError(f"invalid identity: {error}") from None
        if prefix != _IDENTITY_PREFIX or text != text.upper() or len(data) != 32:
            raise AgeError("invalid identity: not an AGE-SECRET-KEY-1 X25519 key")
        return cls(data)

    @property
    def private_bytes(self) -> bytes:
        """Return the raw 32-byte private scalar, for wrapping under another key."""
        return self._key.private_bytes_raw()

    def __str__(self) -> str:
        return bech32.encode(_IDENTITY_PREFIX, self.private_bytes).upper()

    def __repr__(self) -> str:
        # Never the secret: identities end up in logs and tracebacks.
        return f"X25519Identity(recipient={str(self.recipient)!r})"

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Return the file key from the first X25519 stanza addressed to this identity."""
        for stanza in stanzas:
            if stanza.type != "X25519":
                continue
            if len(stanza.args) != 1:
                raise AgeError("X25519 stanza must have exactly one argument")
            share = b64decode(stanza.args[0].encode())
            if len(share) != 32:
                raise AgeError("X25519 stanza share has the wrong length")
            try:
                shared = self._key.exchange(X25519PublicKey.from_public_bytes(share))
            except ValueError:
                raise AgeError("X25519 stanza share is a low-order point") from None
            wrap_key = _hkdf(shared, share + self.recipient.public_bytes, _X25519_LABEL)
            file_key = _open_file_key(wrap_key, stanza.body)
            if file_key is not None:
                return file_key
        return None


class ScryptRecipient:
    """A passphrase, for archives opened by a person with `age -d`."""

    def __init__(self, passphrase: str | bytes, work_factor: int = 18) -> None:
        if not passphrase:
            raise AgeError("empty passphrase")
        if not 1 <= work_factor <= 30:
            raise AgeError("scrypt work factor must be between 1 and 30")
        self._passphrase = passphrase.encode() if isinstance(passphrase, str) else passphrase
        self.work_factor = work_factor

    def wrap(self, file_key: bytes) -> list[Stanza]:
        """Wrap file_key under a key derived from the passphrase with a fresh salt."""
        salt = os.urandom(16)
        wrap_key = _scrypt(self._passphrase, salt, self.work_factor)
        body = _seal_file_key(wrap_key, file_key)
        return [Stanza("scrypt", (b64encode(salt).decode(), str(self.work_factor)), body)]


class ScryptIdentity:
    """A passphrase tried against a header's scrypt stanza."""

    def __init__(self, passphrase: str | bytes, max_work_factor: int = 22) -> None:
        self._passphrase = passphrase.encode() if isinstance(passphrase, str) else passphrase
        self.max_work_factor = max_work_factor

    def unwrap(self, stanzas: Sequence[Stanza]) -> bytes | None:
        """Return the file key if the header's scrypt stanza opens with the passphrase."""
        for stanza in stanzas:
            if stanza.type != "scrypt":
                continue
            if len(stanzas) != 1:
                # A passphrase file must not also be readable by a public key the person
                # typing the passphrase does not know about.
                raise AgeError("scrypt stanza must be the only stanza in the header")
            if len(stanza.args) != 2 or not _WORK_FACTOR.fullmatch(stanza.args[1]):
                raise AgeError("malformed scrypt stanza")
            salt = b64decode(stanza.args[0].encode())
            if len(salt) != 16:
                raise AgeError("scrypt salt has the wrong length")
            work_factor = int(stanza.args[1])
            if work_factor > self.max_work_factor:
                raise AgeError(f"scrypt work factor {work_factor} is above the accepted maximum")
            if len(stanza.body) != FILE_KEY_SIZE + TAG_SIZE:
                raise AgeError("recipient stanza body has the wrong length")
            wrap_key = _scrypt(self._passphrase, salt, work_factor)
            file_key = _open_file_key(wrap_key, stanza.body)
            if file_key is None:
                raise AgeError("incorrect passphrase")
            return file_key
        return None


def _scrypt(passphrase: bytes, salt: bytes, work_factor: int) -> bytes:
    kdf = Scrypt(salt=_SCRYPT_LABEL + salt, length=32, n=1 << work_factor, r=8, p=1)
    return kdf.derive(passphrase)


def _header_mac(file_key: bytes, mac_input: bytes) -> bytes:
    return hmac.digest(_hkdf(file_key, b"", b"header"), mac_input, "sha256")


class PayloadCipher:
    """The STREAM cipher of one file: seals and opens 64 KiB chunks by index."""

    def __init__(self, file_key: bytes, nonce: bytes) -> None:
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))

    def seal(self, index: int, plaintext: bytes | memoryview, last: bool) -> bytes:
        """Encrypt chunk number index; last marks the final chunk of the file."""
        return self._aead.encrypt(_chunk_nonce(index, last), plaintext, None)

    def open(self, index: int, ciphertext: bytes | memoryview, last: bool) -> bytes:
        """Decrypt and authenticate chunk number index.

        :raises AgeError: if the chunk is not the authentic chunk at this index and position.
        """
        if last and index > 0 and len(ciphertext) == TAG_SIZE:
            raise AgeError("final chunk is empty in a non-empty file")
        try:
            return self._aead.decrypt(_chunk_nonce(index, last), ciphertext, None)
        except InvalidTag:
            raise AgeError(f"payload chunk {index} failed authentication") from None

    def seal_chunks(self, first: int, plaintext: memoryview) -> bytes | bytearray:
        """Encrypt whole non-final chunks, numbered from first, into one buffer."""
        count = len(plaintext) // CHUNK_SIZE
        if not _HAS_INTO:
            return b"".join(
                self.seal(first + i, plaintext[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE], False)
                for i in range(count)
            )
        sealed = bytearray(count * ENCRYPTED_CHUNK_SIZE)
        with memoryview(sealed) as target:

            def seal_range(start: int, stop: int) -> None:
                for i in range(start, stop):
                    self._aead.encrypt_into(
                        _chunk_nonce(first + i, False),
                        plaintext[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE],
                        None,
                        target[i * ENCRYPTED_CHUNK_SIZE : (i + 1) * ENCRYPTED_CHUNK_SIZE],
                    )

            in_two_halves(seal_range, count)
        return sealed

    def open_chunks(self, first: int, ciphertext: memoryview) -> bytes | bytearray:
        """Decrypt whole non-final chunks, numbered from first, into one buffer.

        :raises AgeError: if any chunk is not the authentic one at its index.
        """
        count = len(ciphertext) // ENCRYPTED_CHUNK_SIZE
        if not _HAS_INTO:
            return b"".join(
                self.open(
                    first + i,
                    ciphertext[i * ENCRYPTED_CHUNK_SIZE : (i + 1) * ENCRYPTED_CHUNK_SIZE],
                    False,
                )
                for i in range(count)
            )
        opened = bytearray(count * CHUNK_SIZE)
        with memoryview(opened) as target:

            def open_range(start: int, stop: int) -> None:
                for i in range(start, stop):
                    try:
                        self._aead.decrypt_into(
                            _chunk_nonce(first + i, False),
                            ciphertext[i * ENCRYPTED_CHUNK_SIZE : (i + 1) * ENCRYPTED_CHUNK_SIZE],
                            None,
                            target[i * CHUNK_SIZE : (i + 1) * CHUNK_SIZE],
                        )
                    except InvalidTag:
                        raise AgeError(f"payload chunk {first + i} failed authentication") from None

            in_two_halves(open_range, count)
        return opened


def _chunk_nonce(index: int, last: bool) -> bytes:
    if index >= 1 << 88:
        raise AgeError("payload too large")
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def new_header(recipients: Iterable[Recipient]) -> tuple[bytes, PayloadCipher]:
    """Start a new file: return header plus payload nonce, and the cipher for its chunks.

    :raises AgeError: if there are no recipients, or a passphrase is mixed with keys.
    """
    recipients = list(recipients)
    if not recipients:
        raise AgeError("no recipients")
    if any(isinstance(r, ScryptRecipient) for r in recipients) and len(recipients) > 1:
        raise AgeError("a passphrase cannot be combined with other recipients")
    file_key = os.urandom(FILE_KEY_SIZE)
    stanzas = [stanza for recipient in recipients for stanza in recipient.wrap(file_key)]
    mac_input = encode_header_without_mac(stanzas)
    mac = _header_mac(file_key, mac_input)
    nonce = os.urandom(NONCE_SIZE)
    header = mac_input + b" " + b64encode(mac) + b"\n" + nonce
    return header, PayloadCipher(file_key, nonce)


def open_header(header: Header, identities: Iterable[Identity], nonce: bytes) -> PayloadCipher:
    """Unwrap the file key with the first identity that matches and check the header MAC.

    :raises AgeError: if no identity matches, a stanza is malformed or the MAC is wrong.
    """
    if len(nonce) != NONCE_SIZE:
        raise AgeError("truncated file: payload nonce missing")
    if len(header.stanzas) > 1 and any(s.type == "scrypt" for s in header.stanzas):
        raise AgeError("scrypt stanza must be the only stanza in the header")
    for identity in identities:
        file_key = identity.unwrap(header.stanzas)
        if file_key is None:
            continue
        if len(file_key) != FILE_KEY_SIZE:
            raise AgeError("file key has the wrong length")
        if not hmac.compare_digest(_header_mac(file_key, header.mac_input), header.mac):
            raise AgeError("header MAC mismatch: the header was altered")
        return PayloadCipher(file_key, nonce)
    raise AgeError("no identity matched any of the file's recipients")


def new_wrapping_key() -> bytes:
    """Return a fresh random key for seal(): a master key or a study key."""
    return os.urandom(WRAPPING_KEY_SIZE)


def key_id(key: bytes) -> str:
    """Return a short public name for a wrapping key that reveals nothing about it."""
    return _hkdf(key, b"", _KEY_ID_LABEL)[:8].hex()


def seal(key: bytes, plaintext: bytes, associated_data: bytes) -> bytes:
    """Encrypt and authenticate plaintext under key, bound to associated_data.

    The result opens only with the same key and the same associated data, so a sealed
    value copied next to another record (other ids) does not open.
    """
    _check_wrapping_key(key)
    nonce = os.urandom(_SEAL_NONCE_SIZE)
    return (
        _SEALED_VERSION + nonce + ChaCha20Poly1305(key).encrypt(nonce, plaintext, associated_data)
    )


def open_sealed(key: bytes, sealed: bytes, associated_data: bytes) -> bytes:
    """Return the plaintext of a value made by seal().

    :raises AgeError: if the key or associated data is wrong or the value was altered.
    """
    _check_wrapping_key(key)
    header = len(_SEALED_VERSION) + _SEAL_NONCE_SIZE
    if len(sealed) < header + TAG_SIZE or sealed[:1] != _SEALED_VERSION:
        raise AgeError("sealed value is malformed")
    nonce = sealed[1:header]
    try:
        return ChaCha20Poly1305(key).decrypt(nonce, sealed[header:], associated_data)
    except InvalidTag:
        raise AgeError("sealed value does not open: wrong key, wrong record or altered") from None


def _check_wrapping_key(key: bytes) -> None:
    if len(key) != WRAPPING_KEY_SIZE:
        raise AgeError("a wrapping key must be 32 bytes")
