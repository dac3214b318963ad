"""Published versions cannot be changed or erased through any path: model, queryset, raw SQL
(the database trigger), the admin, and the API."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models.deletion import ProtectedError
from django.urls import NoReverseMatch, reverse

from credo.accounts.models import Student
from credo.testing import make_user
from credo.transcripts.models import ImmutableVersionError, TranscriptVersion
from credo.transcripts.services import transcript_publish
from credo.transcripts.tests.builders import rich_student

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(hill):
    student = rich_student(hill)
    return transcript_publish(actor=hill.registrar, student=student).version


def unchanged(version):
    fresh = TranscriptVersion.objects.get(pk=version.pk)
    assert fresh.content == version.content and fresh.content_hash == version.content_hash
    assert fresh.number == version.number and fresh.hash_matches()


def test_the_model_refuses_save_and_delete(version):
    version.content = {
        **version.content,
        "story": {"text": "Rewritten", "approved_on": "2026-01-01"},
    }
    with pytest.raises(ImmutableVersionError):
        version.save()
    with pytest.raises(ImmutableVersionError):
        version.save(update_fields=["note"])
    with pytest.raises(ImmutableVersionError):
        version.delete()
    version.refresh_from_db()
    unchanged(version)


def test_the_queryset_refuses_bulk_changes(version):
    qs = TranscriptVersion.objects.filter(pk=version.pk)
    with pytest.raises(ImmutableVersionError):
        qs.update(note="changed")
    with pytest.raises(ImmutableVersionError):
        qs.delete()
    with pytest.raises(ImmutableVersionError):
        TranscriptVersion.objects.bulk_update([version], ["note"])
    with pytest.raises(ImmutableVersionError):
        TranscriptVersion.objects.update_or_create(pk=version.pk, defaults={"note": "x"})
    unchanged(version)


def test_a_row_with_a_forged_hash_is_refused(hill):
    student = hill.students[1]
    with pytest.raises(ValueError, match="content_hash"):
        TranscriptVersion(
            school=hill.school, student=student, number=1, content={"a": 1}, content_hash="0" * 64
        ).save()


def test_reusing_a_published_primary_key_is_refused(version):
    from credo.transcripts.models import content_hash

    clone = TranscriptVersion(
        pk=version.pk,
        school_id=version.school_id,
        student_id=version.student_id,
        number=version.number,
        content={"forged": True},
        content_hash=content_hash({"forged": True}),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        clone.save()
    unchanged(version)


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE transcripts_transcriptversion SET note = 'changed' WHERE id = %s",
        "UPDATE transcripts_transcriptversion SET content_hash = 'x' WHERE id = %s",
        "DELETE FROM transcripts_transcriptversion WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_sql(version, sql):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [version.pk])
    unchanged(version)


def test_erasing_the_student_or_school_cannot_sweep_versions_away(version, hill):
    with pytest.raises(ProtectedError):
        Student.objects.get(pk=version.student_id).delete()
    with pytest.raises(ProtectedError):
        hill.school.delete()
    unchanged(version)


def test_the_admin_shows_versions_read_only(version, client, admin_mounted):
    from credo.testing import login_verified

    root = make_user("root", is_staff=True, is_superuser=True)
    login_verified(client, root)  # the admin lets in only superusers with a second factor
    change = reverse("admin:transcripts_transcriptversion_change", args=[version.pk])
    page = client.get(change)
    assert page.status_code == 200 and b"Save" not in page.content  # a view-only page
    assert client.post(change, {"note": "changed", "content": "{}"}).status_code == 403
    delete = reverse("admin:transcripts_transcriptversion_delete", args=[version.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    add = reverse("admin:transcripts_transcriptversion_add")
    assert client.get(add).status_code == 403
    changelist = reverse("admin:transcripts_transcriptversion_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [version.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    unchanged(version)


def test_the_api_offers_no_way_to_change_a_version(version, client, hill):
    """Whatever the API exposes about transcripts, no operation writes to a published version."""
    try:
        schema_url = reverse("rest:openapi-json")
    except NoReverseMatch:
        pytest.skip("the REST API is not mounted in this tree")
    schema = client.get(schema_url).json()
    version_paths = [p for p in schema.get("paths", {}) if "transcripts" in p]
    assert version_paths, "the API has no transcript endpoints to check"
    for path in version_paths:
        assert not set(schema["paths"][path]) & {"put", "patch", "delete"}, (
            f"{path} would change a version"
        )
    detail = f"/api/schools/{hill.school.slug}/transcripts/{version.public_id}"
    for method in (client.put, client.patch, client.delete, client.post):
        assert method(detail, data="{}", content_type="application/json").status_code in (
            401,
            403,
            404,
            405,
        )
    unchanged(version)


def test_only_the_demo_reset_may_erase_versions_and_only_inside_its_block(version):
    """`erasing_whole_schools` opens the guard for DELETE inside its block and transaction only."""
    from credo.transcripts.guard import erasing_whole_schools

    delete = "DELETE FROM transcripts_transcriptversion WHERE id = %s"
    with transaction.atomic():
        with erasing_whole_schools(connection):
            pass
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(delete, [version.pk])  # once the block is left: refused again
        with erasing_whole_schools(connection), connection.cursor() as cursor:
            cursor.execute(delete, [version.pk])
    assert not TranscriptVersion.objects.filter(pk=version.pk).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL flushes with TRUNCATE")
def test_a_flush_is_recognised_by_what_it_calls_not_by_a_function_name(version):
    """The SQLite guard opens for Django's own flush (`ops.execute_sql_flush`, marked explicitly);
    a function that merely carries that name, as a stack walk would have trusted, is refused."""
    delete = f"DELETE FROM transcripts_transcriptversion WHERE id = {int(version.pk)}"  # noqa: S608

    def execute_sql_flush():
        with connection.cursor() as cursor:
            cursor.execute(delete)

    with pytest.raises(IntegrityError), transaction.atomic():
        execute_sql_flush()
    unchanged(version)
    with transaction.atomic():
        connection.ops.execute_sql_flush([delete])
        assert not TranscriptVersion.objects.filter(pk=version.pk).exists()
        transaction.set_rollback(True)
