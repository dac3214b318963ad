"""`credo verify` and verify_document: offline checks plus this installation's keys and records."""

import copy
import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from credo.accounts.access import system_actor
from credo.credentials import documents, proofs, selectors, services
from credo.credentials.models import IssuedCredential, SchoolKey
from credo.credentials.tests.builders import awarded_student, publish
from credo.credentials.tests.conftest import INTEROP, read_json
from credo.credentials.verification import describe, verify_document
from credo.credentials.verify import verify_credential

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def credential_settings(settings, tmp_path):
    settings.CREDO_BASE_URL = "https://credo.example.edu"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CREDO_TRANSCRIPT_CACHE = str(tmp_path / "transcripts")
    return settings


@pytest.fixture
def clr(hill):
    """The CLR of a published transcript with two earned credits (CASE-aligned, with evidence)."""
    return services.transcript_credential_issue(
        actor=system_actor(), version=publish(hill, awarded_student(hill))
    )


def _run(tmp_path, document, *args):
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(document) if not isinstance(document, str) else document)
    try:
        call_command("verify", str(path), *args)
    except SystemExit as exit_:
        return exit_.code
    return 0


# --- the command ---------------------------------------------------------------------------------


def test_verify_a_clr_this_installation_issued(tmp_path, clr, capsys):
    assert _run(tmp_path, clr.document) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID: CLR transcript “Mastery Transcript of Student")
    assert out.count("Key: The signing key was confirmed as the issuer's") == 3  # CLR + 2 credits
    assert (
        "[ok  ] Current, superseded or revoked: current: the current transcript (version 1)" in out
    )
    assert "[ok  ] Issued by this installation" in out
    assert "FAIL" not in out and "warn" not in out


def test_exit_codes(tmp_path, clr, capsys):
    assert _run(tmp_path, clr.document) == 0
    broken = copy.deepcopy(clr.document)
    broken["name"] = "Someone else's transcript"
    assert _run(tmp_path, broken) == 1
    assert _run(tmp_path, "{not json") == 2
    assert _run(tmp_path, "") == 2
    assert "unreadable" in capsys.readouterr().err
    try:
        call_command("verify", str(tmp_path / "missing.json"))
    except SystemExit as exit_:
        assert exit_.code == 2
    assert _run(tmp_path, ["a", "list"]) == 1


def test_json_output(tmp_path, clr, capsys):
    assert _run(tmp_path, clr.document, "--json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["valid"] is True
    assert [c["key"] for c in data["credentials"]] == ["confirmed"] * 3
    assert {c["status"] for c in data["credentials"]} == {"current"}


def test_a_credential_from_elsewhere_says_the_key_was_only_taken_from_the_method(tmp_path, capsys):
    if not INTEROP.is_dir():
        pytest.skip(f"interop test material not found at {INTEROP}")
    assert _run(tmp_path, read_json(INTEROP / "ob3-samples/simple.json")) == 0
    out = capsys.readouterr().out
    assert (
        "Key: The signing key was only taken from the credential's verification method (offline)"
        in out
    )
    assert "Issued by this installation" not in out


@pytest.mark.interop
@pytest.mark.parametrize(
    "name, code",
    [
        ("simple.json", 0),
        ("simple-did-key-method.json", 0),
        ("simple-eddsa-2022.json", 0),
        ("complete.json", 0),
        ("simple-noproof.json", 1),
        ("simple-err-context.json", 1),
        ("simple-err-credential-subject-type.json", 1),
        ("simple-err-evidence-type.json", 1),
        ("simple-err-expired.json", 1),
        ("simple-err-issuer.json", 1),
        ("simple-err-proof-value.json", 1),
        ("simple-err-type.json", 1),
    ],
)
def test_the_1edtech_samples_through_the_command(tmp_path, capsys, name, code):
    if not INTEROP.is_dir():
        pytest.skip(f"interop test material not found at {INTEROP}")
    assert _run(tmp_path, read_json(INTEROP / "ob3-samples" / name), "--json") == code
    checks = json.loads(capsys.readouterr().out)["checks"]
    if name.startswith("simple-err-"):
        reason = name.removeprefix("simple-err-").removesuffix(".json")
        assert any(c["name"] == reason and not c["ok"] for c in checks), checks


@pytest.mark.interop
@pytest.mark.parametrize(
    "name", ["clr2-samples/simple.json", "ob3-vectors/obv3p0.json", "ob3-vectors/clrv2p0.json"]
)
def test_the_clr_sample_and_the_vectors_through_the_command(tmp_path, name):
    if not INTEROP.is_dir():
        pytest.skip(f"interop test material not found at {INTEROP}")
    document = read_json(INTEROP / name)
    document = document.get("signed_credential", document)
    assert _run(tmp_path, document) == 0


# --- statuses and keys ---------------------------------------------------------------------------


def test_a_superseded_transcript_is_valid_with_a_warning(hill, clr):
    from credo.transcripts.services import comment_add

    student = clr.student
    comment_add(actor=hill.teacher, student=student, credit=hill.credits["count"], body="More.")
    newer = services.transcript_credential_issue(
        actor=system_actor(), version=publish(hill, student)
    )
    report = verify_document(clr.document)
    assert report.valid
    (status,) = report.result.named("status")
    assert status.warning and status.message.startswith("superseded: transcript version 1")
    assert "version 2" in status.message
    assert report.main.status == "superseded"
    assert verify_document(newer.document).main.status == "current"


def test_a_revoked_credential_fails(hill, clr):
    services.credential_revoke(actor=hill.registrar, credential=clr, reason="Published by mistake.")
    report = verify_document(clr.document)
    assert not report.valid
    assert [c.name for c in report.result.failures] == ["status"]
    assert "Published by mistake." in report.result.failures[0].message


def test_a_revoked_credit_fails_inside_the_transcript(hill, clr):
    from credo.mastery.models import CreditAward
    from credo.mastery.services import credit_award_revoke

    award = CreditAward.objects.get(student=clr.student, credit=hill.credits["count"])
    credit_award_revoke(actor=hill.registrar, award=award, reason="Work was not the student's own.")
    report = verify_document(clr.document)
    assert not report.valid
    (failure,) = report.result.failures
    assert failure.name == "status" and failure.path.startswith(
        "$.credentialSubject.verifiableCredential["
    )


def test_a_credential_signed_by_our_issuer_with_a_foreign_key_fails(hill):
    from credo.credentials import keys

    document = documents.achievement_credential(
        credential_id="urn:uuid:7d0c4a7e-9a55-4f4e-8f3c-0e5a3b9c1d2e",
        issuer=selectors.issuer_of(hill.school),
        subject=documents.Subject(
            id="urn:uuid:5b2b2c1e-1111-4c1b-9c1c-222222222222", name="Mallory"
        ),
        credit=documents.Credit(
            "F1", "Inquiry I", "foundational", "Shows inquiry.", "A", "Inquiry"
        ),
        award=documents.Award(awarded_on="2025-05-01"),
        valid_from="2025-06-01T00:00:00Z",
    )
    forger = keys.generate_key_pair()
    signed = proofs.sign(
        document,
        forger.private_key,
        forger.verification_method(selectors.issuer_url(hill.school)),
        datetime(2025, 6, 1, tzinfo=UTC),
    )
    # Offline, the signature holds: the key was simply taken from the method.
    assert verify_credential(signed, now=datetime(2025, 9, 1, tzinfo=UTC)).valid
    report = verify_document(signed)
    assert not report.valid
    assert sorted({c.name for c in report.result.failures}) == ["issuer-key", "record"]
    assert report.main.key == "method-only"
    assert "never held the key" in report.result.named("issuer-key")[0].message


def test_a_retired_key_counts_only_for_what_it_signed_before_retirement(hill, clr):
    old = SchoolKey.objects.get(pk=clr.key_id)
    services.school_key_rotate(actor=hill.admin, school=hill.school, reason="test")
    assert verify_document(clr.document).valid
    old.refresh_from_db()
    # A document signed with the retired key after its retirement (a stolen backup, say).
    from credo.credentials import kek, keys

    seed = keys.decrypt_private_key(
        old.encrypted_private_key, kek.key_encryption_key(), associated_data=old.associated_data()
    )
    late = proofs.sign(
        {k: v for k, v in clr.document.items() if k != "proof"},
        seed,
        f"{selectors.issuer_url(hill.school)}#{old.public_key_multibase}",
        old.retired_at + timedelta(minutes=5),
    )
    report = verify_document(late)
    assert not report.valid
    assert "after its retirement" in report.result.named("issuer-key")[0].message


def test_a_credential_claiming_our_issuer_but_unknown_here_fails(hill, clr):
    document = copy.deepcopy(clr.document)
    IssuedCredential.objects.filter(pk=clr.pk)  # untouched: only the lookup id differs below
    document["id"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    report = verify_document(document)
    assert {c.name for c in report.result.failures} >= {"record", "proof-value"}


# --- every field is covered ----------------------------------------------------------------------


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def _changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    if value.endswith("Z") and value[:4].isdigit():
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) + timedelta(seconds=1)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    if value.startswith("z") and len(value) > 40:  # multibase: another valid digit
        return value[:-1] + ("2" if value[-1] != "2" else "3")
    return value + "x"


def _set(document, path, value):
    target = document
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value


def _delete(document, path):
    target = document
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]


def _keys(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            yield from _keys(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _keys(item, (*path, index))


def test_every_credential_credo_issues_validates_against_the_schema_and_verifies(clr):
    report = verify_document(clr.document)
    assert report.valid, report.result.failures
    assert not report.result.warnings
    schema = report.result.named("schema", path=None)
    assert len(schema) == 2 and all(c.ok for c in schema)  # each embedded credential


def test_changing_any_field_of_an_issued_credit_credential_fails(clr):
    embedded = clr.document["credentialSubject"]["verifiableCredential"]
    credential = max(embedded, key=lambda c: len(json.dumps(c)))
    now = datetime.now(UTC)
    assert verify_credential(credential, now=now).valid
    leaves = list(_leaves(credential))
    assert len(leaves) > 60
    unnoticed = []
    for path, value in leaves:
        altered = copy.deepcopy(credential)
        _set(altered, path, _changed(value))
        if verify_credential(
            altered, now=now, key_resolver=selectors.installation_key_resolver
        ).valid:
            unnoticed.append(path)
    for path in _keys(credential):
        altered = copy.deepcopy(credential)
        _delete(altered, path)
        if verify_credential(
            altered, now=now, key_resolver=selectors.installation_key_resolver
        ).valid:
            unnoticed.append(("deleted", *path))
    assert unnoticed == []


def test_changing_any_field_of_an_issued_transcript_fails(clr):
    """Every field of the CLR around the embedded credentials (those are covered above, and
    by their own proofs) is covered by the transcript's signature."""
    document = clr.document
    now = datetime.now(UTC)
    inner = ("credentialSubject", "verifiableCredential")
    unnoticed = []
    for path, value in _leaves(document):
        if path[:2] == inner:
            continue
        altered = copy.deepcopy(document)
        _set(altered, path, _changed(value))
        if verify_credential(
            altered, now=now, key_resolver=selectors.installation_key_resolver
        ).valid:
            unnoticed.append(path)
    original = proofs.canonicalize(proofs.unsecured(document))
    restated = []
    for path in _keys(document):
        if path[:2] == inner and len(path) > 2:
            continue
        altered = copy.deepcopy(document)
        _delete(altered, path)
        if verify_credential(
            altered, now=now, key_resolver=selectors.installation_key_resolver
        ).valid:
            # Only a statement the embedded credentials make too may go: the issuer's name
            # is said by each of them, so the transcript's graph is exactly the same.
            if proofs.canonicalize(proofs.unsecured(altered)) == original:
                restated.append(path)
            else:
                unnoticed.append(("deleted", *path))
    assert unnoticed == []
    assert restated == [("issuer", "name")]


def test_verifying_a_clr_queries_the_same_however_many_credits_it_embeds(clr):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        report = verify_document(clr.document)
    assert report.valid
    assert [c.status for c in report.credentials] == ["current"] * 3
    # The same two credits embedded three times over: the outer signature no longer holds,
    # but every embedded credential is still looked up and reported on.
    bigger = copy.deepcopy(clr.document)
    bigger["credentialSubject"]["verifiableCredential"] *= 3
    with CaptureQueriesContext(connection) as six:
        report = verify_document(bigger)
    assert len(report.credentials) == 7
    assert all(c.status == "current" and c.key == "confirmed" for c in report.credentials)
    assert len(six) == len(two) <= 12


def test_describe_speaks_plainly(clr):
    lines = describe(verify_document(clr.document))
    assert lines[0].startswith("VALID: CLR transcript")
    assert any("Signature matches every word: signature valid" in line for line in lines)


def test_transcript_export_format_clr(tmp_path, hill, capsys):
    student = awarded_student(hill)
    publish(hill, student)
    out = tmp_path / "transcript.clr.json"
    call_command(
        "transcript", "export", "--student", str(student.pk), "--format", "clr", "--out", str(out)
    )
    document = json.loads(out.read_text())
    assert document["type"] == ["VerifiableCredential", "ClrCredential"]
    assert _run(tmp_path, document) == 0
    # Exporting again gives the same credential: a version has one CLR.
    again = tmp_path / "again.json"
    call_command(
        "transcript", "export", "--student", str(student.pk), "--format", "clr", "--out", str(again)
    )
    assert json.loads(again.read_text()) == document


def test_transcript_export_clr_without_credits_says_why(tmp_path, hill):
    from django.core.management.base import CommandError

    student = hill.students[1]
    publish(hill, student)
    with pytest.raises(CommandError, match="no earned credit"):
        call_command(
            "transcript",
            "export",
            "--student",
            str(student.pk),
            "--format",
            "clr",
            "--out",
            str(tmp_path / "x"),
        )


def test_describe_names_what_failed_before_the_long_list(clr):
    document = copy.deepcopy(clr.document)
    document["credentialSubject"]["verifiableCredential"][1]["name"] = "Something else"
    lines = describe(verify_document(document))
    assert lines[0].startswith("NOT VALID: CLR transcript")
    start = next(i for i, line in enumerate(lines) if line.startswith("  what failed ("))
    summary = lines[start + 1 : start + 3]
    # The changed credential's own signature, and the transcript's, which covers it.
    assert any(
        "Something else [$.credentialSubject.verifiableCredential[1]]: Signature matches" in line
        for line in summary
    )
    assert any(line.startswith("    - Mastery Transcript of") for line in summary)
    assert start < next(i for i, line in enumerate(lines) if line.startswith("Transcript: "))
