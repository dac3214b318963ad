import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.accounts.models import Student
from credo.growth import access, selectors, services
from credo.growth.testing import make_staffroom, observe
from credo.mastery import bulk
from credo.mastery.models import CreditArea, MasteryCredit, MasteryState


@pytest.fixture
def room(hill):
    return make_staffroom(hill)


def _state(room, code, educator=None):
    comp = next(c for c in room.competencies if c.code == code)
    return MasteryState.objects.filter(
        student_id=(educator or room.educator).learner_id, competency=comp
    ).first()


def test_the_framework_uses_the_same_models_and_hides_from_students(hill, room):
    framework = selectors.educator_framework(hill.school)
    assert framework.kind == "educator"
    assert [c.code for c in room.competencies] == ["EP1", "EP2", "EP3", "EP4", "EP5", "EP6"]
    # micro-credentials are mastery credits, but never in the students' catalogue
    codes = {c.code for c in selectors.micro_credentials(hill.school)}
    assert codes == {"MC-FEEDBACK", "MC-ASSESS", "MC-MENTOR"}
    assert not MasteryCredit.objects.filter(school=hill.school, code__in=codes).exists()
    assert not CreditArea.objects.filter(school=hill.school, code="EDU").exists()
    # educators' learner records are not students
    assert not Student.objects.filter(pk=room.educator.learner_id).exists()
    assert Student.learners.filter(pk=room.educator.learner_id).exists()
    with pytest.raises(ValidationError):
        services.educator_framework_install(actor=hill.admin, school=hill.school)


def test_observation_sets_the_level_through_the_engine_and_bulk_agrees(hill, room):
    observe(room, value=2)
    state = _state(room, "EP2")
    assert state.score == 2 and state.status == "not_yet"
    observe(room, value=3, day=dt.date(2025, 10, 20))
    state = _state(room, "EP2")
    assert state.score == 3 and state.status == "proficient"  # "most recent" method
    # the incremental path equals a fresh bulk computation, educators' records included
    assert bulk.check([hill.school.pk]) == []
    bulk.recompute([hill.school.pk])
    assert _state(room, "EP2").score == 3


def test_peer_ratings_are_formative_and_self_assessment_never_counts(hill, room):
    peer = room.other.user
    with pytest.raises(PermissionDenied):
        observe(room, value=4, by=peer)
    services.peer_invite(actor=room.educator.user, educator=room.educator, peer=peer)
    observe(room, value=4, by=peer)
    services.self_assess(
        actor=room.educator.user,
        educator=room.educator,
        competency_id=room.competencies[0].pk,
        value=4,
    )
    assert _state(room, "EP2").score is None or _state(room, "EP2").status == "not_yet"
    assert bulk.check([hill.school.pk]) == []


def test_nobody_but_observers_observes(hill, room, dale):
    with pytest.raises(PermissionDenied):
        observe(room, value=3, by=room.educator.user)  # not oneself
    with pytest.raises(PermissionDenied):
        observe(room, value=3, by=room.other.user)  # a colleague not invited
    with pytest.raises(PermissionDenied):
        observe(room, value=3, by=dale.admin)  # another school's leader
    observe(room, value=3, by=hill.admin)  # a leader may


def test_bad_observations_are_refused_with_reasons(room):
    comp = room.competencies[0]
    for ratings, field in (
        ({}, "ratings"),
        ({comp.pk: "9"}, "value"),
        ({"x": "3"}, "ratings"),
        ({999999: "3"}, "competencies"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.observation_record(
                actor=room.coach,
                educator=room.educator,
                observed_on=dt.date(2025, 10, 1),
                notes="Notes",
                ratings=ratings,
                feedback="Feedback",
            )
        assert field in exc.value.message_dict
    assert not room.educator.observations.exists()


def test_who_sees_a_record(hill, room, dale):
    e = room.educator
    assert access.can_see(e.user, e)
    assert access.can_see(room.coach, e)
    assert access.can_see(hill.admin, e)
    assert not access.can_see(room.other.user, e)
    assert not access.can_see(hill.registrar, e)
    assert not access.can_see(dale.admin, e)
    assert not access.can_see(hill.students[0].user, e)
    assert list(access.educators_visible_to(room.other.user, hill.school)) == [room.other]


def test_revision_answers_feedback_and_a_panel_awards_a_signed_badge(hill, room):
    from credo.credentials import selectors as credential_selectors
    from credo.credentials.verify import verify_credential
    from credo.mastery.services import credit_review_decide, credit_review_schedule

    observe(room, value=2)
    feedback = selectors.record(room.educator).feedback[0]
    ep2 = next(c for c in room.competencies if c.code == "EP2")
    revision = services.growth_evidence_add(
        actor=room.educator.user,
        educator=room.educator,
        kind="link",
        title="Lesson recording, second try",
        url="https://video.example.org/lesson-2",
        demonstrated_on=dt.date(2025, 10, 10),
        competency_ids=[ep2.pk],
        responds_to_id=feedback.pk,
    )
    assert revision.revision_of_id == feedback.evidence_id
    credit = next(c for c in selectors.micro_credentials(hill.school) if c.code == "MC-FEEDBACK")
    with pytest.raises(ValidationError):  # requirement not met yet
        services.microcredential_request(
            actor=room.educator.user, educator=room.educator, credit_id=credit.pk
        )
    observe(room, value=3, day=dt.date(2025, 10, 20))
    review = services.microcredential_request(
        actor=room.educator.user,
        educator=room.educator,
        credit_id=credit.pk,
        statement="See my revised lesson.",
        evidence_ids=[revision.pk],
    )
    credit_review_schedule(actor=hill.admin, review=review, panel_users=[room.coach])
    credit_review_decide(
        review=review, decision="award", feedback="Clear growth.", actor=room.coach
    )
    rec = selectors.record(room.educator)
    row = next(r for r in rec.credits if r[0].pk == credit.pk)
    award = row[3]
    assert award is not None
    with pytest.raises(PermissionDenied):
        services.microcredential_issue(actor=room.coach, educator=room.educator, award_id=award.pk)
    issued = services.microcredential_issue(
        actor=hill.admin, educator=room.educator, award_id=award.pk
    )
    doc = issued.document
    assert "OpenBadgeCredential" in doc["type"] or "AchievementCredential" in doc["type"]
    assert doc["credentialSubject"]["achievement"]["name"] == "Feedback for revision"
    assert doc["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    result = verify_credential(
        doc, now=issued.issued_at, key_resolver=credential_selectors.installation_key_resolver
    )
    assert result.valid, result.failures
    assert doc["issuer"]["id"].endswith(hill.school.slug) or hill.school.slug in doc["issuer"]["id"]
    assert bulk.check([hill.school.pk]) == []


def test_growth_plan_and_mentor(hill, room):
    targets = [c.pk for c in room.competencies[:2]]
    plan = services.plan_save(
        actor=room.educator.user,
        educator=room.educator,
        target_ids=targets,
        next_steps="Film two lessons.",
    )
    assert plan.agreed_with == room.coach
    assert sorted(c.pk for c in plan.targets.all()) == sorted(targets)
    with pytest.raises(PermissionDenied):
        services.plan_save(
            actor=room.other.user, educator=room.educator, target_ids=targets, next_steps="x"
        )
    with pytest.raises(ValidationError):
        services.plan_save(
            actor=room.coach, educator=room.educator, target_ids=[], next_steps="Something"
        )
    mentor = services.support_assign(
        actor=hill.admin, educator=room.educator, supporter=hill.advisor, kind="mentor"
    )
    assert access.can_see(hill.advisor, room.educator)
    with pytest.raises(PermissionDenied):
        services.support_assign(
            actor=room.coach, educator=room.educator, supporter=hill.registrar, kind="mentor"
        )
    services.support_end(actor=hill.admin, support=mentor)
    assert not access.can_see(hill.advisor, room.educator)


def test_staff_overview_hides_small_groups(hill, room):
    observe(room, value=3)
    overview = selectors.staff_overview(hill.school)
    row = next(r for r in overview["rows"] if r.competency.code == "EP2")
    assert row.begun == 1 and row.hidden  # one educator: never shown
    assert overview["educators"] == 2 and overview["new_hires_mentored"] == 0


def test_the_staff_overview_is_linked_to_the_journey_not_copied(hill, room):
    from credo.journey.models import JourneyEvidence
    from credo.journey.tests.factories import make_team

    make_team(hill)  # the admin leads the school's journey team
    made = services.journey_link(actor=hill.admin, school=hill.school)
    assert sorted(e.competency.code for e in made) == ["LM4", "SU1", "SU3"]
    assert all(e.url.endswith(f"/s/{hill.school.slug}/growth/staff/") for e in made)
    with pytest.raises(ValidationError):  # linked once
        services.journey_link(actor=hill.admin, school=hill.school)
    with pytest.raises(PermissionDenied):
        services.journey_link(actor=room.coach, school=hill.school)
    assert JourneyEvidence.objects.filter(school=hill.school).count() == 3


def test_students_never_see_educator_competencies_or_micro_credentials(client, hill, room):
    me = hill.students[0]
    client.force_login(me.user)
    response = client.get(f"/s/{hill.school.slug}/students/{me.pk}/evidence/new/")
    assert response.status_code == 200
    assert b"C1" in response.content  # the students' own competencies are offered
    assert b"EP1" not in response.content
    assert b"Feedback for revision" not in response.content


def test_setup_changes_preview_and_apply_with_educator_records_present(hill, room):
    """A graduation rule reaches every learner's status; the preview of the change speaks of
    students only, and applying it leaves both paths agreeing."""
    from credo.mastery.changes import preview_of
    from credo.mastery.models import GraduationStatus
    from credo.mastery.services import graduation_rule_save
    from credo.testing import apply_change

    observe(room, value=3)
    kwargs = dict(
        actor=hill.admin, school=hill.school, kind="min_credits", level="foundational", n=1
    )
    effect = preview_of(graduation_rule_save, **kwargs)
    assert all(c.student_id != room.educator.learner_id for c in effect.changes)
    apply_change(graduation_rule_save, **kwargs)
    assert GraduationStatus.objects.filter(student_id=room.educator.learner_id).exists()
    assert bulk.check([hill.school.pk]) == []


def test_school_exports_and_overview_leave_educators_out(hill, room):
    from credo.interop.exports import scores_csv
    from credo.mastery.selectors import school_overview

    before = school_overview(hill.school)
    observe(room, value=3)
    after = school_overview(hill.school)
    assert (after.assessments_30d, after.awards_total, after.status_counts) == (
        before.assessments_30d,
        before.awards_total,
        before.status_counts,
    )
    csv = scores_csv(hill.school).decode()
    assert "educator-" not in csv and "EP2" not in csv
