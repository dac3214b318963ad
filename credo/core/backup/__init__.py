"""`credo backup` and `credo restore`: one checked archive of an installation.

`archive` writes and restores the archive and its manifest; `databases` copies SQLite with its
online backup API or PostgreSQL with pg_dump, and loads them back; `sealing` seals the
key-encryption key with a passphrase. See docs/backup.md.
"""

from credo.core.backup.archive import (
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    RestoreReport,
    Sources,
    backup_create,
    credo_version,
    manifest_read,
    restore_backup,
)
from credo.core.backup.databases import pg_tool, vendor_of
from credo.core.backup.errors import BackupError
from credo.core.backup.sealing import (
    check_passphrase,
    kek_fingerprint,
    open_key,
    read_passphrase,
    seal_key,
)

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "BackupError",
    "RestoreReport",
    "Sources",
    "backup_create",
    "check_passphrase",
    "credo_version",
    "kek_fingerprint",
    "manifest_read",
    "open_key",
    "pg_tool",
    "read_passphrase",
    "restore_backup",
    "seal_key",
    "vendor_of",
]
