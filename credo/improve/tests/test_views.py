"""The improvement pages: who may read them, what they count, what they hide, what the CSV says."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from credo.accounts.models import Role
from credo.improve import selectors
from credo.improve.access import access_scope
from credo.interop.models import Demographics
from credo.mastery.services import assessment_record
from credo.schools.models import Enrollment, Section, SectionTeacher
from credo.testing import make_student, make_user

DAY = dt.date(2025, 9, 1)


def url(name, school, **query):
    base = reverse(f"improve:{name}", args=[school.slug])
    if query:
        base += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return base


@pytest.fixture
def cohort(hill):
    """Twelve students in the teacher's section: six economically disadvantaged, who reach
    proficiency on C1 later and less often; three more students in a section of another teacher."""
    school = hill.school
    school.improve_min_cell = 5
    school.save()
    students = hill.students + [
        make_student(school, section=hill.section, advisor=hill.advisor) for _ in range(9)
    ]
    c1 = hill.competencies[0]
    for k, student in enumerate(students):
        poor = k % 2 == 0
        Demographics.objects.create(
            school=school,
            student=student,
            sex="female" if k < 7 else "male",
            economically_disadvantaged=poor,
            hispanic_or_latino=k < 3,
        )
        if poor:
            # Two attempts over 20 days for half of them; the rest stay below.
            assessment_record(
                assessor=hill.teacher, student=student, competency=c1, value=2, demonstrated_on=DAY
            )
            if k % 4 == 0:
                assessment_record(
                    assessor=hill.teacher,
                    student=student,
                    competency=c1,
                    value=3,
                    demonstrated_on=DAY + dt.timedelta(days=20),
                )
        else:
            assessment_record(
                assessor=hill.teacher, student=student, competency=c1, value=3, demonstrated_on=DAY
            )
    other_section = Section.objects.create(
        school=school, experience=hill.section.experience, term=hill.section.term, name="Block B"
    )
    other_teacher = make_user("teacher-b-hill", school=school, role=Role.TEACHER)
    SectionTeacher.objects.create(school=school, section=other_section, user=other_teacher)
    outsiders = [make_student(school, section=other_section) for _ in range(3)]
    for student in outsiders:
        Demographics.objects.create(
            school=school, student=student, sex="male", economically_disadvantaged=False
        )
    hill.other_section, hill.other_teacher, hill.outsiders = other_section, other_teacher, outsiders
    hill.all_students = students
    return hill


def _cell(data, category, label):
    for name, cells in data.categories:
        if name == category:
            for c in cells:
                if c.label == label:
                    return c
    raise AssertionError(f"no {category}/{label}")


def test_equity_counts_and_gap(cohort):
    scope = access_scope(user=cohort.admin, school=cohort.school, params={})
    data = selectors.equity(scope)
    assert data.total == 15
    yes = _cell(data, "Economically disadvantaged", "Yes")
    no = _cell(data, "Economically disadvantaged", "No")
    # Six with evidence on C1 each: 3 of 6 proficient against 6 of 6 (the three outsiders
    # have no evidence).
    assert (yes.n, no.n) == (6, 9)
    assert yes.attainment == pytest.approx(0.5)
    assert no.attainment == pytest.approx(1.0)
    assert yes.gap == pytest.approx(-50.0)
    assert yes.pace_days == 20 and no.pace_days == 0
    assert yes.hidden is False
    assert [c.label for c in dict(data.categories)["Economically disadvantaged"]] == ["Yes", "No"]


def test_a_small_cell_hides_the_next_smallest(cohort):
    Demographics.objects.filter(student__in=cohort.outsiders).update(
        economically_disadvantaged=None
    )
    scope = access_scope(user=cohort.admin, school=cohort.school, params={})
    data = selectors.equity(scope)
    # Yes 6, No 6, not recorded 3: the 3 is hidden, and so is one of the sixes.
    cells = dict(data.categories)["Economically disadvantaged"]
    assert [c.hidden for c in cells] == [True, False, True]
    assert cells[2].label == "Not recorded" and cells[2].n is None


def test_small_groups_are_hidden_with_a_complement(cohort):
    # Hispanic: 3 yes (small) -> hidden; the next smallest cell is hidden as well.
    scope = access_scope(user=cohort.admin, school=cohort.school, params={})
    data = selectors.equity(scope)
    hispanic = _cell(data, "Race and ethnicity", "Hispanic or Latino")
    assert hispanic.hidden
    race_cells = dict(data.categories)["Race and ethnicity"]
    assert sum(c.hidden for c in race_cells) >= 2


def test_raising_the_minimum_hides_everything_small(cohort):
    cohort.school.improve_min_cell = 20
    cohort.school.save()
    scope = access_scope(user=cohort.admin, school=cohort.school, params={})
    data = selectors.equity(scope)
    assert data.overall.hidden and data.total is None
    assert all(c.hidden for _, cells in data.categories for c in cells)


def test_teacher_sees_only_own_sections(cohort):
    scope = access_scope(user=cohort.teacher, school=cohort.school, params={})
    assert selectors.equity(scope).total == 12
    other = access_scope(user=cohort.other_teacher, school=cohort.school, params={})
    # Three students: below the minimum, so nothing is published.
    assert selectors.equity(other).overall.hidden


@pytest.mark.parametrize("who", ["admin", "registrar", "teacher"])
def test_staff_who_may_read(client, cohort, who):
    client.force_login(getattr(cohort, who))
    for name in ("equity", "time"):
        response = client.get(url(name, cohort.school))
        assert response.status_code == 200
        assert b"Student1" not in response.content  # no student names anywhere
    response = client.get(url("equity_csv", cohort.school))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_refused_roles(client, cohort, dale):
    for user in (cohort.advisor, cohort.students[0].user):
        client.force_login(user)
        for name in ("equity", "equity_csv", "time", "time_csv"):
            assert client.get(url(name, cohort.school)).status_code == 403
    client.force_login(dale.admin)
    assert client.get(url("equity", cohort.school)).status_code == 404
    client.logout()
    for name in ("equity", "equity_csv"):
        response = client.get(url(name, cohort.school))
        assert response.status_code == 302 and "login" in response["Location"]


def test_teacher_cannot_reach_another_section_or_teachers(client, cohort):
    client.force_login(cohort.teacher)
    assert (
        client.get(url("equity", cohort.school, section=cohort.other_section.pk)).status_code == 404
    )
    assert client.get(url("time", cohort.school, section=cohort.section.pk)).status_code == 200
    page = client.get(url("time", cohort.school)).content.decode()
    assert "By teacher" not in page
    body = client.get(url("time_csv", cohort.school)).content.decode()
    assert "teacher," not in body


def test_manager_sees_teachers(client, cohort):
    client.force_login(cohort.admin)
    page = client.get(url("time", cohort.school)).content.decode()
    assert "By teacher" in page


@pytest.mark.parametrize(
    "query",
    [
        {"framework": "abc"},
        {"credit": "99999999"},
        {"cohort": "x"},
        {"cohort": "99999"},
        {"section": "1e9"},
        {"area": "-1"},
    ],
)
def test_malformed_scope_is_not_found(client, cohort, query):
    client.force_login(cohort.admin)
    assert client.get(url("equity", cohort.school, **query)).status_code == 404


def test_another_schools_framework_is_not_found(client, cohort, dale):
    client.force_login(cohort.admin)
    assert client.get(url("equity", cohort.school, framework=dale.framework.pk)).status_code == 404


def test_scopes_render(client, cohort):
    client.force_login(cohort.admin)
    for query in (
        {"framework": cohort.framework.pk},
        {"area": cohort.areas[0].pk},
        {"credit": cohort.credits["all"].pk},
        {"cohort": 2027},
        {"section": cohort.section.pk},
    ):
        assert client.get(url("equity", cohort.school, **query)).status_code == 200
        assert client.get(url("time", cohort.school, **query)).status_code == 200


def test_csv_neutralizes_formulas_and_has_no_student_rows(client, cohort):
    Demographics.objects.filter(student__in=cohort.all_students).update(sex="=HYPERLINK(1)")
    client.force_login(cohort.registrar)
    body = client.get(url("equity_csv", cohort.school)).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    labels = [r[1] for r in rows[1:]]
    assert "'=hyperlink(1)" in labels
    assert not any(label.startswith("=") for label in labels)
    assert not any("Student" in cell for row in rows for cell in row)


def test_time_to_proficiency_days_and_attempts(cohort):
    scope = access_scope(user=cohort.admin, school=cohort.school, params={})
    data = selectors.time_to_proficiency(scope, with_teachers=True)
    (c1,) = [r for r in data.targets if r.label == "C1"]
    # 6 reach it at once (1 attempt, 0 days), 3 after two attempts over 20 days.
    assert c1.n == 9
    assert c1.days.median == 0 and c1.days.q3 == 20
    assert c1.attempts.median == 1 and c1.attempts.q3 == 2
    (section,) = [r for r in data.sections if r.label == "Block A"]
    assert section.n == 9
    (teacher,) = data.teachers
    assert teacher.n == 9
    yes = [r for r in dict(data.categories)["Economically disadvantaged"] if r.label == "Yes"]
    # Only 3 of the 6 reached proficiency, but the group has 6 students: shown.
    assert yes[0].days.median == 20


def test_reading_writes_nothing(client, cohort, django_assert_max_num_queries):
    from credo.testing import row_counts

    client.force_login(cohort.admin)
    before = row_counts()
    for name in ("equity", "equity_csv", "time", "time_csv"):
        client.get(url(name, cohort.school))
    assert row_counts() == before


def test_min_cell_setting_is_validated(cohort):
    from credo.core.errors import ValidationError
    from credo.schools.services import school_settings_save

    with pytest.raises(ValidationError):
        school_settings_save(
            actor=cohort.admin, school=cohort.school, name="Hill", improve_min_cell=2
        )
    school_settings_save(actor=cohort.admin, school=cohort.school, name="Hill", improve_min_cell=12)
    cohort.school.refresh_from_db()
    assert cohort.school.improve_min_cell == 12


def test_enrollment_in_two_sections_counts_a_student_once(cohort):
    Enrollment.objects.create(
        school=cohort.school, section=cohort.other_section, student=cohort.all_students[0]
    )
    scope = access_scope(user=cohort.admin, school=cohort.school, params={})
    assert selectors.equity(scope).total == 15


def test_milestones_follow_a_new_assessment(cohort):
    scope = access_scope(user=cohort.admin, school=cohort.school, params={})
    before = selectors.time_to_proficiency(scope, with_teachers=False)
    (c1,) = [r for r in before.targets if r.label == "C1"]
    assert c1.n == 9
    # A tenth student reaches C1: the kept milestones must not hide it.
    student = cohort.all_students[2]  # disadvantaged, below the level so far
    assessment_record(
        assessor=cohort.teacher,
        student=student,
        competency=cohort.competencies[0],
        value=3,
        demonstrated_on=DAY + dt.timedelta(days=40),
    )
    after = selectors.time_to_proficiency(scope, with_teachers=False)
    (c1,) = [r for r in after.targets if r.label == "C1"]
    assert c1.n == 10


def test_race_and_flags_are_partitions_read_from_each_column(hill):
    """Hispanic or Latino wins over any race; two races marked (or the flag) make "two or more";
    a flag left empty is "not recorded", not "no"."""
    school = hill.school
    people = [make_student(school, section=hill.section) for _ in range(6)]
    marks = [
        {"asian": True},
        {"asian": True, "white": True},
        {"two_or_more_races": True, "white": True},
        {"hispanic_or_latino": True, "white": True},
        {"english_learner": False},
        {},
    ]
    for student, fields in zip(people, marks, strict=True):
        Demographics.objects.create(school=school, student=student, **fields)
    scope = access_scope(user=hill.admin, school=school, params={})
    students = selectors.scope_students(scope)
    groups = selectors.demographic_groups(scope, students)
    position = {int(s): k for k, s in enumerate(students)}

    def members(category, label):
        (mask,) = [
            m
            for name, cells in groups.categories
            if name == category
            for cell, m in cells
            if cell == label
        ]
        return {p.pk for p in people if mask[position[p.pk]]}

    race = "Race and ethnicity"
    assert members(race, "Asian") == {people[0].pk}
    assert members(race, "Two or more races") == {people[1].pk, people[2].pk}
    assert members(race, "Hispanic or Latino") == {people[3].pk}
    assert members(race, "White") == set()
    assert members(race, "Not recorded") >= {people[4].pk, people[5].pk}
    assert members("English learner", "No") == {people[4].pk}
    assert people[5].pk in members("English learner", "Not recorded")
    for _, cells in groups.categories:
        assert sum(int(m.sum()) for _, m in cells) == len(students)


def test_a_teacher_of_two_sections_counts_a_shared_student_once(cohort):
    SectionTeacher.objects.create(
        school=cohort.school, section=cohort.other_section, user=cohort.teacher
    )
    Enrollment.objects.create(
        school=cohort.school, section=cohort.other_section, student=cohort.all_students[1]
    )
    scope = access_scope(user=cohort.admin, school=cohort.school, params={})
    data = selectors.time_to_proficiency(scope, with_teachers=True)
    sections = {r.label: r.n for r in data.sections}
    assert sections["Block A"] == 9
    teachers = {r.key: r for r in data.teachers}
    # The shared student's one pair counts once for the teacher of both sections.
    assert teachers[cohort.teacher.pk].n == 9
    assert teachers[cohort.teacher.pk].days.n == 9
