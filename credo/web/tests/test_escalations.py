"""Each escalation of issue 10, tried as the person who would try it: refused, and nothing written.

The world's review (of `me`'s advanced credit) has a panel of three: a reviewer, a review
coordinator and an outside expert.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from credo.accounts.access import can_manage_setup, roles_in, system_actor
from credo.accounts.models import Role
from credo.core.errors import NotAllowed, ValidationError
from credo.core.models import AuditEvent
from credo.mastery import rules, services
from credo.mastery.invites import invitation_token
from credo.mastery.models import (
    CreditAward,
    CreditReview,
    PanelSeat,
    ReviewDecision,
    ReviewVote,
)
from credo.schools.models import Section, SectionTeacher
from credo.testing import make_student, make_user


def _state():
    """What an escalation would change: reviews, seats, votes, decisions, awards, audit events."""
    return (
        list(CreditReview.objects.values_list("pk", "scheduled_at", "location", "closed_at")),
        PanelSeat.objects.count(),
        ReviewVote.objects.count(),
        ReviewDecision.objects.count(),
        CreditAward.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def outsider(world):
    """A teacher of the school who teaches neither `me` nor anything the credit lists."""
    h = world.hill
    section = Section.objects.create(
        school=h.school, experience=h.section.experience, term=h.section.term, name="Block Z"
    )
    teacher = make_user("outsider-hill", school=h.school, role=Role.TEACHER)
    SectionTeacher.objects.create(school=h.school, section=section, user=teacher)
    make_student(h.school, section=section)
    return teacher


def _url(world, name):
    return reverse(f"web:{name}", args=[world.hill.school.slug, world.review.pk])


def test_a_teacher_cannot_seat_themself_and_award(client, world, outsider):
    before = _state()
    client.force_login(outsider)
    schedule = client.post(
        _url(world, "review_schedule"),
        {"scheduled_at": "2025-11-03T14:30", "location": "Room 9", "panel_users": [outsider.pk]},
    )
    decide = client.post(_url(world, "review_decide"), {"decision": "award", "feedback": "Yes."})
    assert (schedule.status_code, decide.status_code) == (404, 404)  # not even told it exists
    # the student's own teacher sees the review, but forming a panel is not theirs either
    client.force_login(world.hill.teacher)
    schedule = client.post(
        _url(world, "review_schedule"),
        {"location": "Room 9", "panel_users": [world.hill.teacher.pk]},
    )
    assert schedule.status_code == 403
    with pytest.raises(NotAllowed):
        services.credit_review_schedule(
            actor=world.hill.teacher, review=world.review, panel_users=[world.hill.teacher]
        )
    assert _state() == before


def test_an_advisor_cannot_invite_an_outside_expert_nor_see_the_links(client, world):
    before = _state()
    client.force_login(world.hill.advisor)
    response = client.post(
        _url(world, "review_invite"),
        {"guest_name": "Any Name", "guest_email": "any@example.org", "guest_expertise": ""},
    )
    assert response.status_code == 403
    page = client.get(_url(world, "review")).content.decode()
    assert "/review-invitation/" not in page and "Invite an outside expert" not in page
    assert _state() == before and mail.outbox == []


def test_a_guest_link_alone_never_decides(client, world):
    """A panel of outside experts only: their votes are recorded; nothing is decided or awarded."""
    h = world.hill
    other = world.classmate
    review = services.credit_review_request(
        actor=h.registrar,
        student=other,
        credit=h.credits["advanced"],
        override_reason="Testing an expert-only panel.",
    )
    services.credit_review_schedule(
        actor=h.admin, review=review, guests=[("Solo Expert", "solo@example.org", "")]
    )
    seat = PanelSeat.objects.get(review=review)
    url = reverse("web:guest_review", args=[invitation_token(seat)])
    assert "cannot reach a decision" in client.get(url).content.decode()
    assert client.post(url, {"decision": "award", "feedback": "Great."}).status_code == 302
    review.refresh_from_db()
    assert review.is_open and not ReviewDecision.objects.filter(review=review).exists()
    assert not CreditAward.objects.filter(student=other, credit=h.credits["advanced"]).exists()


def test_staff_see_only_reviews_of_their_students_or_their_panels(client, world, outsider):
    advisor_other = make_user("advisor-other", school=world.hill.school, role=Role.ADVISOR)
    for user in (outsider, advisor_other):
        client.force_login(user)
        assert client.get(_url(world, "review")).status_code == 404
        queue = client.get(reverse("web:reviews", args=[world.hill.school.slug]))
        assert world.me.full_name not in queue.content.decode()
    for user in (world.hill.teacher, world.hill.advisor, world.reviewer, world.coordinator):
        client.force_login(user)
        assert client.get(_url(world, "review")).status_code == 200, user


def test_one_panel_member_does_not_close_a_review(world):
    services.credit_review_decide(
        review=world.review, decision="award", feedback="Yes.", actor=world.coordinator
    )
    world.review.refresh_from_db()
    assert world.review.is_open and not CreditAward.objects.filter(review=world.review).exists()
    with pytest.raises(ValidationError, match="already voted"):
        services.credit_review_decide(
            review=world.review, decision="award", feedback="Again.", actor=world.coordinator
        )
    with pytest.raises(NotAllowed):  # not seated: an admin's authority is not a vote
        services.credit_review_decide(
            review=world.review, decision="award", feedback="Yes.", actor=world.hill.admin
        )


def test_a_review_of_an_unmet_credit_is_refused_with_what_is_missing(client, world):
    h, other = world.hill, world.classmate
    from credo.evidence.services import evidence_submit

    url = reverse("web:review_request", args=[h.school.slug, other.pk, h.credits["advanced"].pk])
    piece = evidence_submit(
        actor=other.user,
        student=other,
        kind="text",
        title="A draft",
        body="b",
        demonstrated_on=world.review.requested_at.date(),
    )
    before = _state()
    client.force_login(other.user)
    page = client.get(url).content.decode()
    assert "The requirement is not met yet" in page and "0 of the 3 points needed" in page
    response = client.post(
        url, {"statement": "Please.", "format": "portfolio", "evidence": [piece.pk]}
    )
    assert (
        response.status_code == 200 and "does not meet the requirement" in response.content.decode()
    )
    # a teacher may not override; an admin or registrar may, with a reason
    with pytest.raises(NotAllowed):
        services.credit_review_request(
            actor=h.teacher, student=other, credit=h.credits["advanced"], override_reason="Go."
        )
    assert _state() == before
    review = services.credit_review_request(
        actor=h.registrar,
        student=other,
        credit=h.credits["advanced"],
        override_reason="An exhibition planned before the last assessments.",
    )
    assert review.override_reason.startswith("An exhibition")
    event = AuditEvent.objects.get(action="credit_review.requested", target_id=str(review.pk))
    assert event.note.startswith("An exhibition") and event.after["override"]
    # the panel sees what is missing before it votes
    client.force_login(h.registrar)
    detail = client.get(reverse("web:review", args=[h.school.slug, review.pk])).content.decode()
    assert "does not meet this credit's requirement yet" in detail
    assert "0 of the 3 points needed" in detail


def test_superusers_are_treated_alike_by_views_and_services(client, world):
    root = make_user("root")
    root.is_superuser = True
    root.save(update_fields=["is_superuser"])
    school = world.hill.school
    assert can_manage_setup(root, school) and Role.ADMIN in roles_in(root, school)
    client.force_login(root)
    assert client.get(reverse("web:manage", args=[school.slug])).status_code == 200
    area = services.credit_area_save(actor=root, school=school, code="Z", name="Zeta")
    assert area.pk and AuditEvent.objects.filter(actor=root, action="credit_area.saved").exists()


def test_no_actor_is_refused_and_the_system_actor_is_named(world):
    from credo.credentials.services import school_key_rotate
    from credo.interop.services import import_data

    school = world.hill.school
    with pytest.raises(NotAllowed):
        services.credit_area_save(actor=None, school=school, code="Z", name="Zeta")
    with pytest.raises(NotAllowed):
        school_key_rotate(actor=None, school=school, reason="x")
    with pytest.raises(NotAllowed):
        import_data(actor=None, school=school, kind="scores", data=b"", filename="x.csv")
    system = system_actor()
    assert system.username == "credo-system" and not system.is_active
    assert not system.has_usable_password()
    area = services.credit_area_save(actor=system, school=school, code="Z", name="Zeta")
    assert (
        AuditEvent.objects.get(action="credit_area.saved", target_id=str(area.pk)).actor == system
    )


def test_the_api_and_the_web_apply_one_rule_to_recording_an_assessment(client, world):
    """A teacher of the student, on a competency no section of theirs is aligned to: refused by
    the API (403), the web (404) and the service alike; nothing written."""
    from credo.api.services import token_create
    from credo.frameworks.models import Competency
    from credo.mastery.models import Assessment

    h = world.hill
    unaligned = Competency.objects.create(
        school=h.school, framework=h.framework, code="C7", statement="Not taught here"
    )
    before = Assessment.objects.count()
    _, secret = token_create(
        actor=h.teacher, school=h.school, name="gradebook", scopes=["read", "write:assessments"]
    )
    payload = {
        "student_id": world.me.pk,
        "competency_id": unaligned.pk,
        "value": 3,
        "demonstrated_on": "2025-10-02",
    }
    api = client.post(
        f"/api/schools/{h.school.slug}/assessments",
        data=payload,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert api.status_code == 403
    client.force_login(h.teacher)
    web = client.post(
        reverse("web:cell", args=[h.school.slug, h.section.pk, world.me.pk, unaligned.pk]),
        {"value": "3", "demonstrated_on": "2025-10-02", "kind": "summative"},
    )
    assert web.status_code == 404
    with pytest.raises(NotAllowed):
        services.assessment_record(
            assessor=h.teacher,
            student=world.me,
            competency=unaligned,
            value=3,
            demonstrated_on=world.review.requested_at.date(),
        )
    assert Assessment.objects.count() == before
    # on an aligned competency the same teacher may, through the API too
    payload["competency_id"] = h.competencies[0].pk
    ok = client.post(
        f"/api/schools/{h.school.slug}/assessments",
        data=payload,
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert ok.status_code == 201


def test_the_school_chooses_who_forms_panels(world):
    from credo.schools.services import school_settings_save

    h = world.hill
    school_settings_save(
        actor=h.admin, school=h.school, name=h.school.name, panel_formers=["review_coordinator"]
    )
    with pytest.raises(NotAllowed):
        services.credit_review_schedule(actor=h.registrar, review=world.review, location="Hall")
    services.credit_review_schedule(actor=world.coordinator, review=world.review, location="Hall")
    with pytest.raises(ValidationError, match="not by teacher"):
        school_settings_save(
            actor=h.admin, school=h.school, name=h.school.name, panel_formers=["teacher"]
        )


@pytest.mark.parametrize(
    "policy, min_staff, seats, votes, outcome",
    [
        ("majority", 1, {1: True, 2: False, 3: False}, {2: "award", 3: "award"}, None),
        ("majority", 1, {1: True, 2: False, 3: False}, {1: "award", 3: "award"}, "award"),
        ("majority", 1, {1: True, 2: True}, {1: "award"}, None),
        ("majority", 1, {1: True}, {1: "not_yet"}, "not_yet"),
        ("majority", 2, {1: True, 2: True, 3: False}, {1: "award", 3: "award"}, None),
        ("unanimous", 1, {1: True, 2: False}, {1: "award"}, None),
        ("unanimous", 1, {1: True, 2: False}, {1: "award", 2: "award"}, "award"),
        ("majority", 0, {1: False}, {1: "award"}, None),  # never fewer than one staff member
    ],
)
def test_the_decision_policy(policy, min_staff, seats, votes, outcome):
    assert rules.panel_outcome(policy, min_staff, seats, votes) == outcome
