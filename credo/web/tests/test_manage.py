"""The school's setup in the app: every form saves through its service, and refuses bad input with a
message beside the field and nothing written."""

import re

import pytest
from django.urls import reverse

from credo.accounts.models import GuardianLink, Membership, Student, User
from credo.core.models import AuditEvent
from credo.frameworks.models import Competency, Framework, ProficiencyScale, ScaleLevel
from credo.mastery.models import CreditArea, GraduationRule, MasteryCredit
from credo.schools.models import LearningExperience, School, Section, Term


def u(name, hill, *args):
    return reverse(f"web:{name}", args=[hill.school.slug, *args])


def post_confirmed(client, url, data):
    """Post a setup form; when it shows a preview, apply exactly what it showed (every class)."""
    response = client.post(url, data)
    html = response.content.decode()
    if response.status_code == 200 and "Before you apply" in html:
        fingerprint = re.search(r'name="confirm" value="([0-9a-f]+)"', html).group(1)
        response = client.post(url, {**data, "confirm": fingerprint, "reach_protected": "yes"})
    return response


def scale_rows(*levels):
    data = {}
    for i, (v, lb) in enumerate(levels):
        data[f"level-{i}-value"], data[f"level-{i}-label"] = v, lb
    return data


def cases(h):
    """(url, good data, model, bad data, field with the error, message)."""
    c = h.competencies
    return {
        "school": (
            u("manage_school", h),
            {"name": "Hill High", "not_progressing_days": "28"},
            None,
            {"name": "Hill High", "not_progressing_days": "3"},
            "not_progressing_days",
            "from 7 to 365 days",
        ),
        "scale": (
            u("manage_scale_new", h),
            {
                "name": "Five levels",
                "mastery_threshold": "3",
                **scale_rows(
                    ("1", "Emerging"), ("2", "Developing"), ("3", "Proficient"), ("4", "Advanced")
                ),
            },
            ProficiencyScale,
            {"name": "Bad", "mastery_threshold": "9", **scale_rows(("1", "A"), ("2", "B"))},
            "mastery_threshold",
            "must lie within the levels",
        ),
        "scale_levels": (
            u("manage_scale_new", h),
            None,
            ProficiencyScale,
            {"name": "Dup", "mastery_threshold": "1", **scale_rows(("1", "A"), ("1", "B"))},
            "levels",
            "Two levels have the same value.",
        ),
        "framework": (
            u("manage_framework_new", h),
            {
                "name": "Science",
                "kind": "academic",
                "scale": h.scale.pk,
                "calculation_method": "n_mastery",
                "calculation_param": "3",
            },
            Framework,
            {
                "name": "Science",
                "kind": "academic",
                "scale": h.scale.pk,
                "calculation_method": "decaying_average",
                "calculation_param": "20",
            },
            "calculation_param",
            "from 50 to 99",
        ),
        "competency": (
            u("manage_competency_new", h, h.framework.pk),
            {"code": "C7", "statement": "Models data", "kind": "target", "parent": c[0].pk},
            Competency,
            {"code": "C1", "statement": "Again", "kind": "target"},
            "code",
            "already has a competency C1",
        ),
        "area": (
            u("manage_area_new", h),
            {"code": "C", "name": "Wellness", "colour": "#2ca02c", "order": "3"},
            CreditArea,
            {"code": "C", "name": "Wellness", "colour": "green"},
            "colour",
            "a colour like",
        ),
        "credit": (
            u("manage_credit_new", h),
            {
                "area": h.areas[0].pk,
                "level": "foundational",
                "code": "F9",
                "title": "Inquiry III",
                "standard": "Shows it.",
                "rule": "count",
                "rule_n": "1",
                "item-0-competency": c[0].pk,
                "item-0-points": "1",
                "item-1-competency": c[1].pk,
                "item-1-points": "1",
            },
            MasteryCredit,
            {
                "area": h.areas[0].pk,
                "level": "foundational",
                "code": "F9",
                "title": "Inquiry III",
                "standard": "Shows it.",
                "rule": "count",
                "rule_n": "5",
                "item-0-competency": c[0].pk,
            },
            "items",
            "",
        ),
        "rule": (
            u("manage_rule_new", h),
            {
                "kind": "min_credits_in_area",
                "level": "foundational",
                "area": h.areas[1].pk,
                "n": "1",
            },
            GraduationRule,
            {"kind": "min_credits", "level": "advanced", "n": "40"},
            None,
            "No student can meet this",
        ),
        "term": (
            u("manage_term_new", h),
            {
                "name": "Spring",
                "school_year": "2025-26",
                "starts_on": "2026-01-05",
                "ends_on": "2026-05-29",
            },
            Term,
            {
                "name": "Spring",
                "school_year": "2025-26",
                "starts_on": "2026-05-29",
                "ends_on": "2026-01-05",
            },
            "ends_on",
            "must end after it starts",
        ),
        "experience": (
            u("manage_experience_new", h),
            {
                "kind": "project",
                "code": "BRIDGE",
                "title": "Bridge project",
                "competencies": [c[0].pk, c[3].pk],
            },
            LearningExperience,
            {"kind": "project", "code": "SCI9", "title": "Clash"},
            "code",
            "already has an experience",
        ),
        "section": (
            u("manage_section_new", h),
            {
                "experience": h.section.experience_id,
                "term": h.section.term_id,
                "name": "Block B",
                "teachers": [h.teacher.pk],
                "students": [s.pk for s in h.students],
            },
            Section,
            {
                "experience": h.section.experience_id,
                "term": h.section.term_id,
                "name": "Block C",
                "teachers": [h.advisor.pk],
            },
            "teachers",
            "Select a valid choice",
        ),
        "person": (
            u("manage_person_new", h),
            {
                "display_name": "Nia Coach",
                "username": "nia",
                "roles": ["teacher"],
                "password": "long-enough-pw",
            },
            User,
            {"display_name": "Dup", "username": h.teacher.username, "roles": ["teacher"]},
            "username",
            "is taken",
        ),
        "student": (
            u("manage_student_new", h),
            {
                "given_name": "Zoe",
                "family_name": "Lin",
                "graduation_year": "2028",
                "student_number": "N-1",
                "username": "zoe",
                "password": "long-enough",
                "advisor": h.advisor.pk,
            },
            Student,
            {
                "given_name": "Zoe",
                "family_name": "Lin",
                "graduation_year": "2028",
                "student_number": h.students[0].student_number,
            },
            "student_number",
            "already has the number",
        ),
    }


NAMES = [
    "school",
    "scale",
    "scale_levels",
    "framework",
    "competency",
    "area",
    "credit",
    "rule",
    "term",
    "experience",
    "section",
    "person",
    "student",
]


@pytest.mark.parametrize("name", NAMES)
def test_bad_input_is_refused_beside_the_field_and_nothing_is_written(client, hill, name):
    url, _, model, bad, field, message = cases(hill)[name]
    client.force_login(hill.admin)
    before = (
        AuditEvent.objects.count(),
        model.objects.count() if model else None,
        School.objects.values_list("not_progressing_days", flat=True).get(pk=hill.school.pk),
    )
    response = client.post(url, bad)
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert "Nothing was saved." in html
    if field:
        assert f'id="{"id_" + field if field not in ("levels", "items") else field}-error"' in html
    after = (
        AuditEvent.objects.count(),
        model.objects.count() if model else None,
        School.objects.values_list("not_progressing_days", flat=True).get(pk=hill.school.pk),
    )
    assert after == before


@pytest.mark.parametrize("name", [n for n in NAMES if n != "scale_levels"])
def test_each_setup_form_saves_through_its_service(client, hill, name):
    url, good, model, *_ = cases(hill)[name]
    client.force_login(hill.registrar)
    before = model.objects.count() if model else 0
    events = AuditEvent.objects.count()
    response = post_confirmed(client, url, good)
    assert response.status_code == 302, response.content.decode()[:2000]
    if model:
        assert model.objects.count() == before + 1
    assert AuditEvent.objects.count() > events


def test_saved_records_are_what_was_entered(client, hill):
    client.force_login(hill.admin)
    for name in ("scale", "credit", "section", "student"):
        url, good, *_ = cases(hill)[name]
        assert post_confirmed(client, url, good).status_code == 302
    scale = ProficiencyScale.objects.get(name="Five levels")
    assert list(ScaleLevel.objects.filter(scale=scale).values_list("label", flat=True)) == [
        "Emerging",
        "Developing",
        "Proficient",
        "Advanced",
    ]
    assert (scale.min_value, scale.max_value) == (1, 4)
    credit = MasteryCredit.objects.get(code="F9")
    assert credit.rule_n == 1 and credit.items.count() == 2
    section = Section.objects.get(name="Block B")
    assert section.enrollments.count() == 3 and section.teacher_links.get().user == hill.teacher
    zoe = Student.objects.get(given_name="Zoe")
    assert (
        zoe.user.username == "zoe"
        and zoe.user.check_password("long-enough")
        and zoe.advisor == hill.advisor
    )
    assert Membership.objects.filter(user=zoe.user, role="student").exists()


def test_editing_roles_and_linking_a_guardian(client, hill):
    from credo.testing import make_user

    client.force_login(hill.admin)
    nia = make_user("nia", school=hill.school, role="guardian")
    assert (
        client.post(
            u("manage_person", hill, nia.pk), {"roles": ["guardian", "reviewer"]}
        ).status_code
        == 302
    )
    assert set(Membership.objects.filter(user=nia).values_list("role", flat=True)) == {
        "guardian",
        "reviewer",
    }
    refused = client.post(u("manage_person", hill, hill.admin.pk), {"roles": ["teacher"]})
    assert "cannot remove your own admin" in refused.content.decode()
    student = hill.students[0]
    response = client.post(
        u("manage_student", hill, student.pk),
        {"action": "guardian", "guardian": nia.pk, "relationship": "aunt"},
    )
    assert response.status_code == 302 and GuardianLink.objects.get(student=student).guardian == nia
    response = client.post(
        u("manage_student", hill, student.pk),
        {
            "action": "student",
            "given_name": "Renamed",
            "family_name": "Tester",
            "graduation_year": "2029",
            "advisor": hill.teacher.pk,
            "active": "on",
        },
    )
    assert "Select a valid choice" in response.content.decode()
    student.refresh_from_db()
    assert student.given_name != "Renamed"


def test_another_schools_records_answer_404(client, hill, dale):
    client.force_login(hill.admin)
    assert client.get(u("manage_credit", hill, dale.credits["all"].pk)).status_code == 404
    assert client.get(u("manage_scale", hill, dale.scale.pk)).status_code == 404
    assert client.get(u("manage_student", hill, dale.students[0].pk)).status_code == 404
    assert client.get(u("manage_person", hill, dale.admin.pk)).status_code == 404
    assert (
        client.post(u("manage_framework", hill, dale.framework.pk), {"name": "x"}).status_code
        == 404
    )


def test_a_long_credit_or_scale_keeps_every_row_when_edited(client, hill):
    """The credit form used to show ten competency rows and the scale form six levels: editing a
    longer one and saving silently dropped the rest. Every listed row is shown, plus blank ones."""
    from credo.mastery.models import CreditRequirementItem

    more = [
        Competency.objects.create(
            school=hill.school,
            framework=hill.framework,
            code=f"L{i}",
            statement=f"Long {i}",
            sequence=10 + i,
        )
        for i in range(8)
    ]
    credit = hill.credits["all"]
    for c in [*hill.competencies[2:], *more]:  # 2 + 4 + 8 = 14 items
        CreditRequirementItem.objects.create(school=hill.school, credit=credit, competency=c)
    client.force_login(hill.admin)
    url = u("manage_credit", hill, credit.pk)
    html = client.get(url).content.decode()
    assert html.count('name="item-') // 3 == 14 + 5  # 14 listed, 5 blank to add to
    data = {
        "area": credit.area_id,
        "level": credit.level,
        "code": credit.code,
        "title": credit.title,
        "standard": credit.standard,
        "rule": "all",
        "min_evidence": "0",
        "order": "0",
    }
    for i, item in enumerate(credit.items.order_by("id")):
        data[f"item-{i}-competency"] = str(item.competency_id)
        data[f"item-{i}-points"] = "1"
    assert client.post(url, data).status_code == 302
    assert credit.items.count() == 14

    levels = [(str(v), f"Level {v}") for v in range(8)]  # a scale of eight levels
    assert (
        client.post(
            u("manage_scale_new", hill),
            {"name": "Eight levels", "mastery_threshold": "5", **scale_rows(*levels)},
        ).status_code
        == 302
    )
    scale = ProficiencyScale.objects.get(name="Eight levels")
    assert scale.levels.count() == 8
    edit = client.get(u("manage_scale", hill, scale.pk)).content.decode()
    assert 'value="Level 7"' in edit and edit.count('-value"') >= 8


def test_people_and_students_are_found_by_search_and_come_a_page_at_a_time(client, hill):
    from credo.testing import make_student

    for _ in range(55):
        make_student(hill.school, section=hill.section, advisor=hill.advisor)
    first = Student.objects.filter(school=hill.school).order_by("pk").first()
    first.graduation_year = 2031
    first.save()
    client.force_login(hill.registrar)
    listing = client.get(u("manage_students", hill)).content.decode()
    assert "58 students, 1–50 shown." in listing and "Page 1 of 2" in listing
    assert "?page=2" in listing
    by_year = client.get(u("manage_students", hill) + "?year=2031").content.decode()
    assert "1 match." in by_year and str(first) in by_year
    by_number = client.get(u("manage_students", hill) + f"?q={first.student_number}")
    assert str(first) in by_number.content.decode()
    nobody = client.get(u("manage_students", hill) + "?q=zzzz-nobody").content.decode()
    assert "No student matches." in nobody

    teachers = client.get(u("manage_people", hill) + "?role=teacher").content.decode()
    assert str(hill.teacher) in teachers and str(hill.advisor) not in teachers
    assert ">Setup</a>" in teachers  # the school's navigation still knows the user's roles
    found = client.get(u("manage_people", hill) + f"?q={hill.advisor.username}").content.decode()
    assert str(hill.advisor) in found and "1 match." in found
    everyone = client.get(u("manage_people", hill)).content.decode()
    assert "Page 1 of 2" in everyone and "?page=2" in everyone
    second = client.get(u("manage_people", hill) + "?role=student&page=2").content.decode()
    assert "role=student&amp;page=1" in second  # the filter is kept across pages
