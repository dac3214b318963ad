"""A real credential from the demo: the CLR of the demo student with the most credits verifies,
each credit credential in it matches the OB 3.0 schema, and changing any field breaks it."""

import copy
from datetime import UTC, datetime

import pytest
from django.db.models import Count, Q

from credo.accounts.access import system_actor
from credo.credentials import selectors, services
from credo.credentials.tests.test_verification import _changed, _delete, _keys, _leaves, _set
from credo.credentials.verification import verify_document
from credo.credentials.verify import verify_credential

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@pytest.fixture
def demo_clr(settings, tmp_path):
    from credo.accounts.models import Student
    from credo.demo import loader as demo
    from credo.transcripts.services import transcript_publish

    settings.CREDO_BASE_URL = "https://credo.example.edu"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CREDO_TRANSCRIPT_CACHE = str(tmp_path / "transcripts")
    demo.load_demo(seed=7, students_per_school=12)
    top = (
        Student.objects.annotate(n=Count("awards", filter=Q(awards__revoked_at__isnull=True)))
        .order_by("-n", "pk")
        .first()
    )
    assert top.n >= 2, "the demo's best student has fewer than two credits"
    version = transcript_publish(actor=system_actor(), student=top).version
    return services.transcript_credential_issue(actor=system_actor(), version=version)


def test_a_demo_transcript_verifies_and_every_field_of_a_credit_is_signed(demo_clr):
    report = verify_document(demo_clr.document)
    assert report.valid, report.result.failures
    assert report.key_confirmed and not report.result.warnings
    embedded = demo_clr.document["credentialSubject"]["verifiableCredential"]
    schema = report.result.named("schema", path=None)
    assert len(schema) == len(embedded) and all(check.ok for check in schema)

    credential = max(embedded, key=lambda c: len(list(_leaves(c))))
    now = datetime.now(UTC)
    resolver = selectors.installation_key_resolver
    unnoticed = []
    for path, value in _leaves(credential):
        altered = copy.deepcopy(credential)
        _set(altered, path, _changed(value))
        if verify_credential(altered, now=now, key_resolver=resolver).valid:
            unnoticed.append(path)
    for path in _keys(credential):
        altered = copy.deepcopy(credential)
        _delete(altered, path)
        if verify_credential(altered, now=now, key_resolver=resolver).valid:
            unnoticed.append(("deleted", *path))
    assert unnoticed == []
