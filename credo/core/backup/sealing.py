"""The key-encryption key in a backup: sealed with a passphrase (scrypt, then AES-256-GCM)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from credo.core.backup.errors import BackupError

FORMAT = "credo-backup"  # bound into the seal as associated data
MIN_PASSPHRASE = 12
SCRYPT = {"n": 2**17, "r": 8, "p": 1}  # OWASP's recommended minimum for scrypt


def seal_key(kek_text: str, passphrase: str) -> bytes:
    """Return the KEK sealed under `passphrase` (scrypt → AES-256-GCM) as JSON bytes."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    check_passphrase(passphrase)
    salt, nonce = os.urandom(16), os.urandom(12)
    key = Scrypt(salt=salt, length=32, **SCRYPT).derive(passphrase.encode())
    sealed = AESGCM(key).encrypt(nonce, kek_text.strip().encode("ascii"), FORMAT.encode())
    return json.dumps(
        {
            "kdf": "scrypt",
            **SCRYPT,
            "salt": base64.b64encode(salt).decode(),
            "cipher": "AES-256-GCM",
            "nonce": base64.b64encode(nonce).decode(),
            "sealed": base64.b64encode(sealed).decode(),
        },
        indent=1,
    ).encode()


def open_key(data: bytes, passphrase: str) -> str:
    """Return the KEK text sealed by `seal_key`; refuse a wrong passphrase or a damaged key."""
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    try:
        box = json.loads(data)
        salt, nonce, sealed = (base64.b64decode(box[k]) for k in ("salt", "nonce", "sealed"))
        key = Scrypt(salt=salt, length=32, n=box["n"], r=box["r"], p=box["p"]).derive(
            passphrase.encode()
        )
    except (ValueError, KeyError, TypeError) as error:
        raise BackupError("The sealed key-encryption key in the backup is damaged.") from error
    try:
        return AESGCM(key).decrypt(nonce, sealed, FORMAT.encode()).decode("ascii")
    except InvalidTag:
        raise BackupError(
            "Wrong passphrase: the key-encryption key in the backup cannot be opened with it."
        ) from None


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"The passphrase is too short: use at least {MIN_PASSPHRASE} characters.")


def read_passphrase(*, file: str | None, env: str = "CREDO_BACKUP_PASSPHRASE") -> str | None:
    """Return the passphrase from `file` (its first line), the environment, or None."""
    if file:
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as error:
            raise BackupError(f"--passphrase-file {file}: {error.strerror}") from error
        passphrase = text.splitlines()[0] if text else ""
        if not passphrase:
            raise BackupError(f"--passphrase-file {file}: the file is empty.")
        return passphrase
    return os.environ.get(env) or None


def kek_fingerprint(kek_text: str) -> str:
    """Return a short fingerprint of a KEK, to tell keys apart without revealing them."""
    return hashlib.sha256(b"credo-kek-fingerprint:" + kek_text.strip().encode()).hexdigest()[:16]
