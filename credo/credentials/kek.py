"""The key-encryption key (KEK) that seals every school's signing key in the database.

Production sets ``CREDO_KEY_ENCRYPTION_KEY`` (32 random bytes, base64url, as written by
``keys.generate_kek``). When it is empty — development, the demo, tests — the KEK is generated
once and kept in ``<VAR_DIR>/credential-kek`` with 0600 permissions. It is never derived from
``SECRET_KEY``: rotating one must not lose or expose the other.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from credo.credentials import keys

KEK_FILE_NAME = "credential-kek"

_lock = threading.Lock()
_cache: dict[tuple[str, str], bytes] = {}


def kek_file() -> Path:
    """Return where the generated KEK is kept when the settings give none."""
    return Path(settings.VAR_DIR) / KEK_FILE_NAME


def key_encryption_key() -> bytes:
    """Return the 32-byte KEK from the settings, or from (creating) the file under VAR_DIR."""
    configured = (getattr(settings, "CREDO_KEY_ENCRYPTION_KEY", "") or "").strip()
    path = kek_file()
    cache_key = (configured, "" if configured else str(path))
    with _lock:
        cached = _cache.get(cache_key)
        if cached is not None:
            return cached
        if configured:
            try:
                kek = keys.load_kek(configured)
            except ValueError as error:
                raise ImproperlyConfigured(f"CREDO_KEY_ENCRYPTION_KEY: {error}") from error
        else:
            kek = _kek_from_file(path)
        _cache[cache_key] = kek
        return kek


def kek_source() -> str:
    """Return, in words, where the KEK comes from (for commands and the admin page)."""
    if (getattr(settings, "CREDO_KEY_ENCRYPTION_KEY", "") or "").strip():
        return "the CREDO_KEY_ENCRYPTION_KEY setting"
    return f"the file {kek_file()}"


def _kek_from_file(path: Path) -> bytes:
    if not path.exists():
        _create(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ImproperlyConfigured(
            f"{path} holds the key that protects every school's signing key, but other users "
            f"may read it (mode {mode:o}); run `chmod 600 {path}`."
        )
    try:
        return keys.load_kek(path.read_text("ascii"))
    except ValueError as error:
        raise ImproperlyConfigured(f"{path}: {error}") from error


def _create(path: Path) -> None:
    """Write a new KEK to ``path`` atomically; if another process won the race, keep theirs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(keys.generate_kek() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # A hard link never replaces an existing file, so a reader sees a whole key or none;
        # when another process won the race, its key stands.
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def clear_cache() -> None:
    """Forget the KEKs read so far (tests that change the settings call this)."""
    with _lock:
        _cache.clear()
