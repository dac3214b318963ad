"""Every write about a school's own settings, terms, learning experiences, sections and enrollments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction

from credo.accounts.access import require_manage_setup, roles_in
from credo.accounts.models import Role
from credo.core.audit import audit_record, snapshot
from credo.core.errors import ValidationError
from credo.schools.events import EXPERIENCE_SAVED, SCHOOL_SETTINGS_SAVED, SECTION_SAVED, TERM_SAVED
from credo.schools.models import (
    Enrollment,
    ExperienceAlignment,
    ExperienceKind,
    LearningExperience,
    School,
    Section,
    SectionTeacher,
    Term,
)


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def school_settings_save(
    *,
    actor,
    school: School,
    name: str,
    short_name: str = "",
    mission: str = "",
    context: str = "",
    credit_policy: str = "",
    city: str = "",
    website: str = "",
    enrollment_size: int | None = None,
    not_progressing_days: int = 42,
    panel_formers: list[str] | None = None,
    two_factor_required: bool | None = None,
    support_stalls: int | None = None,
    support_window_days: int | None = None,
    judgment_enabled: bool | None = None,
    improve_min_cell: int | None = None,
) -> School:
    """Change the school's profile and the settings its pages use (e.g. the "not progressing" period,
    who forms credit-review panels, whether admins and registrars must sign in with a second
    factor; `panel_formers` and `two_factor_required` None leave them as they are)."""
    from credo.accounts.models import PANEL_FORMER_CHOICES

    require_manage_setup(actor, school, "change the school's settings")
    errors: dict[str, list[str]] = {}
    if panel_formers is not None:
        panel_formers = sorted({str(r) for r in panel_formers})
        unknown = [r for r in panel_formers if r not in PANEL_FORMER_CHOICES]
        if unknown:
            errors["panel_formers"] = [
                f"Panels are formed by admins, registrars or review coordinators, not by "
                f"{', '.join(unknown)}."
            ]
        elif not panel_formers:
            errors["panel_formers"] = ["Choose at least one role that forms review panels."]
    if not (name or "").strip():
        errors["name"] = ["Give the school's name."]
    if not isinstance(not_progressing_days, int) or not 7 <= not_progressing_days <= 365:
        errors["not_progressing_days"] = ["Choose a period from 7 to 365 days."]
    support_stalls = school.support_stalls if support_stalls is None else support_stalls
    if not isinstance(support_stalls, int) or not 1 <= support_stalls <= 20:
        errors["support_stalls"] = ["Choose from 1 to 20 targets."]
    window = school.support_window_days if support_window_days is None else support_window_days
    if not isinstance(window, int) or not 30 <= window <= 1460:
        errors["support_window_days"] = ["Choose a window from 30 to 1460 days."]
    min_cell = school.improve_min_cell if improve_min_cell is None else improve_min_cell
    if not isinstance(min_cell, int) or not 5 <= min_cell <= 100:
        errors["improve_min_cell"] = ["Choose a smallest group from 5 to 100 students."]
    _raise(errors)
    before = snapshot(school)
    for field, value in dict(
        name=name.strip(),
        short_name=(short_name or "").strip(),
        mission=mission or "",
        context=context or "",
        credit_policy=credit_policy or "",
        city=city or "",
        website=website or "",
        enrollment_size=enrollment_size,
        not_progressing_days=not_progressing_days,
        panel_formers=school.panel_formers if panel_formers is None else panel_formers,
        two_factor_required=(
            school.two_factor_required if two_factor_required is None else bool(two_factor_required)
        ),
        support_stalls=support_stalls,
        support_window_days=window,
        improve_min_cell=min_cell,
        judgment_enabled=(
            school.judgment_enabled if judgment_enabled is None else bool(judgment_enabled)
        ),
    ).items():
        setattr(school, field, value)
    school.full_clean()
    with transaction.atomic(durable=True):
        school.save()
        audit_record(
            actor=actor,
            school=school,
            action=SCHOOL_SETTINGS_SAVED,
            target=school,
            before=before,
            after=snapshot(school),
        )
        if before["judgment_enabled"] != school.judgment_enabled:
            # Judgments stop (or start again) counting: every level of the school follows.
            from credo.mastery import bulk

            bulk.recompute([school.pk], actor=actor)
    return school


def term_save(
    *,
    actor,
    school,
    name: str,
    school_year: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    term: Term | None = None,
) -> Term:
    """Create or change a term; its dates must be in order."""
    require_manage_setup(actor, school, "define terms")
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = ["Name the term."]
    if not (school_year or "").strip():
        errors["school_year"] = ["Give the school year, e.g. 2025-26."]
    if not isinstance(starts_on, dt.date):
        errors["starts_on"] = ["Give the first day of the term."]
    if not isinstance(ends_on, dt.date):
        errors["ends_on"] = ["Give the last day of the term."]
    elif isinstance(starts_on, dt.date) and ends_on < starts_on:
        errors["ends_on"] = ["The term must end after it starts."]
    _raise(errors)
    before = snapshot(term) if term else None
    term = term or Term(school=school)
    term.name, term.school_year, term.starts_on, term.ends_on = (
        name.strip(),
        school_year.strip(),
        starts_on,
        ends_on,
    )
    term.full_clean()
    with transaction.atomic(durable=True):
        term.save()
        audit_record(
            actor=actor,
            school=school,
            action=TERM_SAVED,
            target=term,
            before=before,
            after=snapshot(term),
        )
    return term


def experience_save(
    *,
    actor,
    school,
    kind: str,
    code: str,
    title: str,
    description: str = "",
    competencies: Iterable = (),
    experience: LearningExperience | None = None,
) -> LearningExperience:
    """Create or change a learning experience and the competencies it is aligned to."""
    require_manage_setup(actor, school, "define learning experiences")
    competencies = list(dict.fromkeys(competencies))
    errors: dict[str, list[str]] = {}
    code, title = (code or "").strip(), (title or "").strip()
    if kind not in ExperienceKind.values:
        errors["kind"] = ["Choose the kind of experience."]
    if not code:
        errors["code"] = ["Give the experience a code."]
    elif (
        LearningExperience.objects.filter(school=school, code=code)
        .exclude(pk=experience.pk if experience else None)
        .exists()
    ):
        errors["code"] = [f"The school already has an experience with the code {code}."]
    if not title:
        errors["title"] = ["Give the experience a title."]
    if any(c.school_id != school.pk for c in competencies):
        errors["competencies"] = ["Some of those competencies belong to another school."]
    _raise(errors)
    before = snapshot(experience) if experience else None
    experience = experience or LearningExperience(school=school)
    experience.kind, experience.code, experience.title = kind, code, title
    experience.description = description or ""
    experience.full_clean(validate_unique=False)
    with transaction.atomic(durable=True):
        experience.save()
        wanted = {c.pk for c in competencies}
        have = set(
            ExperienceAlignment.objects.filter(experience=experience).values_list(
                "competency_id", flat=True
            )
        )
        ExperienceAlignment.objects.filter(
            experience=experience, competency_id__in=have - wanted
        ).delete()
        ExperienceAlignment.objects.bulk_create(
            [
                ExperienceAlignment(school=school, experience=experience, competency_id=c)
                for c in sorted(wanted - have)
            ]
        )
        audit_record(
            actor=actor,
            school=school,
            action=EXPERIENCE_SAVED,
            target=experience,
            before=before,
            after={**snapshot(experience), "competencies": sorted(wanted)},
        )
    return experience


def section_save(
    *,
    actor,
    school,
    experience: LearningExperience,
    term: Term,
    name: str,
    teachers: Iterable = (),
    students: Iterable | None = None,
    section: Section | None = None,
) -> Section:
    """Create or change a section with its teachers and (when given) its enrolled students."""
    require_manage_setup(actor, school, "define sections")
    teachers = list(dict.fromkeys(teachers))
    students = None if students is None else list(dict.fromkeys(students))
    errors: dict[str, list[str]] = {}
    if experience is None or experience.school_id != school.pk:
        errors["experience"] = ["Choose one of the school's learning experiences."]
    if term is None or term.school_id != school.pk:
        errors["term"] = ["Choose one of the school's terms."]
    if not (name or "").strip():
        errors["name"] = ["Name the section, e.g. Block A."]
    not_teachers = [str(t) for t in teachers if Role.TEACHER not in roles_in(t, school)]
    if not_teachers:
        errors["teachers"] = [f"Not a teacher in this school: {', '.join(not_teachers)}."]
    if students is not None and any(s.school_id != school.pk for s in students):
        errors["students"] = ["Some of those students belong to another school."]
    _raise(errors)
    before = snapshot(section) if section else None
    section = section or Section(school=school)
    section.experience, section.term, section.name = experience, term, name.strip()
    section.full_clean()
    with transaction.atomic(durable=True):
        section.save()
        wanted = {t.pk for t in teachers}
        have = set(SectionTeacher.objects.filter(section=section).values_list("user_id", flat=True))
        SectionTeacher.objects.filter(section=section, user_id__in=have - wanted).delete()
        SectionTeacher.objects.bulk_create(
            [
                SectionTeacher(school=school, section=section, user_id=u)
                for u in sorted(wanted - have)
            ]
        )
        after = {**snapshot(section), "teachers": sorted(wanted)}
        if students is not None:
            want_s = {s.pk for s in students}
            have_s = set(
                Enrollment.objects.filter(section=section).values_list("student_id", flat=True)
            )
            Enrollment.objects.filter(section=section, student_id__in=have_s - want_s).delete()
            Enrollment.objects.bulk_create(
                [
                    Enrollment(school=school, section=section, student_id=s)
                    for s in sorted(want_s - have_s)
                ]
            )
            after["students"] = sorted(want_s)
        audit_record(
            actor=actor,
            school=school,
            action=SECTION_SAVED,
            target=section,
            before=before,
            after=after,
        )
    return section
