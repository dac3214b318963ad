"""Ed25519 signing keys and their protection at rest.

A school's private key is stored only encrypted with a key-encryption key (KEK): 32 random
bytes kept outside the database (settings or the environment, never derived from a password or
from Django's SECRET_KEY). Encryption is AES-256-GCM with a fresh 96-bit nonce per key and the
caller's ``associated_data`` (for instance the school and key ids) bound into the tag, so a
stored key copied onto another school's row fails to decrypt.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from credo.credentials import multikey

KEK_LENGTH = 32
NONCE_LENGTH = 12
_TOKEN_PREFIX = "credo-ed25519-aesgcm-v1:"  # noqa: S105 (a format tag, not a secret)


class KeyDecryptionError(ValueError):
    """A stored private key cannot be decrypted: wrong KEK, wrong associated data, or damaged."""


@dataclass(frozen=True, repr=False)
class KeyPair:
    """An Ed25519 key pair: the 32-byte private seed and the 32-byte public key."""

    private_key: bytes
    public_key: bytes

    @property
    def public_key_multibase(self) -> str:
        """Return the public key as a Multikey string (``z6Mk…``)."""
        return multikey.encode_public_key(self.public_key)

    def verification_method(self, issuer_url: str) -> str:
        """Return the verification method URL ``<issuer URL>#<publicKeyMultibase>``."""
        return f"{issuer_url}#{self.public_key_multibase}"

    def __repr__(self) -> str:  # never print the private key
        return f"KeyPair(public_key_multibase={self.public_key_multibase!r})"


def generate_key_pair() -> KeyPair:
    """Return a new Ed25519 key pair from the operating system's random source."""
    return key_pair_from_seed(
        Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    )


def key_pair_from_seed(seed: bytes) -> KeyPair:
    """Return the key pair whose private key is the 32-byte ``seed``."""
    if len(seed) != multikey.ED25519_KEY_LENGTH:
        raise ValueError("an Ed25519 private key is 32 bytes")
    public = (
        Ed25519PrivateKey.from_private_bytes(seed)
        .public_key()
        .public_bytes(Encoding.Raw, PublicFormat.Raw)
    )
    return KeyPair(private_key=bytes(seed), public_key=public)


def generate_kek() -> str:
    """Return a new key-encryption key as text (base64url of 32 random bytes) for settings."""
    return base64.urlsafe_b64encode(os.urandom(KEK_LENGTH)).decode("ascii")


def load_kek(text: str) -> bytes:
    """Return the 32-byte KEK written by ``generate_kek``; refuse anything else."""
    try:
        kek = base64.urlsafe_b64decode(text.strip().encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as error:
        raise ValueError("the key-encryption key is not base64url text") from error
    if len(kek) != KEK_LENGTH:
        raise ValueError(f"the key-encryption key must be {KEK_LENGTH} random bytes")
    return kek


def encrypt_private_key(private_key: bytes, kek: bytes, *, associated_data: bytes = b"") -> str:
    """Return ``private_key`` (32-byte seed) encrypted under ``kek`` as a storable string."""
    if len(private_key) != multikey.ED25519_KEY_LENGTH:
        raise ValueError("an Ed25519 private key is 32 bytes")
    nonce = os.urandom(NONCE_LENGTH)
    sealed = _aead(kek).encrypt(nonce, private_key, _bound(associated_data))
    return _TOKEN_PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt_private_key(token: str, kek: bytes, *, associated_data: bytes = b"") -> bytes:
    """Return the 32-byte private key sealed in ``token`` by ``encrypt_private_key``."""
    if not token.startswith(_TOKEN_PREFIX):
        raise KeyDecryptionError("not an encrypted Credo signing key")
    try:
        raw = base64.urlsafe_b64decode(token[len(_TOKEN_PREFIX) :].encode("ascii"))
    except (binascii.Error, UnicodeEncodeError) as error:
        raise KeyDecryptionError("the encrypted key is damaged") from error
    nonce, sealed = raw[:NONCE_LENGTH], raw[NONCE_LENGTH:]
    try:
        private_key = _aead(kek).decrypt(nonce, sealed, _bound(associated_data))
    except InvalidTag as error:
        raise KeyDecryptionError(
            "wrong key-encryption key or associated data, or the encrypted key was altered"
        ) from error
    if len(private_key) != multikey.ED25519_KEY_LENGTH:
        raise KeyDecryptionError("the encrypted value is not an Ed25519 private key")
    return private_key


def rewrap_private_key(
    token: str, old_kek: bytes, new_kek: bytes, *, associated_data: bytes = b""
) -> str:
    """Return ``token`` re-encrypted under ``new_kek`` (rotating the key-encryption key)."""
    private_key = decrypt_private_key(token, old_kek, associated_data=associated_data)
    return encrypt_private_key(private_key, new_kek, associated_data=associated_data)


def _aead(kek: bytes) -> AESGCM:
    if not isinstance(kek, bytes) or len(kek) != KEK_LENGTH:
        raise ValueError(f"the key-encryption key must be {KEK_LENGTH} bytes")
    return AESGCM(kek)


def _bound(associated_data: bytes) -> bytes:
    # The format version is authenticated too, so a token cannot be replayed under another one.
    return _TOKEN_PREFIX.encode("ascii") + associated_data
