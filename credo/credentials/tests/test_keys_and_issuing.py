"""School keys (sealed at rest, rotation) and issuing credentials for awards and transcripts."""

import os
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from credo.accounts.access import system_actor
from credo.core.errors import NotAllowed, ValidationError
from credo.core.models import AuditEvent
from credo.credentials import kek, keys, selectors, services
from credo.credentials.models import (
    CredentialKind,
    ImmutableCredentialError,
    IssuedCredential,
    SchoolKey,
)
from credo.credentials.tests.builders import CASE_BASE, awarded_student, publish
from credo.credentials.verify import verify_credential
from credo.mastery.models import CreditAward

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def credential_settings(settings, tmp_path):
    settings.CREDO_BASE_URL = "https://credo.example.edu"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CREDO_TRANSCRIPT_CACHE = str(tmp_path / "transcripts")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings


def _private(key: SchoolKey) -> bytes:
    return keys.decrypt_private_key(
        key.encrypted_private_key, kek.key_encryption_key(), associated_data=key.associated_data()
    )


# --- keys ----------------------------------------------------------------------------------------


def test_a_new_school_gets_a_sealed_signing_key(hill):
    key = SchoolKey.objects.get(school=hill.school)
    assert key.active and key.public_key_multibase.startswith("z6Mk")
    assert key.encrypted_private_key.startswith("credo-ed25519-aesgcm-v1:")
    seed = _private(key)
    assert keys.key_pair_from_seed(seed).public_key_multibase == key.public_key_multibase
    assert seed.hex() not in key.encrypted_private_key
    assert AuditEvent.objects.filter(action="signing_key.created", target_id=str(key.pk)).exists()


def test_a_sealed_key_does_not_open_on_another_school_row(hill, dale):
    mine = SchoolKey.objects.get(school=hill.school)
    theirs = SchoolKey.objects.get(school=dale.school)
    with pytest.raises(keys.KeyDecryptionError):
        keys.decrypt_private_key(
            mine.encrypted_private_key,
            kek.key_encryption_key(),
            associated_data=theirs.associated_data(),
        )


def test_the_kek_comes_from_the_settings_when_given(settings):
    text = keys.generate_kek()
    settings.CREDO_KEY_ENCRYPTION_KEY = text
    kek.clear_cache()
    try:
        assert kek.key_encryption_key() == keys.load_kek(text)
        settings.CREDO_KEY_ENCRYPTION_KEY = "not a key"
        kek.clear_cache()
        with pytest.raises(ImproperlyConfigured, match="CREDO_KEY_ENCRYPTION_KEY"):
            kek.key_encryption_key()
    finally:
        kek.clear_cache()


def test_without_a_setting_the_kek_is_generated_once_in_a_private_file(settings, tmp_path):
    settings.CREDO_KEY_ENCRYPTION_KEY = ""
    settings.VAR_DIR = tmp_path / "var"
    kek.clear_cache()
    try:
        first = kek.key_encryption_key()
        path = tmp_path / "var" / kek.KEK_FILE_NAME
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        kek.clear_cache()
        assert kek.key_encryption_key() == first
        assert settings.SECRET_KEY.encode() not in path.read_bytes()
        os.chmod(path, 0o644)
        kek.clear_cache()
        with pytest.raises(ImproperlyConfigured, match="chmod 600"):
            kek.key_encryption_key()
    finally:
        kek.clear_cache()


def test_rotation_retires_the_key_and_keeps_it_published(hill):
    old = SchoolKey.objects.get(school=hill.school)
    new = services.school_key_rotate(actor=hill.admin, school=hill.school, reason="yearly")
    old.refresh_from_db()
    assert not old.active and old.retired_reason == "yearly" and new.active
    document = selectors.issuer_document(hill.school)
    published = [m["publicKeyMultibase"] for m in document["verificationMethod"]]
    assert published == [old.public_key_multibase, new.public_key_multibase]
    assert document["assertionMethod"] == [
        f"{document['id']}#{old.public_key_multibase}",
        f"{document['id']}#{new.public_key_multibase}",
    ]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"signing_key.retired", "signing_key.created"} <= actions


def test_only_managers_rotate(hill):
    with pytest.raises(NotAllowed):
        services.school_key_rotate(actor=hill.teacher, school=hill.school)
    with pytest.raises(ValidationError) as error:
        services.school_key_rotate(actor=hill.admin, school=hill.school, reason="x" * 201)
    assert "reason" in error.value.message_dict
    assert SchoolKey.objects.filter(school=hill.school).count() == 1


# --- issuing -------------------------------------------------------------------------------------


def test_publishing_issues_a_clr_embedding_a_credential_per_earned_credit(
    hill, django_capture_on_commit_callbacks
):
    student = awarded_student(hill)
    with django_capture_on_commit_callbacks(execute=True):
        version = publish(hill, student)
    clr = IssuedCredential.objects.get(kind=CredentialKind.CLR, transcript_version=version)
    awards = IssuedCredential.objects.filter(kind=CredentialKind.ACHIEVEMENT, student=student)
    assert awards.count() == 2
    embedded = clr.document["credentialSubject"]["verifiableCredential"]
    assert sorted(c["id"] for c in embedded) == sorted(a.credential_id for a in awards)
    result = verify_credential(
        clr.document, now=clr.issued_at, key_resolver=selectors.installation_key_resolver
    )
    assert result.valid, result.failures
    assert not result.warnings, result.warnings  # keys confirmed by this installation
    associations = clr.document["credentialSubject"]["association"]
    assert {
        (a["sourceId"].rsplit("/", 1)[1], a["targetId"].rsplit("/", 1)[1]) for a in associations
    } == {
        ("F1", "A"),
        ("F2", "B"),
    }


def test_the_achievement_credential_says_what_the_transcript_says(hill):
    student = awarded_student(hill)
    version = publish(hill, student)
    services.transcript_credential_issue(actor=system_actor(), version=version)
    issued = IssuedCredential.objects.get(
        kind=CredentialKind.ACHIEVEMENT, award__credit=hill.credits["all"]
    )
    document = issued.document
    achievement = document["credentialSubject"]["achievement"]
    assert achievement["criteria"]["narrative"] == "Shows inquiry."
    assert achievement["id"] == "https://credo.example.edu/issuers/hill/achievements/F1"
    assert document["issuer"]["id"] == "https://credo.example.edu/issuers/hill"
    result = document["credentialSubject"]["result"][0]
    assert result["achievedLevel"] == achievement["id"] + "#foundational"
    assert achievement["resultDescription"][0]["requiredLevel"] == result["achievedLevel"]
    alignments = achievement["alignment"]
    assert [a["targetCode"] for a in alignments] == ["SCI.1", "SCI.2"]
    assert all(a["targetType"] == "CFItem" for a in alignments)
    assert alignments[0]["targetUrl"] == f"{CASE_BASE}/CFItems/00000000-0000-4000-8000-000000000001"
    assert [e["name"] for e in document["evidence"]] == ["River study report"]
    assert "Careful, patient fieldwork" in document["credentialSubject"]["narrative"]
    names = document["credentialSubject"]["identifier"]
    assert names == [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": student.full_name,
        }
    ]
    other = IssuedCredential.objects.get(
        kind=CredentialKind.ACHIEVEMENT, award__credit=hill.credits["count"]
    )
    evidence = {e["name"]: e for e in other.document["evidence"]}
    assert evidence["Field notebook online"]["id"] == "https://example.org/notebook"
    assert "SHA-256" in evidence["Short film on the water cycle"]["description"]
    assert (
        document["validFrom"].endswith("Z")
        and document["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    )
    assert (
        document["proof"][0]["verificationMethod"]
        == f"{document['issuer']['id']}#{issued.key.public_key_multibase}"
    )


def test_competencies_outside_case_align_to_the_issuer(hill):
    student = awarded_student(hill, case=False)
    version = publish(hill, student)
    clr = services.transcript_credential_issue(actor=system_actor(), version=version)
    first = clr.document["credentialSubject"]["verifiableCredential"][0]
    alignment = first["credentialSubject"]["achievement"]["alignment"][0]
    assert "targetType" not in alignment
    assert alignment["targetUrl"].startswith("https://credo.example.edu/issuers/hill/competencies/")


def test_unchanged_credits_keep_their_credential_and_changed_ones_are_superseded(hill):
    from credo.transcripts.services import comment_add

    student = awarded_student(hill)
    first = services.transcript_credential_issue(
        actor=system_actor(), version=publish(hill, student)
    )
    before = {c.award_id: c for c in IssuedCredential.objects.filter(kind="achievement")}
    comment_add(
        actor=hill.teacher, student=student, credit=hill.credits["count"], body="Strong film."
    )
    second = services.transcript_credential_issue(
        actor=system_actor(), version=publish(hill, student)
    )
    assert second.supersedes_id == first.pk
    after = {
        c.award_id: c
        for c in IssuedCredential.objects.filter(kind="achievement", superseded_by__isnull=True)
    }
    all_award = CreditAward.objects.get(credit=hill.credits["all"])
    count_award = CreditAward.objects.get(credit=hill.credits["count"])
    assert after[all_award.pk].pk == before[all_award.pk].pk
    assert after[count_award.pk].supersedes_id == before[count_award.pk].pk
    statuses = selectors.credential_statuses(IssuedCredential.objects.all())
    assert statuses[first.pk].state == "superseded"
    assert statuses[second.pk].state == "current"
    assert statuses[before[count_award.pk].pk].state == "superseded"
    assert statuses[before[all_award.pk].pk].state == "current"


def test_a_clr_is_issued_once_per_version(hill):
    version = publish(hill, awarded_student(hill))
    first = services.transcript_credential_issue(actor=system_actor(), version=version)
    assert (
        services.transcript_credential_issue(actor=system_actor(), version=version).pk == first.pk
    )
    assert IssuedCredential.objects.filter(kind="clr").count() == 1


def test_no_clr_without_an_earned_credit(hill):
    version = publish(hill, hill.students[1])
    with pytest.raises(ValidationError, match="no earned credit"):
        services.transcript_credential_issue(actor=system_actor(), version=version)
    assert not IssuedCredential.objects.exists()


def test_signing_after_rotation_uses_the_new_key_and_old_credentials_still_verify(hill):
    student = awarded_student(hill)
    old = services.transcript_credential_issue(actor=system_actor(), version=publish(hill, student))
    services.school_key_rotate(actor=hill.registrar, school=hill.school)
    from credo.transcripts.services import comment_add

    comment_add(actor=hill.teacher, student=student, credit=hill.credits["all"], body="More.")
    new = services.transcript_credential_issue(actor=system_actor(), version=publish(hill, student))
    assert new.key_id != old.key_id
    for issued in (old, new):
        result = verify_credential(
            issued.document, now=new.issued_at, key_resolver=selectors.installation_key_resolver
        )
        assert result.valid and not result.warnings, result.failures + result.warnings


def test_issued_credentials_cannot_be_changed_or_deleted(hill):
    issued = services.transcript_credential_issue(
        actor=system_actor(), version=publish(hill, awarded_student(hill))
    )
    issued.document["name"] = "Forged"
    with pytest.raises(ImmutableCredentialError):
        issued.save()
    with pytest.raises(ImmutableCredentialError):
        issued.delete()
    with pytest.raises(ImmutableCredentialError):
        IssuedCredential.objects.filter(pk=issued.pk).update(document={})


def test_revoking_needs_a_manager_and_a_reason(hill):
    issued = services.transcript_credential_issue(
        actor=system_actor(), version=publish(hill, awarded_student(hill))
    )
    with pytest.raises(NotAllowed):
        services.credential_revoke(actor=hill.teacher, credential=issued, reason="no")
    with pytest.raises(ValidationError) as error:
        services.credential_revoke(actor=hill.registrar, credential=issued, reason="  ")
    assert "reason" in error.value.message_dict
    assert IssuedCredential.objects.get(pk=issued.pk).revoked_at is None
    services.credential_revoke(actor=hill.registrar, credential=issued, reason="Issued in error.")
    assert (
        selectors.credential_status(IssuedCredential.objects.get(pk=issued.pk)).state == "revoked"
    )
    assert AuditEvent.objects.filter(action="credential.revoked").count() == 1


def test_a_revoked_award_revokes_its_credential(hill):
    from credo.mastery.services import credit_award_revoke

    student = awarded_student(hill)
    services.transcript_credential_issue(actor=system_actor(), version=publish(hill, student))
    award = CreditAward.objects.get(credit=hill.credits["all"], student=student)
    credit_award_revoke(actor=hill.registrar, award=award, reason="Plagiarised report.")
    issued = IssuedCredential.objects.get(award=award)
    status = selectors.credential_status(issued)
    assert status.state == "revoked" and "Plagiarised report." in status.message


def test_award_credential_issue_on_its_own(hill):
    student = awarded_student(hill)
    award = CreditAward.objects.get(credit=hill.credits["all"], student=student)
    issued = services.award_credential_issue(actor=hill.registrar, award=award)
    assert issued.kind == CredentialKind.ACHIEVEMENT
    assert services.award_credential_issue(actor=hill.registrar, award=award).pk == issued.pk
    with pytest.raises(NotAllowed):
        services.award_credential_issue(actor=hill.teacher, award=award)
