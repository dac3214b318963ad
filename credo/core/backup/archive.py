"""The archive of `credo backup` and `credo restore`: the database, the files and a manifest.

The archive is a gzip-compressed tar of ``credo-backup/…``: the database (SQLite: a copy made
with SQLite's online backup API, consistent while Credo runs; PostgreSQL: a ``pg_dump``
custom-format dump taken on the very snapshot the row counts were read from), the uploaded files
(``MEDIA_ROOT``), the rendered transcript PDFs, only when asked the key-encryption key sealed
with a passphrase, and last ``credo-backup/manifest.json``: the format and its version, Credo's
version, the database vendor, the migrations applied, every table's row count, the count and a
digest of the transcript versions' content hashes, and the size and SHA-256 of every other
member, hashed as it was written (a file that grows meanwhile is archived as it was read).

A restore refuses, before it changes anything, an archive that is not one, is damaged
(a checksum or a row count differs), was made by a newer Credo or for another database vendor,
and a database or folder that is not empty unless told to replace it. It then checks that what
it wrote matches the manifest: every table's row count, every transcript version's content hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from credo.core import varfiles
from credo.core.backup import databases as db
from credo.core.backup.errors import BackupError
from credo.core.backup.sealing import check_passphrase, kek_fingerprint, open_key, seal_key

FORMAT = "credo-backup"
FORMAT_VERSION = 1
ROOT = "credo-backup"
MANIFEST = f"{ROOT}/manifest.json"
KEY_MEMBER = f"{ROOT}/credential-kek.sealed"
SQLITE_MEMBER = f"{ROOT}/database/credo.sqlite3"
PG_MEMBER = f"{ROOT}/database/credo.pgdump"
MEDIA_PREFIX = f"{ROOT}/media/"
TRANSCRIPTS_PREFIX = f"{ROOT}/transcripts/"
COMPRESS_LEVEL = 1  # the demo: 102 MB → 27 MB in 1.9 s (level 6: 24 MB in 6.5 s)
CHUNK = 1024 * 1024


Say = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


def _files_under(folder: Path | None) -> Iterator[tuple[str, Path]]:
    """Yield (relative POSIX path, path) for every regular file under `folder`, in a stable order."""
    if folder is None or not folder.is_dir():
        return
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if path.is_file() and not path.is_symlink() and not name.endswith((".part", ".tmp")):
                yield path.relative_to(folder).as_posix(), path


def _has_files(folder: Path | None) -> bool:
    return next(_files_under(folder), None) is not None


@dataclass
class Sources:
    """What a backup reads (or a restore writes): the database and the folders of files."""

    database: dict
    media: Path
    transcripts: Path
    var: Path
    kek_text: str | None = None  # the KEK as configured (setting or file), when it is backed up


def backup_create(
    *, sources: Sources, out: Path, passphrase: str | None = None, say: Say = _quiet
) -> dict:
    """Write a backup of `sources` to `out` and return its manifest.

    The KEK goes in only when `sources.kek_text` is given, and then sealed with `passphrase`.
    The archive is written beside `out` and renamed into place, so `out` is whole or absent.
    """
    vendor = db.vendor_of(sources.database)
    if sources.kek_text is not None:
        if not passphrase:
            raise BackupError(
                "--include-key needs a passphrase: --passphrase-file FILE or CREDO_BACKUP_PASSPHRASE."
            )
        check_passphrase(passphrase)
    out = out.resolve()
    if out.exists() and out.is_dir():
        raise BackupError(f"--out {out}: is a folder; give the archive's file name.")
    varfiles.make_private_dir(out.parent)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".credo-backup-") as staging:
        staging_path = Path(staging)
        members: list[tuple[str, Path]] = []
        say(f"Copying the {vendor} database…")
        if vendor == "sqlite":
            dump = staging_path / "credo.sqlite3"
            facts = db.dump_sqlite(sources.database, dump)
            members.append((SQLITE_MEMBER, dump))
        else:
            dump = staging_path / "credo.pgdump"
            facts = db.dump_postgres(sources.database, dump)
            members.append((PG_MEMBER, dump))
        if not facts["migrations"]:
            raise BackupError(
                "The database holds no Credo tables yet: there is nothing to back up."
            )
        members += [(MEDIA_PREFIX + rel, path) for rel, path in _files_under(sources.media)]
        members += [
            (TRANSCRIPTS_PREFIX + rel, path) for rel, path in _files_under(sources.transcripts)
        ]
        key = None
        if sources.kek_text is not None:
            sealed = staging_path / "credential-kek.sealed"
            sealed.write_bytes(seal_key(sources.kek_text, passphrase or ""))
            members.append((KEY_MEMBER, sealed))
            key = {"fingerprint": kek_fingerprint(sources.kek_text), "sealed_with": "scrypt"}
        say(f"Writing {len(members)} files to {out.name}…")
        partial = staging_path / "archive.partial"
        files: dict[str, dict] = {}
        with tarfile.open(partial, "w:gz", compresslevel=COMPRESS_LEVEL) as archive:
            for name, path in members:
                with path.open("rb") as handle:
                    info = archive.gettarinfo(arcname=name, fileobj=handle)
                    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
                    reader = _Hashing(handle)
                    try:
                        archive.addfile(info, reader)
                    except OSError as error:  # it shrank while being read
                        raise BackupError(
                            f"{path} changed while it was backed up ({error}); run the backup again."
                        ) from error
                files[name] = {"size": info.size, "sha256": reader.digest.hexdigest()}
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "credo_version": credo_version(),
                "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "database": {"vendor": vendor, "member": members[0][0]},
                "migrations": facts["migrations"],
                "tables": facts["tables"],
                "rows": sum(facts["tables"].values()),
                "transcript_versions": {
                    "count": facts["transcripts"]["count"],
                    "digest": facts["transcripts"]["digest"],
                },
                "media_files": sum(1 for name in files if name.startswith(MEDIA_PREFIX)),
                "transcript_files": sum(1 for name in files if name.startswith(TRANSCRIPTS_PREFIX)),
                "key": key,
                "files": files,
            }
            data = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode = len(data), 0o600
            info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
            archive.addfile(info, io.BytesIO(data))
        os.chmod(partial, varfiles.FILE_MODE)
        os.replace(partial, out)
    return manifest


class _Hashing:
    """A file reader that hashes what tar reads from it: the checksum is of what was archived."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


def credo_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("credo")
    except PackageNotFoundError:
        return "unknown"


def manifest_read(path: Path) -> dict:
    """Return the manifest of the archive at `path` (its last member); refuse what is not a Credo backup."""
    try:
        with tarfile.open(path, "r|gz") as archive:
            for member in archive:
                if member.name == MANIFEST and member.isfile():
                    handle = archive.extractfile(member)
                    return _check_manifest(path, json.loads(handle.read()))
                if not member.name.startswith(f"{ROOT}/"):
                    break
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file.") from None
    except (tarfile.TarError, OSError, EOFError, ValueError, zlib.error) as error:
        raise BackupError(f"{path} is not a Credo backup or is damaged ({error}).") from None
    raise BackupError(f"{path} is not a Credo backup (it holds no {MANIFEST}), or is truncated.")


def _check_manifest(path: Path, manifest) -> dict:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is not a Credo backup (its manifest is not one).")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise BackupError(
            f"{path} is a backup of format version {version}, made by Credo "
            f"{manifest.get('credo_version', '?')}; this Credo ({credo_version()}) reads up to "
            f"version {FORMAT_VERSION}. Restore it with a newer Credo."
        )
    for key in ("database", "migrations", "tables", "files", "transcript_versions"):
        if key not in manifest:
            raise BackupError(f"{path}: the manifest lacks {key!r}; the archive is damaged.")
    return manifest


@dataclass
class RestoreReport:
    """What a restore did: the manifest, and the facts read back from the restored database."""

    manifest: dict
    tables: int = 0
    rows: int = 0
    transcript_versions: int = 0
    media_files: int = 0
    transcript_files: int = 0
    key: str = ""  # what happened to the KEK, in words
    pending_migrations: list[str] = field(default_factory=list)


def _known_migrations() -> set[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name.startswith(f"{ROOT}/"):
        raise BackupError(f"The archive holds a file outside its folder ({name!r}); refused.")
    return path


def _extract(path: Path, manifest: dict, staging: Path, say: Say) -> dict[str, Path]:
    """Unpack every member into `staging`, checking each against the manifest; return where each went."""
    expected = manifest["files"]
    found: dict[str, Path] = {}
    try:
        with tarfile.open(path, "r|gz") as archive:
            for member in archive:
                if member.name == MANIFEST:
                    continue
                _safe_member(member.name)
                if not member.isfile() or member.name not in expected:
                    raise BackupError(
                        f"The archive holds {member.name}, which its manifest does not list; "
                        "it is damaged or was altered."
                    )
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                source = archive.extractfile(member)
                with target.open("wb") as handle:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        handle.write(chunk)
                want = expected[member.name]
                if size != want["size"] or digest.hexdigest() != want["sha256"]:
                    raise BackupError(
                        f"{member.name} in the archive does not match its checksum; the backup "
                        "is damaged. Nothing was restored."
                    )
                found[member.name] = target
    except (tarfile.TarError, OSError, EOFError, zlib.error) as error:
        raise BackupError(
            f"{path} is damaged ({error}); nothing was restored. Use another backup."
        ) from None
    missing = sorted(set(expected) - set(found))
    if missing:
        raise BackupError(
            f"The archive lacks {len(missing)} file(s) its manifest lists (first: {missing[0]}); "
            "it is truncated or damaged. Nothing was restored."
        )
    say(f"Unpacked and checked {len(found)} files.")
    return found


def restore_backup(
    *,
    path: Path,
    sources: Sources,
    replace: bool = False,
    passphrase: str | None = None,
    skip_key: bool = False,
    configured_kek: str = "",
    say: Say = _quiet,
) -> RestoreReport:
    """Restore the archive at `path` into `sources` (an empty database and empty folders).

    Everything is checked before anything is written: the manifest, the vendor, the migrations,
    that the targets are empty (or `replace`), every file's checksum, the database copy's row
    counts and transcript hashes, the sealed KEK's passphrase. Then the database is restored and
    read back against the manifest, and the files are moved into place.
    """
    path = Path(path)
    manifest = manifest_read(path)
    vendor = db.vendor_of(sources.database)
    archived = manifest["database"]["vendor"]
    if archived != vendor:
        raise BackupError(
            f"This backup holds a {archived} database; DATABASE_URL points at {vendor}. Restore it "
            f"into {archived} (a move between vendors is not a restore)."
        )
    unknown = sorted(set(manifest["migrations"]) - _known_migrations())
    if unknown:
        raise BackupError(
            f"The backup was made by a newer Credo ({manifest.get('credo_version')}): this one "
            f"({credo_version()}) does not know {len(unknown)} of its migrations (first: "
            f"{unknown[0]}). Install that version or newer, then restore."
        )
    if manifest.get("key") and not skip_key and not passphrase:
        raise BackupError(
            "This backup holds the key-encryption key, sealed with a passphrase: give it with "
            "--passphrase-file FILE or CREDO_BACKUP_PASSPHRASE, or pass --skip-key to restore "
            "without it."
        )
    empty, rows = db.database_is_empty(sources.database, vendor)
    if not empty and not replace:
        raise BackupError(
            f"The database is not empty (it holds Credo's tables, {rows} rows). Restore into an "
            "empty database, or pass --replace to overwrite it: everything in it is lost."
        )
    for label, folder in (("media", sources.media), ("transcripts", sources.transcripts)):
        if _has_files(folder) and not replace:
            raise BackupError(
                f"The {label} folder {folder} is not empty. Restore into an empty one, or pass "
                "--replace to overwrite it."
            )
    varfiles.make_private_dir(sources.var)
    report = RestoreReport(manifest=manifest)
    with tempfile.TemporaryDirectory(dir=sources.var, prefix=".credo-restore-") as staging:
        staging_path = Path(staging)
        found = _extract(path, manifest, staging_path, say)
        kek_text = None
        if manifest.get("key") and not skip_key:
            kek_text = open_key(found[KEY_MEMBER].read_bytes(), passphrase or "")
            if kek_fingerprint(kek_text) != manifest["key"]["fingerprint"]:
                raise BackupError(
                    "The key-encryption key in the backup does not match its manifest."
                )
        db_member = manifest["database"]["member"]
        say("Restoring the database…")
        if vendor == "sqlite":
            db.restore_sqlite(found[db_member], sources.database, manifest)
        else:
            db.restore_postgres(found[db_member], sources.database, manifest, replace=replace)
        say("Reading the restored database back…")
        facts = db.read_back(sources.database, vendor)
        db.compare_facts(facts, manifest, "The restored database")
        report.tables = len(facts["tables"])
        report.rows = sum(facts["tables"].values())
        report.transcript_versions = facts["transcripts"]["count"]
        report.pending_migrations = sorted(_known_migrations() - set(manifest["migrations"]))
        report.media_files = _place(staging_path / MEDIA_PREFIX, sources.media, replace=replace)
        report.transcript_files = _place(
            staging_path / TRANSCRIPTS_PREFIX, sources.transcripts, replace=replace
        )
        report.key = _place_key(kek_text, manifest, sources, configured_kek, skip_key=skip_key)
    varfiles.tighten(sources.var)
    for folder in (sources.media, sources.transcripts):
        varfiles.tighten(folder)
    return report


def _place(staged: Path, target: Path, *, replace: bool) -> int:
    """Move the staged folder of files to `target` (emptied first when replacing); return the count."""
    count = sum(1 for _ in _files_under(staged))
    if replace and target.exists():
        shutil.rmtree(target)
    if not staged.is_dir():
        return 0
    varfiles.make_private_dir(target.parent)
    if target.exists():  # empty (checked before): replace it whole
        shutil.rmtree(target)
    shutil.move(str(staged), str(target))
    return count


def _place_key(
    kek_text: str | None, manifest: dict, sources: Sources, configured: str, *, skip_key: bool
) -> str:
    from credo.credentials.kek import KEK_FILE_NAME

    if not manifest.get("key"):
        return "not in the backup"
    if skip_key:
        return "left out (--skip-key)"
    assert kek_text is not None
    if configured.strip():
        if kek_fingerprint(configured) == kek_fingerprint(kek_text):
            return "matches CREDO_KEY_ENCRYPTION_KEY"
        raise BackupError(
            "The database was restored, but CREDO_KEY_ENCRYPTION_KEY differs from the key in the "
            "backup: set it to the backed-up key (restore again with the variable unset to have "
            "it written to the key file), or the schools' keys cannot sign."
        )
    path = sources.var / KEK_FILE_NAME
    if path.exists():
        if kek_fingerprint(path.read_text("ascii")) == kek_fingerprint(kek_text):
            return f"matches {path}"
        kept = path.with_name(f"{KEK_FILE_NAME}.before-restore")
        os.replace(path, kept)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, varfiles.FILE_MODE)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(kek_text.strip() + "\n")
    from credo.credentials.kek import clear_cache

    clear_cache()
    if path.with_name(f"{KEK_FILE_NAME}.before-restore").exists():
        return (
            f"written to {path} (the key it held before is kept as {KEK_FILE_NAME}.before-restore)"
        )
    return f"written to {path}"
