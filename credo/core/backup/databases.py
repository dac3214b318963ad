"""The database side of backups: SQLite's online backup API, or pg_dump/pg_restore/psql.

Each side reads the facts a manifest records (every table's row count, the migrations, the
transcript versions' hashes) from the very copy it archives, and checks them again on restore:
SQLite before the copy is put in place, PostgreSQL inside the transaction that loads the dump.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from credo.core.backup.errors import BackupError

# DATABASE_URL query options that are libpq connection settings (others, e.g. a pool, are Django's).
CONNINFO_OPTIONS = {
    "sslmode",
    "sslrootcert",
    "sslcert",
    "sslkey",
    "connect_timeout",
    "application_name",
    "options",
    "target_session_attrs",
}


def vendor_of(database: dict) -> str:
    """Return "sqlite" or "postgresql" for a Django DATABASES entry; refuse any other engine."""
    engine = database.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine!r}.")


def sqlite_name(database: dict) -> str:
    return str(database["NAME"])


def sqlite_connect(name: str, *, readonly: bool = False) -> sqlite3.Connection:
    if name.startswith("file:"):
        return sqlite3.connect(name, uri=True)
    if readonly:
        return sqlite3.connect(f"file:{Path(name).resolve()}?mode=ro", uri=True)
    return sqlite3.connect(name)


def pg_params(database: dict) -> dict:
    params = {
        "host": database.get("HOST") or None,
        "port": database.get("PORT") or None,
        "user": database.get("USER") or None,
        "password": database.get("PASSWORD") or None,
        "dbname": database.get("NAME") or None,
    }
    options = database.get("OPTIONS") or {}
    params.update({k: v for k, v in options.items() if k in CONNINFO_OPTIONS})
    return {k: v for k, v in params.items() if v is not None}


def pg_connect(database: dict):
    import psycopg

    try:
        return psycopg.connect(**pg_params(database))
    except psycopg.OperationalError as error:
        raise BackupError(f"Cannot connect to PostgreSQL: {error}".strip()) from error


def pg_env(database: dict) -> dict:
    """Return the environment for pg_dump/pg_restore: the password never on the command line."""
    names = {
        "host": "PGHOST",
        "port": "PGPORT",
        "user": "PGUSER",
        "password": "PGPASSWORD",
        "dbname": "PGDATABASE",
        "sslmode": "PGSSLMODE",
        "sslrootcert": "PGSSLROOTCERT",
        "sslcert": "PGSSLCERT",
        "sslkey": "PGSSLKEY",
    }
    env = dict(os.environ)
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c client_min_messages=warning".strip()
    for key, value in pg_params(database).items():
        if key in names:
            env[names[key]] = str(value)
    return env


def pg_tool(name: str) -> str:
    """Return the newest `pg_dump`/`pg_restore` on this machine (a newer one reads older servers)."""
    override = os.environ.get("CREDO_PG_BIN")
    candidates = [Path(override) / name] if override else []
    versions = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates += versions
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BackupError(
        f"{name} was not found: install PostgreSQL's client programs, or set CREDO_PG_BIN to "
        "the folder that holds them."
    )


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def tables_of(cursor, vendor: str) -> list[str]:
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    else:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    return [row[0] for row in cursor.fetchall()]


def read_facts(cursor, vendor: str) -> dict:
    """Return what the manifest records about a database: tables, migrations, transcript hashes."""
    from credo.transcripts.models import TranscriptVersion

    tables = tables_of(cursor, vendor)
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 -- a table name read from the catalogue
        counts[table] = cursor.fetchone()[0]
    migrations: list[str] = []
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
    versions = TranscriptVersion._meta.db_table
    transcripts = {"count": 0, "digest": hashlib.sha256().hexdigest(), "mismatched": []}
    if versions in counts:
        transcripts = _transcript_hashes(cursor, versions)
    return {"tables": counts, "migrations": migrations, "transcripts": transcripts}


def _transcript_hashes(cursor, table: str) -> dict:
    """Return the versions' count, a digest of their stored hashes, and those whose content differs."""
    from credo.transcripts.models import content_hash

    digest = hashlib.sha256()
    mismatched = []
    count = 0
    cursor.execute(f"SELECT id, content, content_hash FROM {quote(table)} ORDER BY id")  # noqa: S608
    while rows := cursor.fetchmany(500):
        for pk, content, stored in rows:
            count += 1
            digest.update(f"{pk} {stored}\n".encode())
            if isinstance(content, str | bytes):
                content = json.loads(content)
            if content_hash(content) != stored:
                mismatched.append(pk)
    return {"count": count, "digest": digest.hexdigest(), "mismatched": mismatched}


def dump_sqlite(database: dict, target: Path) -> dict:
    """Copy the SQLite database to `target` with the online backup API; return the copy's facts."""
    source = sqlite_connect(sqlite_name(database))
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # one step: a consistent snapshot, writers carry on meanwhile
        finally:
            copy.close()
    finally:
        source.close()
    copy = sqlite_connect(str(target), readonly=True)
    try:
        return read_facts(copy.cursor(), "sqlite")
    finally:
        copy.close()


def dump_postgres(database: dict, target: Path) -> dict:
    """Dump PostgreSQL with pg_dump on the snapshot its facts are read from; return the facts."""
    import psycopg

    tool = pg_tool("pg_dump")
    conn = pg_connect(database)
    try:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            facts = read_facts(cursor, "postgresql")
            done = subprocess.run(  # noqa: S603 -- fixed program, arguments from our settings
                [tool, "--format=custom", f"--snapshot={snapshot}", f"--file={target}"],
                env=pg_env(database),
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    finally:
        conn.close()
    return facts


def database_is_empty(database: dict, vendor: str) -> tuple[bool, int]:
    """Return whether the database holds no tables, and how many rows it holds otherwise."""
    if vendor == "sqlite":
        name = sqlite_name(database)
        if not name.startswith("file:") and not Path(name).exists():
            return True, 0
        conn = sqlite_connect(name)
        try:
            tables = tables_of(conn.cursor(), vendor)
            rows = sum(
                conn.execute(f"SELECT COUNT(*) FROM {quote(t)}").fetchone()[0]  # noqa: S608
                for t in tables
            )
        finally:
            conn.close()
    else:
        conn = pg_connect(database)
        try:
            with conn.cursor() as cursor:
                tables = tables_of(cursor, vendor)
                rows = 0
                for t in tables:
                    cursor.execute(f"SELECT COUNT(*) FROM {quote(t)}")  # noqa: S608
                    rows += cursor.fetchone()[0]
        finally:
            conn.close()
    return not tables, rows


def restore_sqlite(copy: Path, database: dict, manifest: dict) -> None:
    """Check the archived copy, then copy it into the database with the online backup API."""
    conn = sqlite_connect(str(copy), readonly=True)
    try:
        problem = conn.execute("PRAGMA quick_check").fetchone()[0]
        if problem != "ok":
            raise BackupError(f"The database in the backup fails SQLite's check: {problem}.")
        compare_facts(read_facts(conn.cursor(), "sqlite"), manifest, "The database in the backup")
        name = sqlite_name(database)
        if not name.startswith("file:"):
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        target = sqlite_connect(name)
        try:
            conn.backup(target)
            # Leave the restored file in WAL mode now, while one connection holds it: otherwise
            # the server's first connections would all switch it at once, and SQLite answers all
            # but one "database is locked" without waiting.
            target.execute("PRAGMA journal_mode=WAL")
        finally:
            target.close()
    finally:
        conn.close()


def restore_postgres(dump: Path, database: dict, manifest: dict, *, replace: bool) -> None:
    """Load the custom-format dump in one transaction: all or nothing, replaced tables included.

    pg_restore turns the dump into SQL; psql runs it (after dropping the tables when replacing)
    as a single transaction, so a failure leaves the database as it was.
    """
    script = dump.with_suffix(".sql")
    done = subprocess.run(  # noqa: S603 -- fixed program, arguments from our settings
        [pg_tool("pg_restore"), "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
        env=pg_env(database),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore cannot read the dump; nothing was restored: {done.stderr}")
    drops = dump.with_suffix(".drop.sql")
    statements = []
    if replace:
        conn = pg_connect(database)
        try:
            with conn.cursor() as cursor:
                statements = _pg_drop_statements(cursor)
        finally:
            conn.close()
    drops.write_text("\n".join(statements) + "\n")
    checks = dump.with_suffix(".check.sql")
    checks.write_text(_pg_checks(manifest))
    done = subprocess.run(  # noqa: S603
        [
            pg_tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            f"--file={drops}",
            f"--file={script}",
            f"--file={checks}",
        ],
        env=pg_env(database),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(
            f"Restoring into PostgreSQL failed; nothing was changed: {_psql_error(done.stderr)}"
        )


def _pg_drop_statements(cursor) -> list[str]:
    """Return the SQL that empties the current schema of what a dump of Credo creates.

    Tables (with their indexes, constraints, triggers and owned sequences), then the functions
    the migrations made (the transcript guard's trigger functions) and any sequence left;
    extensions' own functions stay.
    """
    statements = [
        f"DROP TABLE IF EXISTS {quote(t)} CASCADE;" for t in tables_of(cursor, "postgresql")
    ]
    cursor.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p WHERE p.pronamespace = "
        "current_schema()::regnamespace AND NOT EXISTS (SELECT 1 FROM pg_depend d "
        "WHERE d.objid = p.oid AND d.deptype = 'e') ORDER BY 1"
    )
    statements += [f"DROP FUNCTION IF EXISTS {row[0]} CASCADE;" for row in cursor.fetchall()]
    cursor.execute(
        "SELECT sequence_name FROM information_schema.sequences "
        "WHERE sequence_schema = current_schema() ORDER BY 1"
    )
    statements += [f"DROP SEQUENCE IF EXISTS {quote(r[0])} CASCADE;" for r in cursor.fetchall()]
    return statements


def _psql_error(stderr: str) -> str:
    """Return the error lines of psql's output (not the notices before them)."""
    lines = [line for line in stderr.splitlines() if "ERROR" in line or "FATAL" in line]
    return "; ".join(lines)[:2000] or stderr.strip()[:2000]


def _pg_checks(manifest: dict) -> str:
    """Return SQL that fails the restore's transaction unless the rows match the manifest."""
    from credo.transcripts.models import TranscriptVersion

    # Table names are quoted, counts are integers and the digest is hex: nothing of the manifest
    # reaches the SQL unescaped.
    lines = ["RESET search_path;", "DO $check$ BEGIN"]  # pg_dump's script empties it
    tables = manifest["tables"]
    lines.append(
        "IF (SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "  # noqa: S608
        f"AND table_type = 'BASE TABLE') <> {len(tables)} THEN RAISE EXCEPTION "
        f"'the restored database does not have the {len(tables)} tables of the manifest'; END IF;"
    )
    for table, count in sorted(tables.items()):
        name = table.replace("'", "''")
        lines.append(
            f"IF (SELECT count(*) FROM {quote(table)}) <> {int(count)} THEN RAISE EXCEPTION "  # noqa: S608
            f"'table {name} does not have the {int(count)} rows of the manifest'; END IF;"
        )
    versions = TranscriptVersion._meta.db_table
    if versions in tables:
        digest = str(manifest["transcript_versions"]["digest"])
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise BackupError(
                "The manifest's transcript digest is not a SHA-256; the archive is damaged."
            )
        lines.append(
            "IF encode(sha256(convert_to(coalesce((SELECT string_agg(id || ' ' || content_hash "  # noqa: S608
            f"|| E'\\n', '' ORDER BY id) FROM {quote(versions)}), ''), 'UTF8')), 'hex') <> "
            f"'{digest}' THEN RAISE EXCEPTION 'the transcript versions'' content hashes differ "
            "from the manifest'; END IF;"
        )
    lines.append("END $check$;")
    return "\n".join(lines) + "\n"


def read_back(database: dict, vendor: str) -> dict:
    if vendor == "sqlite":
        conn = sqlite_connect(sqlite_name(database))
        try:
            return read_facts(conn.cursor(), vendor)
        finally:
            conn.close()
    conn = pg_connect(database)
    try:
        with conn.cursor() as cursor:
            return read_facts(cursor, vendor)
    finally:
        conn.close()


def compare_facts(facts: dict, manifest: dict, where: str) -> None:
    if facts["tables"] != manifest["tables"]:
        differing = sorted(
            t
            for t in set(facts["tables"]) | set(manifest["tables"])
            if facts["tables"].get(t) != manifest["tables"].get(t)
        )
        first = differing[0]
        raise BackupError(
            f"{where}: {len(differing)} table(s) differ from the manifest (first: {first}, "
            f"{facts['tables'].get(first)} rows against {manifest['tables'].get(first)}). "
        )
    tv = manifest["transcript_versions"]
    if (facts["transcripts"]["count"], facts["transcripts"]["digest"]) != (
        tv["count"],
        tv["digest"],
    ):
        raise BackupError(
            f"{where}: the transcript versions' content hashes differ from the manifest."
        )
    if facts["transcripts"]["mismatched"]:
        ids = ", ".join(map(str, facts["transcripts"]["mismatched"][:5]))
        raise BackupError(
            f"{where}: the content of transcript version(s) {ids} no longer matches its hash."
        )
