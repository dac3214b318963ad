"""`credo backup` → `credo restore` gives the same installation; damaged or mismatched archives are refused.

Runs on the database the suite runs on (SQLite by default, PostgreSQL when DATABASE_URL says so):
the restore goes into a fresh database of the same vendor.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import stat
import subprocess
import sys
import tarfile
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from credo.core import backup, varfiles
from credo.core.backup import databases
from credo.core.dburl import database_from_url

ROOT = Path(__file__).resolve().parents[3]
PASSPHRASE = "correct horse battery staple"


# --- building a school worth backing up --------------------------------------------------------------


def _fill(tmp_path, settings):
    """Make a school with assessments, an award, an uploaded file, a published transcript and its PDF."""
    from credo.evidence.services import evidence_submit
    from credo.mastery.services import assessment_record
    from credo.testing import make_small_school
    from credo.transcripts.services import transcript_publish

    settings.MEDIA_ROOT = tmp_path / "src" / "media"
    settings.CREDO_TRANSCRIPT_CACHE = str(tmp_path / "src" / "transcripts")
    hill = make_small_school("hill")
    student = hill.students[0]
    day = dt.date(2025, 10, 1)
    for competency in hill.competencies[:3]:
        assessment_record(
            assessor=hill.teacher,
            student=student,
            competency=competency,
            value=Decimal(4),
            demonstrated_on=day,
        )
    evidence_submit(
        actor=student.user,
        student=student,
        kind="file",
        title="Lab report",
        demonstrated_on=day,
        file=SimpleUploadedFile("lab report.pdf", b"%PDF-1.4 the student's own work\x00\xff"),
    )
    version = transcript_publish(actor=hill.registrar, student=student).version
    pdfs = Path(settings.CREDO_TRANSCRIPT_CACHE)
    pdfs.mkdir(parents=True, exist_ok=True)
    (pdfs / f"{version.public_id}-l1.pdf").write_bytes(b"%PDF-1.7 rendered transcript")
    return hill


def _sources(tmp_path, settings, *, kek_text=None) -> backup.Sources:
    return backup.Sources(
        database=connection.settings_dict,
        media=Path(settings.MEDIA_ROOT),
        transcripts=Path(settings.CREDO_TRANSCRIPT_CACHE),
        var=tmp_path / "src",
        kek_text=kek_text,
    )


class Target:
    """An empty database of the suite's vendor, with its own var/ folder, for a restore."""

    def __init__(self, tmp_path: Path):
        self.var = tmp_path / "restored-var"
        self.pg_name = None
        if connection.vendor == "sqlite":
            self.url = f"sqlite:///{self.var / 'credo.sqlite3'}"
        else:
            self.pg_name = f"credo_restore_{uuid.uuid4().hex[:10]}"
            self._admin(f'CREATE DATABASE "{self.pg_name}"')
            s = connection.settings_dict
            auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
            self.url = (
                f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{self.pg_name}"
            )
        self.database = database_from_url(self.url)

    def sources(self, **extra) -> backup.Sources:
        return backup.Sources(
            database=self.database,
            media=self.var / "media",
            transcripts=self.var / "transcripts",
            var=self.var,
            **extra,
        )

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CREDO_")}
        return {**env, "DATABASE_URL": self.url, "CREDO_VAR_DIR": str(self.var)}

    def rows(self) -> dict:
        if self.pg_name is None:
            import sqlite3

            conn = sqlite3.connect(self.database["NAME"])
        else:
            conn = databases.pg_connect(self.database)
        try:
            return _all_rows(conn.cursor())
        finally:
            conn.close()

    def drop(self):
        if self.pg_name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    @staticmethod
    def _admin(sql: str):
        import psycopg

        params = databases.pg_params({**connection.settings_dict, "NAME": "postgres"})
        with psycopg.connect(**params, autocommit=True) as conn:
            conn.execute(sql)


@pytest.fixture
def target(tmp_path):
    made = Target(tmp_path)
    yield made
    made.drop()


def _plain(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, memoryview | bytearray):
        return bytes(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, str) and value[:1] in "{[":
        try:  # SQLite keeps JSON as text; PostgreSQL hands it back parsed
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    return value


def _all_rows(cursor) -> dict:
    vendor = "sqlite" if type(cursor).__module__.startswith("sqlite3") else connection.vendor
    out = {}
    for table in databases.tables_of(cursor, vendor):
        cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608
        out[table] = sorted((tuple(_plain(v) for v in row) for row in cursor.fetchall()), key=repr)
    return out


def _source_rows() -> dict:
    if connection.vendor == "sqlite":  # read as the restored copy is read: no Django converters
        conn = databases.sqlite_connect(connection.settings_dict["NAME"])
        try:
            return _all_rows(conn.cursor())
        finally:
            conn.close()
    with connection.cursor() as cursor:
        return _all_rows(cursor)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def _credo(*args, env, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "credo.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        stdin=stdin,
        timeout=300,
        check=False,
    )


# --- the round trip ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_gives_the_same_rows_files_hashes_and_a_clean_check(
    tmp_path, settings, target
):
    _fill(tmp_path, settings)
    archive = tmp_path / "out" / "credo.tar.gz"
    manifest = backup.backup_create(sources=_sources(tmp_path, settings), out=archive)

    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"]["transcripts_transcriptversion"] == 1
    assert manifest["tables"]["mastery_assessment"] == 3
    assert manifest["media_files"] == 1 and manifest["transcript_files"] == 1
    assert manifest["key"] is None
    assert "core.0001_initial" in manifest["migrations"]

    # The restore runs as a person would run it: `credo restore` against the new database.
    done = _credo("restore", str(archive), env=target.env(), stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert "check: 0 differences" in done.stdout
    assert "1 transcript versions whose content matches its hash" in done.stdout

    assert target.rows() == _source_rows()  # every table, every row
    assert _files(target.var / "media") == _files(Path(settings.MEDIA_ROOT))
    assert _files(target.var / "transcripts") == _files(Path(settings.CREDO_TRANSCRIPT_CACHE))
    assert len(_files(target.var / "media")) == 1
    # What Credo wrote under the new var/ is for its user only.
    for path in [target.var, *target.var.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))


@pytest.mark.django_db(transaction=True)
def test_backup_command_and_a_restore_that_carries_the_key_sealed(tmp_path, settings, target):
    from credo.credentials.kek import clear_cache
    from credo.credentials.keys import generate_kek

    kek = generate_kek()
    settings.CREDO_KEY_ENCRYPTION_KEY = kek  # the school's signing key is sealed under it
    clear_cache()
    _fill(tmp_path, settings)
    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE + "\n")
    archive = tmp_path / "with-key.tar.gz"
    manifest = backup.backup_create(
        sources=_sources(tmp_path, settings, kek_text=kek), out=archive, passphrase=PASSPHRASE
    )
    assert manifest["key"]["fingerprint"] == backup.kek_fingerprint(kek)
    # The key is never in the archive in the clear.
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            assert kek.encode() not in tar.extractfile(member).read()

    # Without the passphrase the restore refuses before writing anything.
    refused = _credo("restore", str(archive), env=target.env(), stdin=subprocess.DEVNULL)
    assert refused.returncode == 1
    assert "holds the key-encryption key" in refused.stderr
    assert not (target.var / "credo.sqlite3").exists()

    wrong = tmp_path / "wrong"
    wrong.write_text("not the passphrase at all\n")
    refused = _credo("restore", str(archive), "--passphrase-file", str(wrong), env=target.env())
    assert refused.returncode == 1
    assert "Wrong passphrase" in refused.stderr
    if target.pg_name is None:
        assert not (target.var / "credo.sqlite3").exists()

    done = _credo("restore", str(archive), "--passphrase-file", str(secret), env=target.env())
    assert done.returncode == 0, done.stderr
    kek_file = target.var / "credential-kek"
    assert kek_file.read_text().strip() == kek
    assert stat.S_IMODE(kek_file.stat().st_mode) == 0o600
    assert "opens the schools' keys" in done.stdout


def test_include_key_needs_a_passphrase_of_some_length():
    with pytest.raises(backup.BackupError, match="too short"):
        backup.seal_key("k" * 43, "short")
    sealed = backup.seal_key("k" * 43, PASSPHRASE)
    assert backup.open_key(sealed, PASSPHRASE) == "k" * 43
    with pytest.raises(backup.BackupError, match="Wrong passphrase"):
        backup.open_key(sealed, PASSPHRASE + "!")
    with pytest.raises(backup.BackupError, match="damaged"):
        backup.open_key(b"{}", PASSPHRASE)


@pytest.mark.django_db(transaction=True)
def test_the_backup_command_writes_into_a_folder_and_refuses_a_key_without_passphrase(
    tmp_path, settings, monkeypatch
):
    from django.core.management import CommandError, call_command

    _fill(tmp_path, settings)
    settings.VAR_DIR = tmp_path / "src"
    monkeypatch.delenv("CREDO_BACKUP_PASSPHRASE", raising=False)
    with pytest.raises(CommandError, match="needs a passphrase"):
        call_command("backup", "--out", str(tmp_path), "--include-key")
    out = io.StringIO()
    call_command("backup", "--out", str(tmp_path), stdout=out)
    written = list(tmp_path.glob("credo-backup-*.tar.gz"))
    assert len(written) == 1 and "Backed up to" in out.getvalue()
    assert backup.manifest_read(written[0])["media_files"] == 1


# --- refusals ------------------------------------------------------------------------------------------


@pytest.fixture
def archive(tmp_path, settings, transactional_db):
    _fill(tmp_path, settings)
    path = tmp_path / "credo.tar.gz"
    backup.backup_create(sources=_sources(tmp_path, settings), out=path)
    return path


def _rewrite(source: Path, dest: Path, change) -> Path:
    """Copy an archive member by member, letting `change(name, data)` alter each one."""
    with tarfile.open(source) as old, tarfile.open(dest, "w:gz") as new:
        for member in old.getmembers():
            data = change(member.name, old.extractfile(member).read())
            if data is None:
                continue
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))
    return dest


def _restore(path, target, **kwargs):
    return backup.restore_backup(path=path, sources=target.sources(), **kwargs)


def _untouched(target):
    if target.pg_name is None:
        assert not (target.var / "credo.sqlite3").exists()
    else:
        assert databases.database_is_empty(target.database, "postgresql") == (True, 0)
    assert not (target.var / "media").exists()


def test_a_damaged_file_in_the_archive_is_refused_and_nothing_is_written(archive, target, tmp_path):
    def flip(name, data):
        if "/database/" in name:
            return data[:-10] + bytes(b ^ 0xFF for b in data[-10:])
        return data

    bad = _rewrite(archive, tmp_path / "bad.tar.gz", flip)
    with pytest.raises(backup.BackupError, match="does not match its checksum"):
        _restore(bad, target)
    _untouched(target)


def test_a_truncated_archive_a_missing_member_or_an_extra_one_is_refused(archive, target, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(backup.BackupError, match="damaged"):
        _restore(truncated, target)

    missing = _rewrite(
        archive, tmp_path / "missing.tar.gz", lambda n, d: None if "/media/" in n else d
    )
    with pytest.raises(backup.BackupError, match="lacks 1 file"):
        _restore(missing, target)

    def with_extra(name: str, dest: Path) -> Path:
        with tarfile.open(archive) as old, tarfile.open(dest, "w:gz") as new:
            for member in old.getmembers():
                new.addfile(member, old.extractfile(member))
            info = tarfile.TarInfo(name)
            info.size = 1
            new.addfile(info, io.BytesIO(b"x"))
        return dest

    extra = with_extra("credo-backup/media/unlisted.txt", tmp_path / "extra.tar.gz")
    with pytest.raises(backup.BackupError, match="does not list"):
        _restore(extra, target)
    escaping = with_extra("credo-backup/media/../../evil", tmp_path / "escaping.tar.gz")
    with pytest.raises(backup.BackupError, match="outside its folder"):
        _restore(escaping, target)
    assert not (tmp_path / "evil").exists()
    _untouched(target)


def test_not_a_backup_a_newer_format_a_newer_credo_and_another_vendor_are_refused(
    archive, target, tmp_path
):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"hello")
    with pytest.raises(backup.BackupError, match="not a Credo backup"):
        _restore(junk, target)

    def manifest(change):
        def edit(name, data):
            if name == backup.MANIFEST:
                m = json.loads(data)
                change(m)
                return json.dumps(m).encode()
            return data

        return edit

    newer = _rewrite(
        archive, tmp_path / "newer.tar.gz", manifest(lambda m: m.update(format_version=99))
    )
    with pytest.raises(backup.BackupError, match="format version 99"):
        _restore(newer, target)

    future = _rewrite(
        archive,
        tmp_path / "future.tar.gz",
        manifest(lambda m: m["migrations"].append("mastery.9999_from_the_future")),
    )
    with pytest.raises(backup.BackupError, match="newer Credo"):
        _restore(future, target)

    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    foreign = _rewrite(
        archive, tmp_path / "foreign.tar.gz", manifest(lambda m: m["database"].update(vendor=other))
    )
    with pytest.raises(backup.BackupError, match=f"holds a {other} database"):
        _restore(foreign, target)

    lying = _rewrite(
        archive,
        tmp_path / "lying.tar.gz",
        manifest(lambda m: m["tables"].update(mastery_assessment=4)),
    )
    # SQLite: the copy is read before it is restored; PostgreSQL: the load's transaction fails.
    with pytest.raises(backup.BackupError, match="differ from the manifest|rows of the manifest"):
        _restore(lying, target)
    _untouched(target)


def test_a_database_that_is_not_empty_is_refused_unless_replaced(archive, target):
    report = _restore(archive, target)
    assert report.rows == sum(report.manifest["tables"].values())
    with pytest.raises(backup.BackupError, match="database is not empty"):
        _restore(archive, target)
    # Replacing overwrites the database and the folders, and gives the same rows again.
    (target.var / "media" / "stray.txt").write_text("left behind")
    again = _restore(archive, target, replace=True)
    assert again.rows == report.rows and again.media_files == 1
    assert not (target.var / "media" / "stray.txt").exists()


def test_media_that_is_not_empty_is_refused(archive, target):
    (target.var / "media").mkdir(parents=True)
    (target.var / "media" / "someone-else.txt").write_text("x")
    with pytest.raises(backup.BackupError, match="media folder .* is not empty"):
        _restore(archive, target)


# --- permissions ---------------------------------------------------------------------------------------


def test_credo_makes_its_files_private_and_tightens_what_was_left_open(tmp_path):
    varfiles.private_umask()  # what the settings did when this process started
    old = os.umask(0o077)
    os.umask(old)
    assert old == 0o077
    made = tmp_path / "var"
    varfiles.make_private_dir(made / "media")
    (made / "new.txt").write_text("x")
    assert stat.S_IMODE(made.stat().st_mode) == 0o700
    assert stat.S_IMODE((made / "media").stat().st_mode) == 0o700
    assert stat.S_IMODE((made / "new.txt").stat().st_mode) == 0o600

    (made / "media" / "old.pdf").write_text("x")
    os.chmod(made / "media" / "old.pdf", 0o644)
    os.chmod(made / "media", 0o755)  # noqa: S103 -- what an older install left
    os.chmod(made, 0o755)  # noqa: S103
    assert varfiles.tighten(made, recursive=False) == 2  # var/ and var/media, not below
    assert stat.S_IMODE((made / "media" / "old.pdf").stat().st_mode) == 0o644
    assert varfiles.tighten(made) == 1
    assert stat.S_IMODE((made / "media" / "old.pdf").stat().st_mode) == 0o600


@pytest.mark.any_database
def test_a_new_installation_var_folder_database_and_secret_key_are_private(tmp_path):
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CREDO_")}
    env.update(CREDO_VAR_DIR=str(var), DATABASE_URL=f"sqlite:///{var / 'credo.sqlite3'}")
    done = _credo("migrate", "--verbosity=0", env=env)
    assert done.returncode == 0, done.stderr
    for path in [var, *var.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, (path, oct(mode))
    assert {p.name for p in var.iterdir()} >= {"credo.sqlite3", "secret-key"}

    # An older installation's open files are closed when Credo next starts.
    os.chmod(var / "credo.sqlite3", 0o644)
    os.chmod(var, 0o755)  # noqa: S103 -- what an older install left
    done = _credo("migrate", "--verbosity=0", env=env)
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((var / "credo.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
