"""The advisor's page: every advisee's pace and reviews, and who needs support, the most first."""

import datetime as dt

from django.urls import reverse

from credo.mastery.selectors import STALLS_FOR_SUPPORT
from credo.mastery.services import assessment_record


def test_one_quiet_target_is_not_a_support_need_but_several_are(client, hill):
    s1, s2, s3 = hill.students
    old = hill.school.today() - dt.timedelta(days=80)
    for student, n in ((s1, 1), (s2, STALLS_FOR_SUPPORT), (s3, STALLS_FOR_SUPPORT + 1)):
        for c in hill.competencies[:n]:
            assessment_record(
                assessor=hill.teacher, student=student, competency=c, value=1, demonstrated_on=old
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
