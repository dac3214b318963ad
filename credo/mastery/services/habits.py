"""Habits of work recorded for a section, and credit areas (the writes the web pages added)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from django.db import transaction

from credo.accounts.access import require_manage_setup
from credo.accounts.models import Student
from credo.core.audit import audit_record, snapshot
from credo.core.errors import ValidationError
from credo.frameworks.models import Competency
from credo.mastery import engine
from credo.mastery.events import CREDIT_AREA_SAVED
from credo.mastery.models import Assessment, AssessmentKind, CreditArea
from credo.mastery.services.assessments import _check_assessment, _write_assessment
from credo.mastery.services.common import lock_students


def habits_record(
    *,
    assessor,
    demonstrated_on: dt.date,
    entries: Sequence[tuple[Student, Competency, object]],
    task: str = "",
) -> list[Assessment]:
    """Record habits-of-work ratings (student, habit, value) in one go: all or none.

    Every competency must belong to a habits framework, so these ratings never mix with academic
    levels. A blank value skips that entry. Raise ValidationError listing every bad entry.
    """
    checked, errors = [], {}
    for student, competency, value in entries:
        if value in (None, ""):
            continue
        key = f"habit-{student.pk}-{competency.pk}"
        if competency.framework.kind != "habits":
            errors[key] = [f"{competency.code} is not a habit of work."]
            continue
        try:
            checked.append(
                (
                    student,
                    competency,
                    _check_assessment(
                        assessor=assessor,
                        student=student,
                        competency=competency,
                        value=value,
                        demonstrated_on=demonstrated_on,
                        kind=AssessmentKind.SUMMATIVE,
                    ),
                )
            )
        except ValidationError as exc:
            errors[key] = [f"{student}, {competency.code}: {m}" for m in exc.messages]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        lock_students([s.pk for s, _, _ in checked])
        result = []
        for student, competency, value in checked:
            result.append(
                _write_assessment(
                    assessor=assessor,
                    student=student,
                    competency=competency,
                    value=value,
                    demonstrated_on=demonstrated_on,
                    kind=AssessmentKind.SUMMATIVE,
                    feedback="",
                    evidence=None,
                    accommodated=False,
                    modified_scale=False,
                    task=task,
                    replaces=None,
                )
            )
            engine.refresh_student(student, competency, actor=assessor)
    return result


def credit_area_save(
    *,
    actor,
    school,
    code: str,
    name: str,
    colour: str = "#336699",
    order: int = 0,
    description: str = "",
    area: CreditArea | None = None,
) -> CreditArea:
    """Create or change a credit area of the transcript's credit profile."""

    require_manage_setup(actor, school, "define credit areas")
    errors: dict[str, list[str]] = {}
    code, name = (code or "").strip(), (name or "").strip()
    if not code:
        errors["code"] = ["Give the area a short code."]
    elif (
        CreditArea.objects.filter(school=school, code=code)
        .exclude(pk=area.pk if area else None)
        .exists()
    ):
        errors["code"] = [f"The school already has an area {code}."]
    if not name:
        errors["name"] = ["Name the area."]
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", colour or ""):
        errors["colour"] = ["Give a colour like #1f77b4."]
    if errors:
        raise ValidationError(errors)
    before = snapshot(area) if area else None
    area = area or CreditArea(school=school)
    area.code, area.name, area.colour, area.order, area.description = (
        code,
        name,
        colour,
        order or 0,
        description,
    )
    area.full_clean(validate_unique=False)
    with transaction.atomic(durable=True):
        area.save()
        audit_record(
            actor=actor,
            school=school,
            action=CREDIT_AREA_SAVED,
            target=area,
            before=before,
            after=snapshot(area),
        )
    return area
