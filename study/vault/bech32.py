"""Bech32 (BIP 173) as age uses it: no length limit, one case per string."""

from __future__ import annotations

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_VALUES = {char: value for value, char in enumerate(_CHARSET)}
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


class Bech32Error(ValueError):
    """A string is not valid bech32 or does not carry the expected prefix."""


def _polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for bit, generator in enumerate(_GENERATOR):
            if (top >> bit) & 1:
                checksum ^= generator
    return checksum


def _expand_prefix(prefix: str) -> list[int]:
    return [ord(c) >> 5 for c in prefix] + [0] + [ord(c) & 31 for c in prefix]


def _regroup(data: bytes | list[int], from_bits: int, to_bits: int, pad: bool) -> list[int]:
    accumulator = 0
    bits = 0
    groups = []
    mask = (1 << to_bits) - 1
    for value in data:
        accumulator = (accumulator << from_bits) | value
        bits += from_bits
        while bits >= to_bits:
            bits -= to_bits
            groups.append((accumulator >> bits) & mask)
    if pad:
        if bits:
            groups.append((accumulator << (to_bits - bits)) & mask)
    elif bits >= from_bits or (accumulator << (to_bits - bits)) & mask:
        # Leftover bits must be fewer than one input group and all zero: anything else
        # means the string was not produced by an encoder (non-canonical).
        raise Bech32Error("non-zero padding in bech32 data")
    return groups


def encode(prefix: str, data: bytes) -> str:
    """Encode data under a lower-case human-readable prefix; the caller chooses the case."""
    prefix = prefix.lower()
    groups = _regroup(data, 8, 5, pad=True)
    checksum = _polymod(_expand_prefix(prefix) + groups + [0] * 6) ^ 1
    groups += [(checksum >> 5 * (5 - i)) & 31 for i in range(6)]
    return prefix + "1" + "".join(_CHARSET[g] for g in groups)


def decode(text: str) -> tuple[str, bytes]:
    """Decode a bech32 string into its lower-case prefix and data bytes.

    :raises Bech32Error: if the string is mixed-case, malformed or its checksum is wrong.
    """
    if text.lower() != text and text.upper() != text:
        raise Bech32Error("mixed case in bech32 string")
    text = text.lower()
    separator = text.rfind("1")
    if separator < 1 or separator + 7 > len(text):
        raise Bech32Error("bech32 separator missing or data too short")
    prefix = text[:separator]
    if any(ord(c) < 33 or ord(c) > 126 for c in prefix):
        raise Bech32Error("invalid character in bech32 prefix")
    try:
        values = [_VALUES[c] for c in text[separator + 1 :]]
    except KeyError:
        raise Bech32Error("invalid character in bech32 data") from None
    if _polymod(_expand_prefix(prefix) + values) != 1:
        raise Bech32Error("bech32 checksum mismatch")
    return prefix, bytes(_regroup(values[:-6], 5, 8, pad=False))
