"""Every page's permission rule: each role against each page, other schools' users and anonymous visitors.

A page answers 200 to those who may see it, 403 to a member of the school whose role does not allow it,
404 for a record the user may not know exists (another school's, another student's), and sends an
anonymous visitor to sign in. Nobody ever sees another student's data.
"""

import pytest
from django.urls import reverse

from credo.mastery.models import CreditReview

ACTORS = [
    "anon",
    "admin",
    "registrar",
    "teacher",
    "advisor",
    "me",
    "classmate",
    "guardian",
    "reviewer",
    "dale_admin",
    "dale_student",
]


def user_of(world, actor):
    return {
        "anon": None,
        "admin": world.hill.admin,
        "registrar": world.hill.registrar,
        "teacher": world.hill.teacher,
        "advisor": world.hill.advisor,
        "me": world.me.user,
        "classmate": world.classmate.user,
        "guardian": world.guardian,
        "reviewer": world.reviewer,
        "dale_admin": world.dale.admin,
        "dale_student": world.dale.students[0].user,
    }[actor]


def pages(world):
    """(name, url) for every page of the issue, about the student `me` where a student is concerned."""
    h, slug, me = world.hill, world.hill.school.slug, world.me
    sec, c = h.section.pk, h.competencies[0].pk
    a = me.assessments.first().pk
    return {
        "school": reverse("web:school", args=[slug]),
        "sections": reverse("web:sections", args=[slug]),
        "gradebook": reverse("web:section", args=[slug, sec]),
        "cell": reverse("web:cell", args=[slug, sec, me.pk, c]),
        "correct": reverse("web:correct", args=[slug, sec, a]),
        "class_task": reverse("web:class_task", args=[slug, sec]),
        "differentiate": reverse("web:differentiate", args=[slug, sec]),
        "habits": reverse("web:habits", args=[slug, sec]),
        "support": reverse("web:support", args=[slug, sec]),
        "student": reverse("web:student", args=[slug, me.pk]),
        "evidence_list": reverse("web:evidence_list", args=[slug, me.pk]),
        "evidence_new": reverse("web:evidence_new", args=[slug, me.pk]),
        "evidence": reverse("web:evidence", args=[world.evidence.pk]),
        "peer_work": reverse("web:peer_work", args=[slug, me.pk]),
        "review_request": reverse("web:review_request", args=[slug, me.pk, h.credits["count"].pk]),
        "story": reverse("web:story", args=[slug, me.pk]),
        "advisees": reverse("web:advisees", args=[slug]),
        "reviews": reverse("web:reviews", args=[slug]),
        "review": reverse("web:review", args=[slug, world.review.pk]),
        "manage": reverse("web:manage", args=[slug]),
        "manage_credits": reverse("web:manage_credits", args=[slug]),
        "manage_credit": reverse("web:manage_credit", args=[slug, h.credits["all"].pk]),
        "manage_students": reverse("web:manage_students", args=[slug]),
        "manage_student": reverse("web:manage_student", args=[slug, me.pk]),
        "manage_people": reverse("web:manage_people", args=[slug]),
        "manage_frameworks": reverse("web:manage_frameworks", args=[slug]),
        "manage_scale": reverse("web:manage_scale", args=[slug, h.scale.pk]),
        "manage_sections": reverse("web:manage_sections", args=[slug]),
        "manage_school": reverse("web:manage_school", args=[slug]),
    }


# Expected status per page for: admin registrar teacher advisor me classmate guardian reviewer dale_admin dale_student
# (anonymous visitors are always sent to sign in). "R" = redirect (a role's home page sends them on).
M, T = "200", "403"
EXPECTED = {
    #                 admin registrar teacher advisor me    classmate guardian reviewer dale_admin dale_student
    "school": [M, M, M, "R", "R", "R", "R", "R", 404, 404],
    "sections": [M, M, M, T, T, T, T, T, 404, 404],
    "gradebook": [M, M, M, T, T, T, T, T, 404, 404],
    "cell": [M, M, M, T, T, T, T, T, 404, 404],
    "correct": [M, M, M, T, T, T, T, T, 404, 404],
    "class_task": [M, M, M, T, T, T, T, T, 404, 404],
    "differentiate": [M, M, M, T, T, T, T, T, 404, 404],
    "habits": [M, M, M, T, T, T, T, T, 404, 404],
    "support": [M, M, M, T, T, T, T, T, 404, 404],
    "student": [M, M, M, M, M, 404, M, M, 404, 404],
    "evidence_list": [M, M, M, M, M, 404, M, M, 404, 404],
    "evidence_new": [M, M, M, M, M, 404, T, T, 404, 404],
    "evidence": [M, M, M, M, M, 404, M, M, 404, 404],
    "peer_work": [T, T, T, T, M, 404, T, T, 404, 404],
    "review_request": [M, M, M, M, M, 404, T, T, 404, 404],
    "story": [M, M, M, M, M, 404, M, M, 404, 404],
    "advisees": [M, M, T, M, T, T, T, T, 404, 404],
    "reviews": [M, M, M, M, T, T, T, M, 404, 404],
    "review": [M, M, M, M, 404, 404, 404, M, 404, 404],
    "manage": [M, M, T, T, T, T, T, T, 404, 404],
    "manage_credits": [M, M, T, T, T, T, T, T, 404, 404],
    "manage_credit": [M, M, T, T, T, T, T, T, 404, 404],
    "manage_students": [M, M, T, T, T, T, T, T, 404, 404],
    "manage_student": [M, M, T, T, T, T, T, T, 404, 404],
    "manage_people": [M, M, T, T, T, T, T, T, 404, 404],
    "manage_frameworks": [M, M, T, T, T, T, T, T, 404, 404],
    "manage_scale": [M, M, T, T, T, T, T, T, 404, 404],
    "manage_sections": [M, M, T, T, T, T, T, T, 404, 404],
    "manage_school": [M, M, T, T, T, T, T, T, 404, 404],
}
SIGNED_IN = ACTORS[1:]


def _status(response) -> str | int:
    if response.status_code in (301, 302):
        return "R"
    return str(response.status_code) if response.status_code in (200, 403) else response.status_code


def test_every_page_of_the_issue_is_in_the_matrix(world):
    assert set(pages(world)) == set(EXPECTED)


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_each_role_against_each_page(client, world, actor):
    client.force_login(user_of(world, actor))
    got = {name: _status(client.get(url)) for name, url in pages(world).items()}
    want = {name: EXPECTED[name][SIGNED_IN.index(actor)] for name in EXPECTED}
    assert got == want


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for name, url in pages(world).items():
        response = client.get(url)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("web:login")), name


def test_pages_never_show_another_students_data(client, world):
    """A student, a guardian and another school's admin never see the data of a student not theirs."""
    other = world.classmate
    slug = world.hill.school.slug
    for user in (world.me.user, world.guardian, world.dale.admin):
        client.force_login(user)
        for url in (
            reverse("web:student", args=[slug, other.pk]),
            reverse("web:evidence_list", args=[slug, other.pk]),
            reverse("web:story", args=[slug, other.pk]),
        ):
            response = client.get(url)
            assert response.status_code == 404
            assert other.full_name.encode() not in response.content


def test_the_guardian_sees_only_their_child_and_no_forms(client, world):
    client.force_login(world.guardian)
    response = client.get(reverse("web:school", args=[world.hill.school.slug]), follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.me.full_name in html and world.classmate.full_name not in html
    assert (
        'method="post"' not in html.replace('action="/accounts/logout/"', "").split("</header>")[1]
    )
    story = client.post(
        reverse("web:story", args=[world.hill.school.slug, world.me.pk]), {"body": "x"}
    )
    assert story.status_code == 403


def test_a_classmate_sees_shared_work_but_not_how_it_was_assessed(client, world):
    from credo.evidence.services import evidence_set_sharing

    evidence_set_sharing(
        actor=world.me.user, evidence=world.evidence, shared_with_peers=True, highlighted=False
    )
    client.force_login(world.classmate.user)
    response = client.get(reverse("web:evidence", args=[world.evidence.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "My inquiry notes" in html and "How it was assessed" not in html and "Your feedback" in html
    )
    client.force_login(world.dale.students[0].user)
    assert client.get(reverse("web:evidence", args=[world.evidence.pk])).status_code == 404


def test_guest_invitation_pages_are_public_but_signed(client, world):
    from credo.mastery.invites import invitation_token

    token = invitation_token(world.guest_seat)
    assert client.get(reverse("web:guest_review", args=[token])).status_code == 200
    assert client.get(reverse("web:guest_review", args=[token[:-2] + "xx"])).status_code == 404
    review2 = CreditReview.objects.exclude(pk=world.review.pk).first()
    assert (
        review2 is None
    )  # one review in the world: a token cannot be re-pointed without breaking its signature


def manage_pages(world) -> dict[str, str]:
    """Every page of the school's setup, built from its URL patterns so that a new one is covered
    the day it is added: the ids are the hill school's own records."""
    from credo.frameworks.models import Outcome
    from credo.mastery.models import GraduationRule
    from credo.web.views.manage import urlpatterns

    h = world.hill
    outcome, _ = Outcome.objects.get_or_create(
        school=h.school, framework=h.framework, code="GP1", defaults={"title": "Reasons well"}
    )
    ids = {
        "scale_id": h.scale.pk,
        "framework_id": h.framework.pk,
        "competency_id": h.competencies[0].pk,
        "area_id": h.areas[0].pk,
        "credit_id": h.credits["all"].pk,
        "rule_id": GraduationRule.objects.filter(school=h.school).first().pk,
        "term_id": h.section.term_id,
        "experience_id": h.section.experience_id,
        "section_id": h.section.pk,
        "user_id": h.teacher.pk,
        "student_id": world.me.pk,
        "outcome_id": outcome.pk,
    }
    result = {}
    for pattern in urlpatterns:
        kwargs = {name: ids[name] for name in pattern.pattern.converters}
        result[pattern.name] = reverse(
            f"web:{pattern.name}", kwargs={"slug": h.school.slug, **kwargs}
        )
    return result


# admin registrar teacher advisor me classmate guardian reviewer dale_admin dale_student
MANAGE_EXPECTED = [M, M, T, T, T, T, T, T, 404, 404]


@pytest.mark.parametrize("actor", SIGNED_IN)
def test_every_setup_page_is_for_admins_and_registrars_only(client, world, actor):
    client.force_login(user_of(world, actor))
    want = MANAGE_EXPECTED[SIGNED_IN.index(actor)]
    got = {name: _status(client.get(url)) for name, url in manage_pages(world).items()}
    assert len(got) >= 30
    # an action page (POST only) sends those allowed to use it back to its page on a GET
    allowed = {want, "R"} if want == M else {want}
    assert {name: s for name, s in got.items() if s not in allowed} == {}


def test_anonymous_visitors_are_sent_to_sign_in_from_setup(client, world):
    for name, url in manage_pages(world).items():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("web:login")
        ), name


# Actions (POST, with valid input): what each role gets, and whether anything was written.
# admin registrar teacher advisor me classmate guardian reviewer dale_admin dale_student
ACTIONS = {
    # only the panel votes: the reviewer is seated; admins, registrars, the teacher and the advisor
    # see the review but are not on this panel
    "review_decide": [403, 403, 403, 403, 404, 404, 404, 302, 404, 404],
    # forming a panel takes an admin, a registrar or a review coordinator, never a teacher or
    # advisor on their own authority
    "review_schedule": [302, 302, 403, 403, 404, 404, 404, 403, 404, 404],
    "evidence_approve": [302, 302, 302, 302, 403, 404, 403, 403, 404, 404],
    "evidence_sharing": [403, 403, 403, 403, 302, 404, 403, 403, 404, 404],
}


def _act(client, world, name):
    slug, review, ev = world.hill.school.slug, world.review, world.evidence
    if name == "review_decide":
        url, data = (
            reverse("web:review_decide", args=[slug, review.pk]),
            {"decision": "not_yet", "feedback": "One more piece."},
        )
    elif name == "review_schedule":
        url, data = (
            reverse("web:review_schedule", args=[slug, review.pk]),
            {"scheduled_at": "2025-11-03T14:30", "location": "Library"},
        )
    elif name == "evidence_approve":
        url, data = reverse("web:evidence_approve", args=[ev.pk]), {}
    else:
        url, data = reverse("web:evidence_sharing", args=[ev.pk]), {"highlighted": "on"}
    return client.post(url, data).status_code


def _written(world, name) -> bool:
    from credo.evidence.models import Evidence

    world.review.refresh_from_db()
    ev = Evidence.objects.get(pk=world.evidence.pk)
    return {
        "review_decide": world.review.votes.exists(),
        "review_schedule": world.review.location == "Library",
        "evidence_approve": ev.approved,
        "evidence_sharing": ev.highlighted,
    }[name]


@pytest.mark.parametrize("name", ACTIONS)
@pytest.mark.parametrize("actor", SIGNED_IN)
def test_each_role_against_each_action(client, world, actor, name):
    client.force_login(user_of(world, actor))
    status = _act(client, world, name)
    assert status == ACTIONS[name][SIGNED_IN.index(actor)]
    assert _written(world, name) == (status == 302), "a refused action wrote something"
