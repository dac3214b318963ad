"""The school's transcript settings: its policy, its contact block and the grade-conversion report."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from credo.accounts.access import require_manage_setup
from credo.core.audit import audit_record, snapshot
from credo.core.errors import ValidationError, refuse
from credo.frameworks.models import FrameworkKind
from credo.transcripts.events import (
    GRADE_TABLE_SAVED,
    SCHOOL_GRADE_CONVERSION_SET,
    SCHOOL_TRANSCRIPT_CONTACT_SAVED,
    TRANSCRIPT_POLICY_SAVED,
)
from credo.transcripts.models import GradeBand, GradeConversionTable, TranscriptPolicy


def transcript_policy_save(*, actor, school, include_courses: bool) -> TranscriptPolicy:
    """Choose whether transcripts list the courses and experiences a student completed."""
    require_manage_setup(actor, school, "change how transcripts are made")
    with transaction.atomic(durable=True):
        policy, _ = TranscriptPolicy.objects.select_for_update().get_or_create(school=school)
        before = snapshot(policy, ["include_courses"])
        policy.include_courses = bool(include_courses)
        policy.save()
        audit_record(
            actor=actor,
            school=school,
            action=TRANSCRIPT_POLICY_SAVED,
            target=policy,
            before=before,
            after=snapshot(policy, ["include_courses"]),
        )
    return policy


_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]{0,19}")
_PHONE = re.compile(r"[0-9+()./ x-]{3,40}")
CONTACT_FIELDS = ("school_code", "counselor_name", "counselor_email", "counselor_phone")


def school_contact_save(
    *,
    actor,
    school,
    school_code: str = "",
    counselor_name: str = "",
    counselor_email: str = "",
    counselor_phone: str = "",
):
    """Set what the transcript's school profile gives admissions readers: the school's code and
    whom to ask (the counselor's name, e-mail and telephone). Each may be left blank."""
    require_manage_setup(actor, school, "change the school's contact on transcripts")
    values = {
        "school_code": " ".join((school_code or "").split()),
        "counselor_name": " ".join((counselor_name or "").split()),
        "counselor_email": (counselor_email or "").strip(),
        "counselor_phone": " ".join((counselor_phone or "").split()),
    }
    errors: dict[str, list[str]] = {}
    if values["school_code"] and not _CODE.fullmatch(values["school_code"]):
        errors["school_code"] = [
            "Give the code as letters and digits (a CEEB code has six digits), at most 20."
        ]
    if len(values["counselor_name"]) > 120:
        errors["counselor_name"] = ["Keep the name under 120 characters."]
    if values["counselor_email"]:
        try:
            validate_email(values["counselor_email"])
        except DjangoValidationError:
            errors["counselor_email"] = ["Give an e-mail address such as counselor@school.org."]
    if values["counselor_phone"] and not _PHONE.fullmatch(values["counselor_phone"]):
        errors["counselor_phone"] = [
            "Give a telephone number in digits, with + ( ) - . or spaces, at most 40 characters."
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        before = snapshot(school, list(CONTACT_FIELDS))
        for field, value in values.items():
            setattr(school, field, value)
        school.save(update_fields=list(CONTACT_FIELDS))
        audit_record(
            actor=actor,
            school=school,
            action=SCHOOL_TRANSCRIPT_CONTACT_SAVED,
            target=school,
            before=before,
            after=snapshot(school, list(CONTACT_FIELDS)),
        )
    return school


def grade_conversion_set_enabled(*, actor, school, enabled: bool):
    """Turn the separate grade-conversion report on or off for the school (off by default)."""
    require_manage_setup(actor, school, "turn grade conversion on or off")
    if enabled and not GradeConversionTable.objects.filter(school=school).exists():
        refuse("enabled", "Define the conversion table first.")
    with transaction.atomic(durable=True):
        before = {"grade_conversion_enabled": school.grade_conversion_enabled}
        school.grade_conversion_enabled = bool(enabled)
        school.save(update_fields=["grade_conversion_enabled"])
        audit_record(
            actor=actor,
            school=school,
            action=SCHOOL_GRADE_CONVERSION_SET,
            target=school,
            before=before,
            after={"grade_conversion_enabled": school.grade_conversion_enabled},
        )
    return school


def _band_errors(
    bands: Sequence[tuple], low: Decimal, high: Decimal
) -> tuple[list[tuple], list[str]]:
    parsed, errors = [], []
    for n, (min_score, label, points) in enumerate(bands, start=1):
        if not str(min_score).strip() and not str(label).strip() and not str(points).strip():
            continue
        try:
            m, p = Decimal(str(min_score).strip()), Decimal(str(points).strip())
            if not (m.is_finite() and p.is_finite()):
                raise InvalidOperation
        except (InvalidOperation, ValueError):
            errors.append(f"Row {n}: the lowest level and the points must be numbers.")
            continue
        if not str(label).strip():
            errors.append(f"Row {n}: give the grade it converts to.")
        if not low <= m <= high:
            errors.append(f"Row {n}: {m} is outside the scale ({low}–{high}).")
        if not Decimal(0) <= p <= Decimal(20):
            errors.append(f"Row {n}: points must be between 0 and 20.")
        parsed.append((m, str(label).strip()[:20], p))
    minimums = [m for m, _, _ in parsed]
    if len(set(minimums)) != len(minimums):
        errors.append("Two rows start at the same level; each row needs its own lowest level.")
    if len(parsed) < 2:
        errors.append("A conversion needs at least two rows.")
    elif min(minimums) > low:
        errors.append(
            f"The lowest row must start at the bottom of the scale ({low}) so every level converts."
        )
    return parsed, errors


def grade_table_save(
    *, actor, school, name: str, purpose: str = "", bands: Iterable[tuple]
) -> GradeConversionTable:
    """Define (or replace) the school's conversion from mastery levels to grades.

    ``bands`` are (lowest level, grade, points) rows. The table feeds a separate report only.
    """
    require_manage_setup(actor, school, "define a grade conversion")
    from credo.frameworks.models import Framework

    scales = [
        f.scale
        for f in Framework.objects.filter(
            school=school, kind=FrameworkKind.ACADEMIC
        ).select_related("scale")
    ]
    low = min((s.min_value for s in scales), default=Decimal(0))
    high = max((s.max_value for s in scales), default=Decimal(4))
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = ["Name the conversion, e.g. “Athletics eligibility”."]
    parsed, band_errors = _band_errors(list(bands), low, high)
    if band_errors:
        errors["bands"] = band_errors
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        table = GradeConversionTable.objects.select_for_update().filter(school=school).first()
        before = None
        if table is None:
            table = GradeConversionTable(school=school)
        else:
            before = {
                "name": table.name,
                "bands": [(str(b.min_score), b.label, str(b.points)) for b in table.bands.all()],
            }
        table.name, table.purpose = name[:120], purpose or ""
        table.full_clean(validate_unique=False)
        table.save()
        GradeBand.objects.filter(table=table).delete()
        GradeBand.objects.bulk_create(
            [
                GradeBand(school=school, table=table, min_score=m, label=lbl, points=p)
                for m, lbl, p in parsed
            ]
        )
        audit_record(
            actor=actor,
            school=school,
            action=GRADE_TABLE_SAVED,
            target=table,
            before=before,
            after={"name": name, "bands": [(str(m), lbl, str(p)) for m, lbl, p in parsed]},
        )
    return table
