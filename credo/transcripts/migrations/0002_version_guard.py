"""A database-level guard: published transcript versions are never updated or deleted.

The model and its queryset already refuse; this catches everything else (raw SQL, other tools).

- PostgreSQL: a row trigger raises on UPDATE and DELETE. Flushing a whole database uses
  TRUNCATE, which row triggers do not see.
- SQLite: UPDATE always aborts. DELETE aborts unless `credo_version_erasable()` returns 1;
  Credo registers that function on its own connections (credo.transcripts.guard) and it says
  yes only while the whole database is being flushed. Any other client lacks the function, so
  its DELETE fails too.
"""

from django.db import migrations

TABLE = "transcripts_transcriptversion"

SQLITE_UP = [
    f"""CREATE TRIGGER transcripts_version_no_update BEFORE UPDATE ON {TABLE}
    BEGIN SELECT RAISE(ABORT, 'published transcript versions cannot be changed'); END""",
    f"""CREATE TRIGGER transcripts_version_no_delete BEFORE DELETE ON {TABLE}
    WHEN credo_version_erasable() = 0
    BEGIN SELECT RAISE(ABORT, 'published transcript versions cannot be deleted'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS transcripts_version_no_update",
    "DROP TRIGGER IF EXISTS transcripts_version_no_delete",
]
POSTGRES_UP = [
    """CREATE OR REPLACE FUNCTION transcripts_version_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'published transcript versions cannot be changed or deleted'
            USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER transcripts_version_immutable BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION transcripts_version_immutable()""",
]
POSTGRES_DOWN = [
    f"DROP TRIGGER IF EXISTS transcripts_version_immutable ON {TABLE}",
    "DROP FUNCTION IF EXISTS transcripts_version_immutable()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("transcripts", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
