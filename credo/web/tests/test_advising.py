"""The advisor's page: every advisee's pace and reviews, and who needs support, the most first."""

import datetime as dt

from django.urls import reverse

from credo.mastery.selectors import STALLS_FOR_SUPPORT
from credo.mastery.services import assessment_record


def test_one_quiet_target_is_not_a_support_need_but_several_are(client, hill):
    s1, s2, s3 = hill.students
    old = hill.school.today() - dt.timedelta(days=80)
    lately = hill.school.today() - dt.timedelta(days=10)
    for student, n in ((s1, 1), (s2, STALLS_FOR_SUPPORT), (s3, STALLS_FOR_SUPPORT + 1)):
        for c in hill.competencies[:n]:
            for day in (old, lately):  # came back to it lately, with no gain
                assessment_record(
                    assessor=hill.teacher,
                    student=student,
                    competency=c,
                    value=1,
                    demonstrated_on=day,
                )
    for student in (s1, s2, s3):  # nobody behind pace: the class graduates years from now
        student.graduation_year = hill.school.today().year + 4
        student.save()
    client.force_login(hill.advisor)
    html = client.get(reverse("web:advisees", args=[hill.school.slug])).content.decode()
    support = html.split('id="support-h"')[1].split("</section>")[0]
    assert "(2 of 3)" in support
    assert str(s1) not in support  # one target without gain is ordinary
    assert support.index(str(s3)) < support.index(str(s2))  # the most stalled first
    assert f"no gain on {STALLS_FOR_SUPPORT + 1} targets" in support
    assert f"{STALLS_FOR_SUPPORT} or more targets" in support  # the rule is stated


def test_the_school_sets_the_support_threshold_and_old_work_is_left_out(client, hill):
    from credo.mastery.selectors import advisee_overview
    from credo.schools.services import school_settings_save

    s1, s2, _ = hill.students
    today = hill.school.today()
    for student in hill.students:
        student.graduation_year = today.year + 4
        student.save()
    for c in hill.competencies[:3]:  # recent: within any window, and worked on again lately
        for days in (80, 10):
            assessment_record(
                assessor=hill.teacher,
                student=s1,
                competency=c,
                value=1,
                demonstrated_on=today - dt.timedelta(days=days),
            )
        assessment_record(  # years ago
            assessor=hill.teacher,
            student=s2,
            competency=c,
            value=1,
            demonstrated_on=today - dt.timedelta(days=800),
        )
    needing = {
        line.student for line in advisee_overview(hill.school, hill.advisor) if line.needs_support
    }
    assert needing == {s1}  # s2's stalls are on work older than the window (180 days)
    school_settings_save(
        actor=hill.admin,
        school=hill.school,
        name=hill.school.name,
        support_stalls=4,
        support_window_days=900,
    )
    hill.school.refresh_from_db()
    lines = advisee_overview(hill.school, hill.advisor)
    assert {line.student for line in lines if line.needs_support} == set()  # 3 < 4
    stalls = {line.student: line.stalls for line in lines}
    assert stalls[s1] == 3 and stalls[s2] == 0  # s2 has not worked on them for years
    client.force_login(hill.advisor)
    html = client.get(reverse("web:advisees", args=[hill.school.slug])).content.decode()
    assert "4 or more targets" in html and "older than 900 days" in html


def test_support_settings_are_validated_and_refused_to_non_managers(client, hill):
    url = reverse("web:manage_school", args=[hill.school.slug])
    client.force_login(hill.admin)
    response = client.post(url, {"name": "Hill", "not_progressing_days": 42, "support_stalls": 0})
    assert "Choose from 1 to 20 targets." in response.content.decode()
    hill.school.refresh_from_db()
    assert hill.school.support_stalls == 3
    client.force_login(hill.advisor)
    assert client.post(url, {"name": "Hill", "support_stalls": 5}).status_code == 403
    hill.school.refresh_from_db()
    assert hill.school.support_stalls == 3


def test_pace_is_shown_to_the_student_and_the_guardian(client, world):
    from credo.mastery.gradebook import graduation_pace
    from credo.mastery.models import GraduationStatus

    me = world.me
    url = reverse("web:student", args=["hill", me.pk])
    status = GraduationStatus.objects.get(student=me)
    pace = graduation_pace(status, me.graduation_year, world.hill.school.today())
    for user in (me.user, world.guardian):
        client.force_login(user)
        html = client.get(url).content.decode()
        assert f'class="pace {pace.state}"' in html and pace.state_label in html
        assert f"{pace.progress_pct}% of the graduation requirements met" in html
        if pace.left:
            assert "Still to do:" in html and pace.left[0] in html


def test_a_target_nobody_came_back_to_is_not_a_support_need(hill):
    """Targets tried once two months ago and not returned to are the class's pacing: the teacher's
    "not progressing" list shows them, the advisor's support list does not."""
    from credo.mastery.gradebook import find_stalls
    from credo.mastery.selectors import advisee_overview

    s1 = hill.students[0]
    today = hill.school.today()
    s1.graduation_year = today.year + 4
    s1.save()
    for c in hill.competencies[:4]:
        assessment_record(
            assessor=hill.teacher,
            student=s1,
            competency=c,
            value=1,
            demonstrated_on=today - dt.timedelta(days=80),
        )
    assert len(find_stalls([s1], cutoff=today - dt.timedelta(days=42))) == 4
    (line,) = [x for x in advisee_overview(hill.school, hill.advisor) if x.student == s1]
    assert line.stalls == 0 and not line.needs_support


def test_n_mastery_work_at_mastery_is_a_gain_though_no_level_shows_yet(db):
    """Under "3 times at mastery" no level shows until the third; a second time at mastery is
    progress, a second time below it is not."""
    from credo.mastery.gradebook import find_stalls
    from credo.testing import make_small_school

    nm = make_small_school("nm", method="n_mastery", param=3)
    gaining, stuck = nm.students[:2]
    today = nm.school.today()
    c = nm.competencies[0]
    for student, values in ((gaining, (3, 3)), (stuck, (2, 2))):
        for days, value in zip((80, 10), values, strict=True):
            assessment_record(
                assessor=nm.teacher,
                student=student,
                competency=c,
                value=value,
                demonstrated_on=today - dt.timedelta(days=days),
            )
    stalls = find_stalls([gaining, stuck], cutoff=today - dt.timedelta(days=42))
    assert [s.student for s in stalls] == [stuck]
