"""Client secrets sealed at rest with the key-encryption key that seals the schools' signing keys
(`credo.credentials.kek`): AES-256-GCM, bound to the school and the provider's row."""

import base64
import binascii
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from credo.credentials import kek

_PREFIX = "credo-sso-secret-v1:"
_NONCE = 12


class SecretUnreadable(Exception):
    """The sealed secret cannot be opened (another KEK, or the value was altered)."""


def seal(secret: str, *, associated_data: bytes) -> str:
    """Return `secret` sealed under the KEK, as a storable string ("" stays "")."""
    if not secret:
        return ""
    nonce = os.urandom(_NONCE)
    sealed = AESGCM(kek.key_encryption_key()).encrypt(
        nonce, secret.encode("utf-8"), _PREFIX.encode() + associated_data
    )
    return _PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def unseal(token: str, *, associated_data: bytes) -> str:
    """Return the secret sealed in `token` by `seal`."""
    if not token:
        return ""
    if not token.startswith(_PREFIX):
        raise SecretUnreadable("not a sealed Credo client secret")
    try:
        raw = base64.urlsafe_b64decode(token[len(_PREFIX) :].encode("ascii"))
        secret = AESGCM(kek.key_encryption_key()).decrypt(
            raw[:_NONCE], raw[_NONCE:], _PREFIX.encode() + associated_data
        )
    except (binascii.Error, ValueError, InvalidTag) as error:
        raise SecretUnreadable(
            "wrong key-encryption key, or the sealed secret was altered"
        ) from error
    return secret.decode("utf-8")
