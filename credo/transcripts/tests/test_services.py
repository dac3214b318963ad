"""Publishing, versions, share links, comments and the grade conversion, through the services."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from credo.core.errors import NotAllowed
from credo.core.models import AuditEvent
from credo.transcripts import selectors, services
from credo.transcripts.models import (
    PublicationRun,
    RunStatus,
    ShareLink,
    ShareView,
    TranscriptVersion,
    content_hash,
)
from credo.transcripts.tests.builders import earn, rich_student

pytestmark = pytest.mark.django_db


def publish(small, student, **kwargs):
    return services.transcript_publish(actor=small.registrar, student=student, **kwargs)


# --- the snapshot ---------------------------------------------------------------------------------


def test_content_shows_earned_credits_with_standard_evidence_comments_and_story(hill):
    student = rich_student(hill)
    content = selectors.transcript_content(student)
    credits = {c["code"]: c for a in content["areas"] for c in a["credits"]}
    assert credits["F1"]["state"] == "earned" and credits["F2"]["state"] == "earned"
    assert credits["A1"]["state"] == "in_progress"  # met, but needs a panel review
    assert credits["F1"]["standard"] == "Shows inquiry."
    assert credits["F1"]["awarded_on"] is not None
    titles = {content["evidence"][k]["title"] for k in credits["F1"]["evidence"]}
    # Only what the student highlighted and an educator approved.
    assert titles == {"River study report"}
    assert [content["evidence"][k]["title"] for k in credits["F2"]["evidence"]] == [
        "Short film on the water cycle"
    ]
    assert content["evidence"][credits["F2"]["evidence"][0]]["file"]["name"] == "film.txt"
    assert credits["F1"]["comments"][0]["body"].startswith("Careful, patient fieldwork")
    assert credits["F1"]["comments"][0]["role"] == "Teacher"
    assert content["story"]["text"] == "I learn best by building things."
    assert content["summary"]["foundational"] == {
        "earned": 2,
        "in_progress": 0,
        "not_started": 0,
        "total": 2,
    }
    assert content["summary"]["advanced"]["in_progress"] == 1
    assert content["courses"] is None  # off unless the school lists them


def test_content_has_no_grades_scores_or_ranks(hill):
    student = rich_student(hill)
    text = json.dumps(selectors.transcript_content(student)).lower()
    for word in ("gpa", "grade point", "rank", "score", '"value"'):
        assert word not in text
    assert not re.search(r"\bgrades?\b", text)


def test_content_lists_completed_courses_when_the_school_asks(hill):
    student = rich_student(hill)
    services.transcript_policy_save(actor=hill.registrar, school=hill.school, include_courses=True)
    content = selectors.transcript_content(student, today=dt.date(2026, 6, 1))
    assert content["courses"] == [
        {"title": "Science 9", "kind": "Course", "term": "Fall", "school_year": "2025-26"}
    ]


def test_content_query_count_does_not_grow_with_the_record(hill, django_assert_max_num_queries):
    student = rich_student(hill)
    # 15: one query more since the transcript names the graduate profile's outcomes (one for all).
    with django_assert_max_num_queries(15):
        selectors.transcript_content(student)


# --- publishing -------------------------------------------------------------------------------------


def test_publish_makes_an_immutable_version_with_its_hash_and_audit(hill):
    student = rich_student(hill)
    result = publish(hill, student, note="spring")
    version = result.version
    assert result.created and version.number == 1 and version.supersedes is None
    assert version.content_hash == content_hash(version.content) and len(version.content_hash) == 64
    assert version.hash_matches()
    event = AuditEvent.objects.get(action="transcript.published")
    assert (
        event.after["content_hash"] == version.content_hash and event.actor_id == hill.registrar.pk
    )


def test_publishing_again_unchanged_keeps_the_current_version(hill):
    student = rich_student(hill)
    first = publish(hill, student).version
    again = publish(hill, student)
    assert not again.created and again.version.pk == first.pk
    assert TranscriptVersion.objects.filter(student=student).count() == 1


def test_a_new_version_supersedes_and_the_old_one_stays_readable(hill):
    student = rich_student(hill)
    first = publish(hill, student).version
    earn(hill, student, hill.competencies[5:6], value="4")
    services.comment_add(
        actor=hill.advisor, student=student, credit=hill.credits["count"], body="Strong voice."
    )
    second = publish(hill, student).version
    assert second.number == 2 and second.supersedes_id == first.pk
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert first.content != second.content and first.hash_matches()
    assert list(selectors.versions_of(student)) == [second, first]
    assert selectors.current_version(student) == second


def test_only_registrars_and_admins_publish(hill):
    student = rich_student(hill)
    for actor in (hill.teacher, hill.advisor, student.user):
        with pytest.raises(NotAllowed):
            services.transcript_publish(actor=actor, student=student)
    assert not TranscriptVersion.objects.exists()
    assert services.transcript_publish(actor=hill.admin, student=student).created


def test_publishing_renders_the_pdf_after_commit(
    hill, django_capture_on_commit_callbacks, settings
):
    from pathlib import Path

    student = rich_student(hill)
    with django_capture_on_commit_callbacks(execute=True):
        version = publish(hill, student).version
    pdfs = list(Path(settings.CREDO_TRANSCRIPT_CACHE).glob(f"{version.public_id}*.pdf"))
    assert len(pdfs) == 1 and pdfs[0].read_bytes().startswith(b"%PDF")


def test_a_cohort_run_publishes_everyone_and_reports_progress(
    hill, django_capture_on_commit_callbacks
):
    for s in hill.students:
        earn(hill, s, hill.competencies[:2])
    with django_capture_on_commit_callbacks(execute=True):
        run = services.publication_run_start(
            actor=hill.registrar, school=hill.school, cohort=2027, render_pdf=False
        )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.done == run.total == 3 and run.failed == 0
    assert run.task_id and run.finished_at and run.html_seconds > 0
    assert TranscriptVersion.objects.filter(run=run).count() == 3
    # Running it again publishes nothing new: nobody's record changed.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.publication_run_start(
            actor=hill.registrar, school=hill.school, cohort=2027, render_pdf=False
        )
    again.refresh_from_db()
    assert again.done == 3 and TranscriptVersion.objects.count() == 3


def test_a_run_refuses_an_empty_cohort_and_other_schools_students(hill, dale):
    with pytest.raises(ValidationError) as exc:
        services.publication_run_start(actor=hill.registrar, school=hill.school, cohort=1999)
    assert "no active students" in str(exc.value)
    with pytest.raises(ValidationError):
        services.publication_run_start(
            actor=hill.registrar, school=hill.school, student_ids=[dale.students[0].pk]
        )
    with pytest.raises(NotAllowed):
        services.publication_run_start(actor=dale.registrar, school=hill.school, cohort=2027)
    assert not PublicationRun.objects.exists()


def test_a_failing_student_is_recorded_and_the_others_go_on(hill, monkeypatch):
    calls = []
    real = selectors.transcript_content

    def flaky(student, **kwargs):
        calls.append(student.pk)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(student, **kwargs)

    monkeypatch.setattr(selectors, "transcript_content", flaky)
    run = services.publication_run_start(
        actor=hill.registrar, school=hill.school, cohort=2027, render_pdf=False, enqueue=False
    )
    run = services.publication_run_execute(run.pk)
    assert (run.done, run.failed, run.status) == (2, 1, RunStatus.FAILED)
    assert "disk full" in run.errors[0]


# --- share links ----------------------------------------------------------------------------------------


def test_the_student_shares_and_withdraws_a_link(hill):
    student = rich_student(hill)
    version = publish(hill, student).version
    link = services.share_link_create(
        actor=student.user,
        version=version,
        recipient="Northfield College",
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )
    assert len(link.token) >= 40 and link.state == "active"
    other = services.share_link_create(
        actor=hill.registrar, version=version, recipient="Scholarship board"
    )
    assert other.token != link.token
    assert other.expires_at.date() == timezone.localdate() + dt.timedelta(
        days=services.DEFAULT_LINK_DAYS + 1
    )
    services.share_view_record(link=link, kind="page", user_agent="Mozilla/5.0")
    services.share_link_revoke(actor=student.user, link=link)
    link.refresh_from_db()
    assert link.state == "revoked"
    with pytest.raises(ValidationError):
        services.share_link_revoke(actor=student.user, link=link)
    actions = list(
        AuditEvent.objects.filter(target_type="transcripts.sharelink").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == [
        "share_link.created",
        "share_link.created",
        "share_link.revoked",
        "share_link.viewed",
    ]
    assert ShareView.objects.get().link == link


def test_share_links_are_refused_to_others_and_checked(hill):
    student = rich_student(hill)
    version = publish(hill, student).version
    for actor in (hill.teacher, hill.advisor, hill.students[1].user):
        with pytest.raises(NotAllowed):
            services.share_link_create(actor=actor, version=version, recipient="X")
    today = timezone.localdate()
    bad = [
        ({"recipient": ""}, "recipient"),
        ({"recipient": "x" * 121}, "recipient"),
        ({"recipient": "X", "expires_on": today - dt.timedelta(days=1)}, "expires_on"),
        ({"recipient": "X", "expires_on": today + dt.timedelta(days=800)}, "expires_on"),
    ]
    for kwargs, field in bad:
        with pytest.raises(ValidationError) as exc:
            services.share_link_create(actor=student.user, version=version, **kwargs)
        assert field in exc.value.message_dict
    assert not ShareLink.objects.exists()


def test_an_expired_link_says_so(hill):
    student = rich_student(hill)
    version = publish(hill, student).version
    link = services.share_link_create(
        actor=student.user, version=version, recipient="X", expires_on=timezone.localdate()
    )
    assert link.state == "active"
    link.expires_at = timezone.now() - dt.timedelta(seconds=1)
    assert link.state == "expired"


# --- comments and grade conversion -------------------------------------------------------------------------


def test_comments_come_from_educators_who_know_the_student(hill, dale):
    student = hill.students[0]
    with pytest.raises(NotAllowed):
        services.comment_add(
            actor=student.user, student=student, credit=hill.credits["all"], body="Me!"
        )
    with pytest.raises(NotAllowed):
        services.comment_add(
            actor=dale.teacher, student=student, credit=hill.credits["all"], body="Hi"
        )
    with pytest.raises(ValidationError):
        services.comment_add(
            actor=hill.teacher, student=student, credit=dale.credits["all"], body="Hi"
        )
    with pytest.raises(ValidationError):
        services.comment_add(
            actor=hill.teacher, student=student, credit=hill.credits["all"], body="  "
        )
    comment = services.comment_add(
        actor=hill.teacher, student=student, credit=hill.credits["all"], body="Good."
    )
    with pytest.raises(NotAllowed):
        services.comment_withdraw(actor=hill.advisor, comment=comment)
    services.comment_withdraw(actor=hill.registrar, comment=comment)
    assert selectors.transcript_content(student)["areas"][0]["credits"][0]["comments"] == []


def test_grade_conversion_is_off_by_default_and_validated(hill):
    assert hill.school.grade_conversion_enabled is False
    with pytest.raises(ValidationError):
        services.grade_conversion_set_enabled(
            actor=hill.registrar, school=hill.school, enabled=True
        )
    with pytest.raises(ValidationError) as exc:
        services.grade_table_save(
            actor=hill.registrar,
            school=hill.school,
            name="Athletics",
            bands=[("3", "A", "4"), ("3", "B", "3"), ("9", "", "x")],
        )
    messages = " ".join(exc.value.message_dict["bands"])
    assert "same level" in messages and "must be numbers" in messages
    with pytest.raises(ValidationError) as exc:
        services.grade_table_save(
            actor=hill.registrar,
            school=hill.school,
            name="Athletics",
            bands=[("3.5", "A", "4"), ("2.5", "B", "3")],
        )
    assert "bottom of the scale" in " ".join(exc.value.message_dict["bands"])
    with pytest.raises(NotAllowed):
        services.grade_table_save(actor=hill.teacher, school=hill.school, name="X", bands=[])


def test_grade_report_converts_area_means_and_stays_off_the_transcript(hill):
    student = rich_student(hill)
    table = services.grade_table_save(
        actor=hill.registrar,
        school=hill.school,
        name="Athletics eligibility",
        bands=[("3.5", "A", "4"), ("3", "B", "3"), ("2", "C", "2"), ("1", "F", "0")],
    )
    services.grade_conversion_set_enabled(actor=hill.registrar, school=hill.school, enabled=True)
    report = selectors.grade_report(student, table)
    by_area = {r["area"]: r for r in report["rows"]}
    assert by_area["Inquiry"]["label"] == "B" and by_area["Inquiry"]["points"] == 3
    assert report["overall_points"] == 3
    content = json.dumps(selectors.transcript_content(student))
    assert "Athletics" not in content and '"points"' not in content and '"label"' not in content
