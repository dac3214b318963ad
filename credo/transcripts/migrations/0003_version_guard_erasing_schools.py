"""PostgreSQL's guard lets one thing through: the demo loader dropping its own invented schools.

It asks for a transaction-local setting (`credo.erasing_whole_schools`) that only
`credo.transcripts.guard.erasing_whole_schools` sets, inside the reset's own transaction, instead
of switching the trigger off (ALTER TABLE is refused while the transaction has pending deferred
foreign-key checks, and would lock the table for everyone). UPDATE is still always refused.
"""

from django.db import migrations

ERASABLE = """CREATE OR REPLACE FUNCTION transcripts_version_immutable() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND current_setting('credo.erasing_whole_schools', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'published transcript versions cannot be changed or deleted'
            USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql"""
STRICT = """CREATE OR REPLACE FUNCTION transcripts_version_immutable() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'published transcript versions cannot be changed or deleted'
            USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql"""


def _on_postgres(statement):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("transcripts", "0002_version_guard")]

    operations = [migrations.RunPython(_on_postgres(ERASABLE), _on_postgres(STRICT))]
