"""Worklists: work to assess (assessed in place), approvals, reviews waiting for a panel, and their
counts on the home pages; each refused to other roles, other schools and the anonymous."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import Role
from credo.core.models import AuditEvent
from credo.evidence.services import evidence_submit, story_save
from credo.mastery import services, worklists
from credo.mastery.models import Assessment
from credo.testing import make_user, meet_credit

DAY = dt.date(2025, 10, 1)


@pytest.fixture
def hill(hill):
    hill.school.as_of = dt.date(2025, 10, 20)  # the section's term is running
    hill.school.save()
    return hill


def submit(student, competencies, *, title="Lab report", day=DAY, **extra):
    return evidence_submit(
        actor=student.user,
        student=student,
        kind="text",
        title=title,
        body="What I did.",
        demonstrated_on=day,
        competencies=competencies,
        **extra,
    )


def to_assess_url(s):
    return reverse("web:to_assess", args=[s.school.slug])


def test_a_revision_appears_with_its_feedback_and_leaves_once_assessed(client, hill):
    me, c1, c2 = hill.students[0], hill.competencies[0], hill.competencies[1]
    first = submit(me, [c1], title="Draft essay")
    feedback = services.assessment_record(
        assessor=hill.teacher,
        student=me,
        competency=c1,
        value=2,
        demonstrated_on=DAY,
        evidence=first,
        feedback="Cite the second source.",
    )
    fresh = submit(me, [c2], title="Poster", day=DAY + dt.timedelta(days=2))
    revision = submit(
        me,
        [c1],
        title="Essay, revised",
        day=DAY + dt.timedelta(days=3),
        revision_of=first,
        responds_to=feedback,
    )
    client.force_login(hill.teacher)
    html = client.get(to_assess_url(hill)).content.decode()
    assert "Draft essay</a>" not in html  # assessed already
    assert html.index("Essay, revised") < html.index("Poster")  # revisions first
    assert "Cite the second source." in html and "revision" in html
    assert client.get(reverse("web:school", args=["hill"])).context["worklists"].to_assess == 2

    response = client.post(
        to_assess_url(hill),
        {
            "evidence": revision.pk,
            "competency": c1.pk,
            "section": hill.section.pk,
            "value": "3",
            "kind": "summative",
            "feedback": "Sources now carry the argument.",
        },
    )
    assert response.status_code == 302
    a = Assessment.objects.get(evidence=revision)
    assert (a.competency, a.value, a.demonstrated_on, a.feedback) == (
        c1,
        3,
        revision.demonstrated_on,
        "Sources now carry the argument.",
    )
    assert AuditEvent.objects.filter(action="assessment.recorded", target_id=a.pk).exists()
    html = client.get(to_assess_url(hill)).content.decode()
    assert "Essay, revised" not in html and "Poster" in html
    assert worklists.to_assess_count(hill.teacher, hill.school) == 1
    assert [i.evidence for i in worklists.to_assess(hill.teacher, hill.school)] == [fresh]


def test_a_blank_level_is_refused_with_a_message_and_nothing_written(client, hill):
    me, c1 = hill.students[0], hill.competencies[0]
    ev = submit(me, [c1])
    client.force_login(hill.teacher)
    response = client.post(
        to_assess_url(hill),
        {"evidence": ev.pk, "competency": c1.pk, "section": hill.section.pk, "value": ""},
        follow=True,
    )
    assert "Choose a level." in response.content.decode()
    assert not Assessment.objects.exists()


def test_to_assess_is_refused_to_others_and_changes_nothing(client, hill, dale):
    me, c1 = hill.students[0], hill.competencies[0]
    ev = submit(me, [c1])
    post = {"evidence": ev.pk, "competency": c1.pk, "section": hill.section.pk, "value": "3"}
    assert client.get(to_assess_url(hill)).status_code == 302  # anonymous: sign in first
    assert client.post(to_assess_url(hill), post).status_code == 302
    for user, status in (
        (me.user, 403),
        (hill.advisor, 403),
        (dale.teacher, 404),  # another school's: no such school for them
    ):
        client.force_login(user)
        assert client.get(to_assess_url(hill)).status_code == status
        assert client.post(to_assess_url(hill), post).status_code == status
    # A teacher of this school who does not teach the section, and one posting another school's work.
    other = make_user("teacher2-hill", school=hill.school, role=Role.TEACHER)
    client.force_login(other)
    assert "Lab report" not in client.get(to_assess_url(hill)).content.decode()
    assert client.post(to_assess_url(hill), post).status_code == 404
    dale_ev = submit(dale.students[0], [dale.competencies[0]])
    client.force_login(hill.teacher)
    assert client.post(to_assess_url(hill), {**post, "evidence": dale_ev.pk}).status_code == 404
    assert not Assessment.objects.exists()


def test_approvals_list_stories_and_highlighted_evidence_and_approve_in_place(client, hill):
    me = hill.students[0]
    ev = submit(me, [hill.competencies[0]], title="Best work", highlighted=True)
    story_save(actor=me.user, student=me, body="How I learned to argue.", submit=True)
    url = reverse("web:approvals", args=["hill"])
    client.force_login(hill.teacher)  # teaches the student: evidence yes, story no
    a = client.get(url).context["approvals"]
    assert [e.pk for e in a.evidence] == [ev.pk] and a.stories == []
    client.force_login(hill.advisor)
    a = client.get(url).context["approvals"]
    assert [s.student for s in a.stories] == [me] and [e.pk for e in a.evidence] == [ev.pk]
    assert client.get(reverse("web:advisees", args=["hill"])).context["worklists"].approvals == 2
    r = client.post(reverse("web:story_approve", args=["hill", me.pk]), {"next": url}, follow=False)
    assert r.status_code == 302 and r["Location"] == url
    r = client.post(reverse("web:evidence_approve", args=[ev.pk]), {"next": url})
    assert r["Location"] == url
    assert client.get(url).context["approvals"].total == 0
    # An outside address is never followed after approving.
    story_save(actor=me.user, student=me, body="Changed.", submit=True)
    r = client.post(
        reverse("web:story_approve", args=["hill", me.pk]), {"next": "https://evil.example/"}
    )
    assert r["Location"] == reverse("web:story", args=["hill", me.pk])


def test_approvals_are_refused_to_students_guardians_and_other_schools(client, hill, dale):
    url = reverse("web:approvals", args=["hill"])
    assert client.get(url).status_code == 302
    client.force_login(hill.students[0].user)
    assert client.get(url).status_code == 403
    client.force_login(dale.admin)
    assert client.get(url).status_code == 404


def test_reviews_waiting_for_a_panel_for_managers_only(client, hill):
    me = hill.students[0]
    meet_credit(me, hill.credits["advanced"], actor=hill.admin)
    review = services.credit_review_request(
        actor=me.user, student=me, credit=hill.credits["advanced"], statement="Ready."
    )
    url = reverse("web:panels", args=["hill"])
    client.force_login(hill.registrar)
    assert list(client.get(url).context["reviews"]) == [review]
    assert client.get(reverse("web:school", args=["hill"])).context["worklists"].panels == 1
    services.credit_review_schedule(actor=hill.admin, review=review, panel_users=[hill.teacher])
    assert list(client.get(url).context["reviews"]) == []
    for user in (hill.teacher, hill.advisor, me.user):
        client.force_login(user)
        assert client.get(url).status_code == 403


def _queries(fn):
    with CaptureQueriesContext(connection) as q:
        fn()
    return len(q)


@pytest.mark.parametrize("n", [1, 6])
def test_worklist_query_counts_do_not_grow_with_the_items(client, hill, n):
    from credo.testing import make_student

    pupils = [*hill.students, *(make_student(hill.school, section=hill.section) for _ in range(n))]
    for i, pupil in enumerate(pupils):
        submit(pupil, hill.competencies[:2], title=f"Work {i}", highlighted=True)
        story_save(actor=pupil.user, student=pupil, body="Story.", submit=True)
    meet_credit(pupils[0], hill.credits["advanced"], actor=hill.admin)
    services.credit_review_request(
        actor=pupils[0].user, student=pupils[0], credit=hill.credits["advanced"], statement="."
    )
    client.force_login(hill.teacher)
    assert len(client.get(to_assess_url(hill)).context["items"]) == 3 + n
    counts = {
        "to_assess": _queries(lambda: client.get(to_assess_url(hill))),
        "approvals_teacher": _queries(lambda: client.get(reverse("web:approvals", args=["hill"]))),
        "home_teacher": _queries(lambda: client.get(reverse("web:school", args=["hill"]))),
    }
    client.force_login(hill.admin)
    counts["approvals_admin"] = _queries(
        lambda: client.get(reverse("web:approvals", args=["hill"]))
    )
    counts["panels"] = _queries(lambda: client.get(reverse("web:panels", args=["hill"])))
    assert counts == PINNED_WORKLISTS


PINNED_WORKLISTS = {  # measured, then pinned: the same with 4 items as with 9
    "to_assess": 6,  # session, user, roles, the pending tags with their evidence, levels, messages
    "approvals_teacher": 5,
    "home_teacher": 7,  # the sections and the three counts
    "approvals_admin": 6,
    "panels": 5,
}


def test_the_evidence_page_offers_its_teacher_to_assess_it_there(client, hill):
    me, c1 = hill.students[0], hill.competencies[0]
    ev = submit(me, [c1], title="Model bridge")
    client.force_login(hill.teacher)
    html = client.get(reverse("web:evidence", args=[ev.pk])).content.decode()
    cell = reverse("web:cell", args=["hill", hill.section.pk, me.pk, c1.pk])
    assert f'href="{cell}?evidence={ev.pk}"' in html
    opened = client.get(f"{cell}?evidence={ev.pk}")
    assert opened.context["form"]["evidence"].value() == ev.pk  # that work chosen
    client.force_login(hill.advisor)  # sees the work, assesses nothing
    assert "?evidence=" not in client.get(reverse("web:evidence", args=[ev.pk])).content.decode()
