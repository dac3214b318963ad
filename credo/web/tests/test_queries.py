"""Query counts pinned for the gradebook, the dashboards and the review queue: they do not grow with
the size of the class, the number of advisees or reviews, or the length of a student's history."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import Role
from credo.evidence.services import evidence_submit
from credo.mastery.services import (
    assessments_record_for_class,
    credit_review_request,
    habits_record,
)
from credo.testing import make_small_school, make_student, make_user, submit_evidence

DAY = dt.date(2025, 9, 1)


def grow(s, n_students: int, n_tasks: int):
    """Enrol `n_students` more students and record `n_tasks` tasks per competency for the class."""
    for _ in range(n_students):
        make_student(s.school, section=s.section, advisor=s.advisor)
    students = list(s.section.enrollments.values_list("student", flat=True))
    from credo.accounts.models import Student

    roster = list(Student.objects.filter(pk__in=students))
    for c in s.competencies:
        for t in range(n_tasks):
            assessments_record_for_class(
                assessor=s.teacher,
                competency=c,
                demonstrated_on=DAY + dt.timedelta(days=t),
                entries=[(st, 1 + (st.pk + t) % 4, "ok") for st in roster],
                task=f"T{t}",
            )
    habits_record(
        assessor=s.teacher, demonstrated_on=DAY, entries=[(st, s.habit, 3) for st in roster]
    )
    return roster


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def small(db):
    s = make_small_school("small", students=3)
    grow(s, 2, 1)
    return s


@pytest.fixture
def large(db):
    s = make_small_school("large", students=3)
    grow(s, 32, 2)  # a class of 35, two tasks on every target
    return s


PINNED = {  # the most queries each page may make, whatever the size (measured, then pinned)
    "gradebook": 10,
    "student": 20,
    "advisees": 10,  # + the worklist counts: to assess 1, approvals 2, waiting for a panel 1
    "reviews": 5,
    "sections": 5,
    "support": 10,
    "habits": 9,
    "class_task": 10,  # + each student's evidence tagged to the target
    "differentiate": 10,  # + the live assessments: a student with no level yet is placed by their latest
    "manage_students": 7,  # with the match count and the classes to filter by
    "manage_people": 7,
}


def urls(s, student):
    slug, sec = s.school.slug, s.section.pk
    return {
        "gradebook": reverse("web:section", args=[slug, sec]),
        "student": reverse("web:student", args=[slug, student.pk]),
        "advisees": reverse("web:advisees", args=[slug]),
        "reviews": reverse("web:reviews", args=[slug]),
        "sections": reverse("web:sections", args=[slug]),
        "support": reverse("web:support", args=[slug, sec]),
        "habits": reverse("web:habits", args=[slug, sec]),
        "class_task": reverse("web:class_task", args=[slug, sec])
        + f"?competency={s.competencies[0].pk}",
        "differentiate": reverse("web:differentiate", args=[slug, sec]),
        "manage_students": reverse("web:manage_students", args=[slug]),
        "manage_people": reverse("web:manage_people", args=[slug]),
    }


def reviews_for(s, roster, n):
    for st in roster[:n]:
        ev = evidence_submit(
            actor=s.admin, student=st, kind="text", title="Work", body="b", demonstrated_on=DAY
        )
        credit_review_request(
            actor=s.admin,
            student=st,
            credit=s.credits["advanced"],
            evidence_ids=[ev.pk],
            override_reason="Early review",
        )


def test_query_counts_do_not_grow_with_the_class(client, small, large):
    from credo.accounts.models import Membership, Student

    counts = {}
    for s, n_reviews in ((small, 2), (large, 12)):
        roster = list(Student.objects.filter(school=s.school))
        reviews_for(s, roster, n_reviews)
        user = make_user(f"both-{s.school.slug}", school=s.school, role=Role.ADMIN)
        for role in (Role.TEACHER, Role.ADVISOR):
            Membership.objects.create(school=s.school, user=user, role=role)
        client.force_login(user)
        counts[s.school.slug] = {
            name: count(client, url) for name, url in urls(s, roster[0]).items()
        }
    small_counts, large_counts = counts["small"], counts["large"]
    assert large_counts == small_counts, "query counts grew with the class (5 → 35)"
    over = {name: n for name, n in large_counts.items() if n > PINNED[name]}
    assert not over, f"pages over their pinned query count: {over}"


def test_peer_work_and_a_review_page_do_not_grow_with_the_class(client, small, large):
    """Classmates' shared work (paged) and one credit review (its case lists the student's level on
    every competency) cost the same number of queries for a class of 5 as for a class of 35."""
    from credo.accounts.models import Student
    from credo.mastery.models import CreditReview

    counts = {}
    for s in (small, large):
        roster = list(Student.objects.filter(school=s.school).order_by("pk"))
        for st in roster[1:]:
            submit_evidence(st, 2, title="Shared", day=DAY, shared_with_peers=True)
        reviews_for(s, roster, 1)
        review = CreditReview.objects.get(school=s.school)
        client.force_login(roster[0].user)
        peers = count(client, reverse("web:peer_work", args=[s.school.slug, roster[0].pk]))
        client.force_login(s.admin)
        detail = count(client, reverse("web:review", args=[s.school.slug, review.pk]))
        counts[s.school.slug] = {"peer_work": peers, "review": detail}
    assert counts["large"] == counts["small"], counts
    # measured, then pinned (the review page also reads the votes, the policy's staff seats and
    # what the student still lacks for the requirement)
    assert counts["large"] == {"peer_work": 11, "review": 19}, counts
