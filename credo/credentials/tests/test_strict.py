"""What Credo issues passes 1EdTech's published schema under a strict validator; older transcript
versions never displace current credentials; `credo verify` works before any database exists."""

import datetime as dt
import json
import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator, FormatChecker

from credo.accounts.access import system_actor
from credo.credentials import selectors, services
from credo.credentials.models import CredentialKind, IssuedCredential
from credo.credentials.tests.builders import awarded_student, publish
from credo.credentials.tests.conftest import INTEROP
from credo.credentials.verify import verify_credential

REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def credential_settings(settings, tmp_path):
    settings.CREDO_BASE_URL = "https://credo.example.edu"
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CREDO_TRANSCRIPT_CACHE = str(tmp_path / "transcripts")
    return settings


def _rfc3339_date_time(value) -> bool:
    """RFC 3339 date-time, as JSON Schema's `date-time` format means it: a zone is required."""
    if not isinstance(value, str) or "T" not in value.upper():
        return not isinstance(value, str)
    text = value.upper().replace("Z", "+00:00")
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return parsed.tzinfo is not None and len(value.split("T")[0]) == 10


def _full_date(value) -> bool:
    if not isinstance(value, str):
        return True
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def strict_validator() -> Draft201909Validator:
    """The bundled 1EdTech AchievementCredential schema, as is, with its formats enforced."""
    schema = json.loads(
        resources.files("credo.credentials.schemas")
        .joinpath("achievementcredential.json")
        .read_text("utf-8")
    )
    checker = FormatChecker()
    checker.checks("date-time")(_rfc3339_date_time)
    checker.checks("date")(_full_date)
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema, format_checker=checker)


def test_the_bundled_schema_is_1edtechs_as_published():
    path = INTEROP / "ob3-schema" / "achievementcredential.json"
    if not path.is_file():
        pytest.skip(f"the published schema is not at {path}")
    bundled = resources.files("credo.credentials.schemas").joinpath("achievementcredential.json")
    assert json.loads(bundled.read_text("utf-8")) == json.loads(path.read_text("utf-8"))


def test_the_strict_validator_refuses_a_single_proof_object():
    """The check is strict: the form Credo used to write (one proof as an object) fails it."""
    validator = strict_validator()
    vector = INTEROP / "ob3-vectors" / "obv3p0.json"
    if not vector.is_file():
        pytest.skip(f"the 1EdTech vectors are not at {vector}")
    signed = json.loads(vector.read_text("utf-8"))["signed_credential"]
    assert isinstance(signed["proof"], dict)
    assert any(list(e.absolute_path) == ["proof"] for e in validator.iter_errors(signed))


@pytest.mark.django_db
def test_every_issued_credential_is_valid_under_the_strict_schema(hill):
    validator = strict_validator()
    student = awarded_student(hill)
    clr = services.transcript_credential_issue(actor=system_actor(), version=publish(hill, student))
    issued = IssuedCredential.objects.filter(kind=CredentialKind.ACHIEVEMENT, student=student)
    assert issued.count() == 2
    for credential in issued:
        errors = [
            f"{list(e.absolute_path)}: {e.message}"
            for e in validator.iter_errors(credential.document)
        ]
        assert errors == []
        assert isinstance(credential.document["proof"], list)
    for embedded in clr.document["credentialSubject"]["verifiableCredential"]:
        assert list(validator.iter_errors(embedded)) == []
    # And they still verify, every proof and schema check passing without a caveat.
    result = verify_credential(
        clr.document, now=clr.issued_at, key_resolver=selectors.installation_key_resolver
    )
    assert result.valid and result.warnings == [], result.warnings


@pytest.mark.django_db
def test_an_older_versions_clr_never_supersedes_the_current_credentials(hill):
    from credo.transcripts.services import comment_add

    student = awarded_student(hill)
    first = publish(hill, student)  # its CLR is not issued yet
    comment_add(
        actor=hill.teacher, student=student, credit=hill.credits["count"], body="Strong film."
    )
    second = publish(hill, student)
    current_clr = services.transcript_credential_issue(actor=system_actor(), version=second)
    current = {
        c.award_id: c.pk
        for c in IssuedCredential.objects.filter(kind="achievement", superseded_by__isnull=True)
    }
    old_clr = services.transcript_credential_issue(actor=system_actor(), version=first)
    # The current credentials are still the current ones, and nothing supersedes them.
    after = {
        c.award_id: c.pk
        for c in IssuedCredential.objects.filter(
            kind="achievement", superseded_by__isnull=True, historical=False
        )
    }
    assert after == current
    statuses = selectors.credential_statuses(IssuedCredential.objects.all())
    for pk in current.values():
        assert statuses[pk].state == "current"
    embedded = {c["id"] for c in old_clr.document["credentialSubject"]["verifiableCredential"]}
    old_ones = IssuedCredential.objects.filter(
        kind="achievement", public_id__in=[i.removeprefix("urn:uuid:") for i in embedded]
    )
    # The unchanged credit's credential is shared; the changed one is a historical credential.
    historical = [c for c in old_ones if c.historical]
    assert len(historical) == 1 and historical[0].supersedes_id is None
    assert statuses[historical[0].pk].state == "superseded"
    assert statuses[current_clr.pk].state == "current"
    # Issuing the old version again changes nothing.
    count = IssuedCredential.objects.count()
    assert (
        services.transcript_credential_issue(actor=system_actor(), version=first).pk == old_clr.pk
    )
    assert IssuedCredential.objects.count() == count


def test_credo_verify_needs_no_database(tmp_path):
    sample = INTEROP / "ob3-samples" / "simple.json"
    if not sample.is_file():
        pytest.skip(f"the OB 3.0 samples are not at {sample}")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}",
        "CREDO_VAR_DIR": str(tmp_path),
    }
    done = subprocess.run(  # our own command line, fixed arguments
        [sys.executable, "-m", "credo.cli", "verify", str(sample)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VALID" in done.stdout and "offline only" in done.stdout
