import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.schools import services
from credo.schools.models import Enrollment, ExperienceAlignment, SectionTeacher


def test_terms_need_ordered_dates(hill):
    with pytest.raises(ValidationError) as exc:
        services.term_save(
            actor=hill.admin,
            school=hill.school,
            name="T",
            school_year="2025-26",
            starts_on=dt.date(2026, 2, 1),
            ends_on=dt.date(2026, 1, 1),
        )
    assert "ends_on" in exc.value.message_dict
    term = services.term_save(
        actor=hill.registrar,
        school=hill.school,
        name="T",
        school_year="2025-26",
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 2, 1),
    )
    assert term.pk


def test_experience_alignments_follow_the_form(hill, dale):
    exp = services.experience_save(
        actor=hill.admin,
        school=hill.school,
        kind="project",
        code="P1",
        title="Project",
        competencies=hill.competencies[:3],
    )
    services.experience_save(
        actor=hill.admin,
        school=hill.school,
        kind="project",
        code="P1",
        title="Project",
        competencies=hill.competencies[2:4],
        experience=exp,
    )
    assert set(
        ExperienceAlignment.objects.filter(experience=exp).values_list("competency_id", flat=True)
    ) == {c.pk for c in hill.competencies[2:4]}
    with pytest.raises(ValidationError) as exc:
        services.experience_save(
            actor=hill.admin,
            school=hill.school,
            kind="project",
            code="P2",
            title="x",
            competencies=[dale.competencies[0]],
        )
    assert "competencies" in exc.value.message_dict


def test_sections_seat_only_the_schools_teachers_and_students(hill, dale):
    section = services.section_save(
        actor=hill.admin,
        school=hill.school,
        experience=hill.section.experience,
        term=hill.section.term,
        name="Block B",
        teachers=[hill.teacher],
        students=hill.students[:2],
    )
    assert SectionTeacher.objects.filter(section=section).count() == 1
    assert Enrollment.objects.filter(section=section).count() == 2
    with pytest.raises(ValidationError) as exc:
        services.section_save(
            actor=hill.admin,
            school=hill.school,
            experience=dale.section.experience,
            term=hill.section.term,
            name="X",
            teachers=[hill.advisor],
            students=dale.students,
        )
    assert set(exc.value.message_dict) == {"experience", "teachers", "students"}


def test_only_managers_change_the_setup(hill):
    with pytest.raises(PermissionDenied):
        services.term_save(
            actor=hill.teacher,
            school=hill.school,
            name="T",
            school_year="x",
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2026, 2, 1),
        )
    with pytest.raises(ValidationError):
        services.school_settings_save(
            actor=hill.admin, school=hill.school, name="Hill", not_progressing_days=1
        )
    services.school_settings_save(
        actor=hill.admin, school=hill.school, name="Hill", not_progressing_days=30
    )
    hill.school.refresh_from_db()
    assert hill.school.not_progressing_days == 30
