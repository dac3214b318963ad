"""`credo award revoke` and `credo credit retire`: registrars only; previewed; refusals write nothing."""

import datetime as dt
import io
import re

import pytest
from django.core.management import CommandError, call_command

from credo.core.models import AuditEvent
from credo.mastery import bulk, services
from credo.mastery.models import CreditAward, MasteryCredit


@pytest.fixture
def award(hill):
    student = hill.students[0]
    for c in hill.competencies[:2]:
        services.assessment_record(
            assessor=hill.admin,
            student=student,
            competency=c,
            value=4,
            demonstrated_on=dt.date(2025, 10, 1),
        )
    return CreditAward.objects.get(student=student, credit=hill.credits["all"])


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_award_revoke(hill, award):
    out = run(
        "award", "revoke", "--student", str(award.student_id), "--credit", "F1",
        "--reason", "Duplicate record", "--by", hill.registrar.username,
    )  # fmt: skip
    assert "Revoked F1" in out
    award.refresh_from_db()
    assert award.revoke_reason == "Duplicate record" and award.revoked_by == hill.registrar
    assert bulk.check() == []


@pytest.mark.parametrize(
    ("by", "credit", "reason", "message"),
    [
        ("admin", "F1", "x", "Only a registrar"),
        ("teacher", "F1", "x", "Only a registrar"),
        ("registrar", "F1", " ", "Say why"),
        ("registrar", "NOPE", "x", "holds no award"),
    ],
)
def test_award_revoke_refusals_write_nothing(hill, award, by, credit, reason, message):
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match=message):
        run(
            "award", "revoke", "--student", str(award.student_id), "--credit", credit,
            "--reason", reason, "--by", getattr(hill, by).username,
        )  # fmt: skip
    award.refresh_from_db()
    assert award.revoked_at is None and AuditEvent.objects.count() == events


def test_credit_retire_previews_then_applies_the_fingerprint(hill, award):
    args = ["credit", "retire", "--school", "hill", "--credit", "F1", "--last-cohort", "2026",
            "--reason", "Replaced", "--by", hill.registrar.username]  # fmt: skip
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was written") as caught:
        call_command(*args, stdout=out)
    assert "class of 2027" in out.getvalue()
    assert MasteryCredit.objects.get(code="F1").until_cohort is None
    code = re.search(r"--confirm ([0-9a-f]+)", str(caught.value)).group(1)
    assert "Retired F1" in run(*args, "--confirm", code, "--reach-protected")
    assert MasteryCredit.objects.get(code="F1").until_cohort == 2026
    assert bulk.check() == []
