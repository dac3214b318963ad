import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.core.models import AuditEvent
from credo.evidence import services
from credo.evidence.access import FULL, PEER, access_evidence
from credo.evidence.models import Evidence, PeerFeedback
from credo.mastery.models import CreditProgress
from credo.testing import make_student, make_user

DAY = dt.date(2025, 10, 1)


def submit(s, student, actor=None, **kw):
    kw.setdefault("kind", "text")
    kw.setdefault("title", "Notes")
    kw.setdefault("body", "What I did.")
    kw.setdefault("demonstrated_on", DAY)
    return services.evidence_submit(actor=actor or student.user, student=student, **kw)


def test_a_student_submits_their_own_work_and_nobody_elses(hill):
    me, other = hill.students[:2]
    ev = submit(hill, me, competencies=hill.competencies[:2], credits=[hill.credits["all"]])
    assert ev.competency_tags.count() == 2 and ev.credit_tags.count() == 1
    assert AuditEvent.objects.filter(action="evidence.submitted").count() == 1
    with pytest.raises(PermissionDenied):
        submit(hill, me, actor=other.user)
    guardian = make_user(school=hill.school, role="guardian")
    with pytest.raises(PermissionDenied):
        submit(hill, me, actor=guardian)


def test_staff_may_add_an_observation_a_student_may_not(hill):
    me = hill.students[0]
    assert submit(hill, me, actor=hill.teacher, kind="observation").kind == "observation"
    with pytest.raises(ValidationError) as exc:
        submit(hill, me, kind="observation")
    assert "kind" in exc.value.message_dict


def test_every_problem_is_named_and_nothing_is_written(hill, dale):
    me = hill.students[0]
    with pytest.raises(ValidationError) as exc:
        submit(
            hill,
            me,
            kind="link",
            url="",
            title="",
            demonstrated_on=DAY + dt.timedelta(days=9999),
            outside_school=True,
            competencies=[dale.competencies[0]],
            section=dale.section,
        )
    assert set(exc.value.message_dict) >= {
        "url",
        "title",
        "demonstrated_on",
        "vouched_by",
        "competencies",
        "section",
    }
    assert not Evidence.objects.exists()


def test_a_section_must_be_the_students_own(hill):
    stranger = make_student(hill.school)
    with pytest.raises(ValidationError) as exc:
        submit(hill, stranger, section=hill.section)
    assert "section" in exc.value.message_dict


def test_approval_counts_toward_min_evidence(hill):
    me = hill.students[0]
    credit = hill.credits["all"]
    credit.min_evidence = 1
    credit.save()
    ev = submit(hill, me, credits=[credit])
    with pytest.raises(PermissionDenied):
        services.evidence_approve(actor=me.user, evidence=ev)
    services.evidence_approve(actor=hill.teacher, evidence=ev)
    assert CreditProgress.objects.get(student=me, credit=credit).evidence_count == 1
    with pytest.raises(ValidationError):
        services.evidence_approve(actor=hill.teacher, evidence=ev)


def test_peer_feedback_only_from_classmates_on_shared_work(hill, dale):
    me, mate = hill.students[:2]
    stranger = make_student(hill.school)  # same school, no shared section
    ev = submit(hill, me)
    with pytest.raises(PermissionDenied):
        services.peer_feedback_give(actor=mate.user, evidence=ev, body="Nice")
    services.evidence_set_sharing(
        actor=me.user, evidence=ev, shared_with_peers=True, highlighted=False
    )
    services.peer_feedback_give(actor=mate.user, evidence=ev, body="Nice")
    for actor in (stranger.user, me.user, hill.teacher, dale.students[0].user):
        with pytest.raises(PermissionDenied):
            services.peer_feedback_give(actor=actor, evidence=ev, body="Hi")
    assert PeerFeedback.objects.count() == 1
    assert access_evidence(user=mate.user, evidence_id=ev.pk)[1] == PEER
    assert access_evidence(user=hill.advisor, evidence_id=ev.pk)[1] == FULL


def test_only_the_student_changes_sharing(hill):
    me = hill.students[0]
    ev = submit(hill, me)
    with pytest.raises(PermissionDenied):
        services.evidence_set_sharing(
            actor=hill.teacher, evidence=ev, shared_with_peers=True, highlighted=True
        )


def test_story_is_the_students_and_changes_withdraw_approval(hill):
    me = hill.students[0]
    with pytest.raises(PermissionDenied):
        services.story_save(actor=hill.advisor, student=me, body="Not yours")
    story = services.story_save(actor=me.user, student=me, body="Who I am.", submit=True)
    services.story_approve(actor=hill.advisor, story=story)
    assert story.approved
    story = services.story_save(actor=me.user, student=me, body="Who I am now.")
    assert not story.approved and story.submitted_at is None
    with pytest.raises(ValidationError):
        services.story_save(actor=me.user, student=me, body="x" * 6001)
