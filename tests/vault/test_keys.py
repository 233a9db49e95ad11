"""Keys and headers in the age text forms: `age1...`, `AGE-SECRET-KEY-1...`, stanzas."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from study.vault import bech32
from study.vault.age import (
    AgeError,
    ScryptIdentity,
    ScryptRecipient,
    X25519Identity,
    X25519Recipient,
)
from study.vault.format import Stanza, parse_header
from study.vault.keyfiles import parse_identities, parse_recipients
from study.vault.stream import decrypt_stream, encrypt_stream

# From the age specification's test data (age-encryption.org/v1 testkit).
KNOWN_IDENTITY = "AGE-SECRET-KEY-1XMWWC06LY3EE5RYTXM9MFLAZ2U56JJJ36S0MYPDRWSVLUL66MV4QX3S7F6"
KNOWN_RECIPIENT = "age1w3tyke4gev25vaxxsvcgqu4484rf6ejpmavs57p6yz6lhy2sfs5swrvwyn"


def _roundtrip(plaintext: bytes, recipients: list, identities: list) -> bytes:
    ciphertext = io.BytesIO()
    encrypt_stream(io.BytesIO(plaintext), ciphertext, recipients)
    ciphertext.seek(0)
    sink = io.BytesIO()
    decrypt_stream(ciphertext, sink, identities)
    return sink.getvalue()


def test_an_identity_survives_its_text_form() -> None:
    identity = X25519Identity.generate()

    again = X25519Identity.parse(str(identity))

    assert again.private_bytes == identity.private_bytes
    assert str(again).startswith("AGE-SECRET-KEY-1")
    assert str(identity.recipient).startswith("age1")
    assert X25519Recipient.parse(str(identity.recipient)) == identity.recipient


def test_the_known_identity_has_the_recipient_age_keygen_derives() -> None:
    assert str(X25519Identity.parse(KNOWN_IDENTITY).recipient) == KNOWN_RECIPIENT
    assert X25519Recipient.parse(KNOWN_RECIPIENT) == X25519Identity.parse(KNOWN_IDENTITY).recipient


def test_an_identity_never_shows_its_secret_in_repr() -> None:
    identity = X25519Identity.generate()

    assert str(identity) not in repr(identity)
    assert str(identity.recipient) in repr(identity)


@pytest.mark.parametrize(
    "text",
    [
        KNOWN_RECIPIENT.upper(),
        KNOWN_RECIPIENT[:-1] + "q",
        "age1" + KNOWN_RECIPIENT[4:].replace("x", "X", 1),
        KNOWN_IDENTITY,
        "",
        "age1",
        "ssh-ed25519 AAAA",
    ],
)
def test_malformed_recipients_are_refused(text: str) -> None:
    with pytest.raises(AgeError):
        X25519Recipient.parse(text)


@pytest.mark.parametrize("text", [KNOWN_IDENTITY.lower(), KNOWN_RECIPIENT, KNOWN_IDENTITY[:-2]])
def test_malformed_identities_are_refused(text: str) -> None:
    with pytest.raises(AgeError):
        X25519Identity.parse(text)


@given(st.binary(max_size=64))
def test_bech32_round_trips_any_data(data: bytes) -> None:
    assert bech32.decode(bech32.encode("age", data)) == ("age", data)


def test_identity_and_recipient_files_allow_comments_and_blank_lines() -> None:
    identity = X25519Identity.generate()
    text = f"# created: today\n# public key: {identity.recipient}\n\n{identity}\n"

    assert [str(i) for i in parse_identities(text)] == [str(identity)]
    assert parse_recipients(f"# team\n{identity.recipient}\n\n") == [identity.recipient]
    with pytest.raises(AgeError):
        parse_identities("# nothing here\n")


def test_a_passphrase_opens_only_with_the_same_passphrase() -> None:
    plaintext = os.urandom(1000)
    recipient = ScryptRecipient("rätt lösenord", work_factor=10)

    assert _roundtrip(plaintext, [recipient], [ScryptIdentity("rätt lösenord")]) == plaintext
    with pytest.raises(AgeError, match="passphrase"):
        _roundtrip(plaintext, [recipient], [ScryptIdentity("fel lösenord")])


def test_a_passphrase_cannot_be_mixed_with_public_keys() -> None:
    with pytest.raises(AgeError):
        _roundtrip(b"x", [ScryptRecipient("a", 10), X25519Identity.generate().recipient], [])


def test_an_expensive_work_factor_is_refused_before_any_work() -> None:
    with pytest.raises(AgeError, match="work factor"):
        _roundtrip(b"x", [ScryptRecipient("a", 12)], [ScryptIdentity("a", max_work_factor=11)])


def test_stanzas_of_any_body_length_survive_the_header_format() -> None:
    for length in [0, 1, 47, 48, 49, 96, 200]:
        stanza = Stanza("grease-type", ("a", "b!c"), os.urandom(length))
        header = b"age-encryption.org/v1\n" + stanza.encode() + b"--- " + b"A" * 43 + b"\n"

        assert parse_header(header).stanzas == (stanza,)
