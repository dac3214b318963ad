"""Migration 0004 hashes the share-link tokens already handed out: those links keep working, and
no clear token is left in the database."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from credo.transcripts.access import find_share_link
from credo.transcripts.models import ShareLink
from credo.transcripts.services import share_link_create, transcript_publish
from credo.transcripts.tests.builders import rich_student

BEFORE = [("transcripts", "0003_version_guard_erasing_schools")]
AFTER = [("transcripts", "0004_sharelink_token_hashed")]
HANDED_OUT = "a-token-handed-out-before-the-upgrade-0123456789"


@pytest.fixture
def back_to_the_newest_schema():
    """Migrate every app forward to its newest migration afterwards: going back to 0003 also
    unapplied the migrations that came after it on other lines, which later tests need."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_links_made_before_the_upgrade_keep_working(hill, back_to_the_newest_schema):
    student = rich_student(hill)
    version = transcript_publish(actor=hill.registrar, student=student, note="").version
    link = share_link_create(actor=student.user, version=version, recipient="Old College")

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("transcripts", "ShareLink")
    old.objects.filter(pk=link.pk).update(token=HANDED_OUT)  # as an older Credo stored it

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    with connection.cursor() as cursor:
        columns = {
            c.name
            for c in connection.introspection.get_table_description(cursor, "transcripts_sharelink")
        }
    assert "token" not in columns and "token_hash" in columns
    stored = ShareLink.objects.get(pk=link.pk)
    assert (
        stored.token_hash == ShareLink.hash_token(HANDED_OUT)
        and HANDED_OUT not in stored.token_hash
    )
    assert find_share_link(token=HANDED_OUT).pk == link.pk
    response = Client().get(f"/t/{HANDED_OUT}/")
    assert response.status_code == 200 and "Old College" in response.content.decode()
