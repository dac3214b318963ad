"""Ed25519 keys as Multikey strings: multibase base58btc ('z') over a multicodec-prefixed key.

A public key is ``z`` + base58btc(0xed 0x01 + 32 key bytes) and therefore always starts with
``z6Mk``; a private key is ``z`` + base58btc(0x80 0x26 + 32 seed bytes). Pure Python, no Django.
"""

from __future__ import annotations

BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: value for value, char in enumerate(BASE58_ALPHABET)}

MULTIBASE_BASE58BTC = "z"
ED25519_PUBLIC_PREFIX = b"\xed\x01"
ED25519_PRIVATE_PREFIX = b"\x80\x26"
ED25519_KEY_LENGTH = 32


class MultikeyError(ValueError):
    """A multibase or multikey string could not be decoded."""


def base58_encode(data: bytes) -> str:
    """Return ``data`` in the Bitcoin base58 alphabet, one '1' per leading zero byte."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(BASE58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def base58_decode(text: str) -> bytes:
    """Return the bytes that ``text`` (Bitcoin base58 alphabet) encodes."""
    number = 0
    for char in text:
        try:
            number = number * 58 + _BASE58_INDEX[char]
        except KeyError:
            raise MultikeyError(f"{char!r} is not a base58btc character") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode(data: bytes) -> str:
    """Return ``data`` as a multibase base58btc string (prefix 'z')."""
    return MULTIBASE_BASE58BTC + base58_encode(data)


def multibase_decode(text: str) -> bytes:
    """Return the bytes of a multibase base58btc string; other multibase encodings are refused."""
    if not isinstance(text, str) or not text.startswith(MULTIBASE_BASE58BTC):
        raise MultikeyError("only multibase base58btc values (starting with 'z') are supported")
    return base58_decode(text[1:])


def encode_public_key(public_key: bytes) -> str:
    """Return the Multikey string (``z6Mk…``) of a raw 32-byte Ed25519 public key."""
    _check_length(public_key, "public key")
    return multibase_encode(ED25519_PUBLIC_PREFIX + public_key)


def decode_public_key(multikey: str) -> bytes:
    """Return the raw 32-byte Ed25519 public key of a Multikey string."""
    raw = multibase_decode(multikey)
    if not raw.startswith(ED25519_PUBLIC_PREFIX):
        raise MultikeyError("not an Ed25519 public key (multicodec 0xed01 expected)")
    key = raw[len(ED25519_PUBLIC_PREFIX) :]
    _check_length(key, "public key")
    return key


def encode_private_key(seed: bytes) -> str:
    """Return the Multikey string of a raw 32-byte Ed25519 private key (seed)."""
    _check_length(seed, "private key")
    return multibase_encode(ED25519_PRIVATE_PREFIX + seed)


def decode_private_key(multikey: str) -> bytes:
    """Return the 32-byte seed of an Ed25519 private Multikey.

    Older tools wrote the 64-byte form (seed followed by the public key); it is accepted
    when its second half is the public key of its first half.
    """
    raw = multibase_decode(multikey)
    if not raw.startswith(ED25519_PRIVATE_PREFIX):
        raise MultikeyError("not an Ed25519 private key (multicodec 0x8026 expected)")
    key = raw[len(ED25519_PRIVATE_PREFIX) :]
    if len(key) == 2 * ED25519_KEY_LENGTH:
        seed, public = key[:ED25519_KEY_LENGTH], key[ED25519_KEY_LENGTH:]
        if _public_from_seed(seed) != public:
            raise MultikeyError("64-byte private key whose halves do not belong together")
        return seed
    _check_length(key, "private key")
    return key


def is_public_multikey(text: object) -> bool:
    """Return whether ``text`` decodes as an Ed25519 public Multikey."""
    if not isinstance(text, str):
        return False
    try:
        decode_public_key(text)
    except MultikeyError:
        return False
    return True


def _check_length(key: bytes, what: str) -> None:
    if not isinstance(key, bytes | bytearray) or len(key) != ED25519_KEY_LENGTH:
        raise MultikeyError(f"an Ed25519 {what} is {ED25519_KEY_LENGTH} bytes")


def _public_from_seed(seed: bytes) -> bytes:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
