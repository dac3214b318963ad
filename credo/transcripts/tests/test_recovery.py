"""A publication run whose worker died is resumed where it stopped, or failed with a retry button."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from credo.core import runs
from credo.core.models import AuditEvent
from credo.core.recovery import recover_runs
from credo.transcripts import selectors, services
from credo.transcripts.models import PublicationRun, RunStatus, TranscriptVersion

pytestmark = pytest.mark.django_db


class Crash(BaseException):
    """The worker dies: nothing after this line of the run runs (not caught like an error)."""


def dead_worker() -> str:
    """Return the identity of a process of this host that has exited."""
    child = subprocess.Popen(["true"])
    child.wait()
    return f"{runs.worker_identity().split('/')[0]}/{child.pid}/1"


def crashed_run(hill, *, after: int = 1) -> PublicationRun:
    """Start a run of the class of 2027 (3 students) and kill its worker after `after` students."""
    run = services.publication_run_start(
        actor=hill.registrar, school=hill.school, cohort=2027, render_pdf=False, enqueue=False
    )

    def die(progress_run):
        if progress_run.position >= after:
            raise Crash

    with pytest.raises(Crash):
        services.publication_run_execute(run.pk, progress=die)
    run.refresh_from_db()
    assert (run.status, run.position, run.attempts) == (RunStatus.RUNNING, after, 1)
    assert run.worker == runs.worker_identity()  # this process: alive, so not lost
    assert selectors.publication_run_lost(run) is None
    PublicationRun.objects.filter(pk=run.pk).update(worker=dead_worker())
    run.refresh_from_db()
    return run


def test_a_run_whose_worker_died_is_resumed_after_the_students_it_dealt_with(
    hill, django_capture_on_commit_callbacks
):
    run = crashed_run(hill, after=1)
    first = run.student_ids[0]
    assert "stopped" in selectors.publication_run_lost(run)

    with django_capture_on_commit_callbacks(execute=True):
        said = recover_runs()
    assert said == [f"publication run {run.pk} ({hill.school.pk}): resumed after 1 students"]
    run.refresh_from_db()
    assert (run.status, run.done, run.failed, run.attempts) == (RunStatus.DONE, 3, 0, 2)
    # Every student once; the one published before the crash was not published again.
    assert TranscriptVersion.objects.filter(run=run).count() == 3
    assert TranscriptVersion.objects.filter(student_id=first).count() == 1
    resumed = AuditEvent.objects.get(action="transcript.run_resumed")
    assert resumed.before["position"] == 1 and resumed.actor.username == "credo-system"
    assert recover_runs() == []  # nothing left to do


def test_a_live_worker_and_a_recent_heartbeat_from_another_host_are_left_alone(hill):
    run = crashed_run(hill)
    PublicationRun.objects.filter(pk=run.pk).update(
        worker="another-host/1234/99", heartbeat_at=timezone.now()
    )
    run.refresh_from_db()
    assert selectors.publication_run_lost(run) is None
    assert recover_runs() == []

    stale = timezone.now() - runs.stale_after() - dt.timedelta(seconds=1)
    PublicationRun.objects.filter(pk=run.pk).update(heartbeat_at=stale)
    run.refresh_from_db()
    assert "has not been heard from since" in selectors.publication_run_lost(run)


def test_a_run_that_keeps_dying_is_marked_failed_and_a_registrar_retries_it(
    client, hill, dale, django_capture_on_commit_callbacks
):
    run = crashed_run(hill, after=2)
    PublicationRun.objects.filter(pk=run.pk).update(attempts=services.MAX_ATTEMPTS)
    assert recover_runs() == [f"publication run {run.pk} ({hill.school.pk}): marked failed"]
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and run.stopped_early
    assert "Stopped after 2 of 3 students" in run.stopped_reason
    assert AuditEvent.objects.filter(action="transcript.run_interrupted").count() == 1

    page_url = reverse("transcripts:run", args=["hill", run.pk])
    retry_url = reverse("transcripts:run_retry", args=["hill", run.pk])
    client.force_login(hill.registrar)
    page = client.get(page_url).content.decode()
    assert "Stopped after 2 of 3 students" in page and retry_url in page

    # Refused for others, and nothing changes: a teacher, another school's registrar, anonymous.
    for who in (hill.teacher, dale.registrar, None):
        client.logout()
        if who is not None:
            client.force_login(who)
        response = client.post(retry_url)
        assert response.status_code in (302, 404)
        if who is None:
            assert "/login" in response["Location"] or "signin" in response["Location"]
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED and run.position == 2
    assert not AuditEvent.objects.filter(action="transcript.run_retried").exists()
    client.force_login(hill.teacher)
    assert client.get(page_url).status_code == 404

    client.force_login(hill.registrar)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retry_url)
    assert response.status_code == 302
    run.refresh_from_db()
    assert (run.status, run.done, run.stopped_reason) == (RunStatus.DONE, 3, "")
    assert TranscriptVersion.objects.filter(run=run).count() == 3
    retried = AuditEvent.objects.get(action="transcript.run_retried")
    assert retried.actor == hill.registrar and retried.before["position"] == 2
    # A finished run cannot be retried.
    client.post(retry_url)
    assert AuditEvent.objects.filter(action="transcript.run_retried").count() == 1


def test_a_reading_of_the_run_page_changes_nothing(client, hill):
    run = crashed_run(hill)
    client.force_login(hill.registrar)
    before = AuditEvent.objects.count()
    page = client.get(reverse("transcripts:run", args=["hill", run.pk])).content.decode()
    assert "will not go on by itself" in page
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING and AuditEvent.objects.count() == before


def test_a_queued_run_whose_task_failed_is_lost(hill, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    run = services.publication_run_start(
        actor=hill.registrar, school=hill.school, cohort=2027, enqueue=False
    )
    services._enqueue_run(run.pk)
    run.refresh_from_db()
    assert run.task_id and selectors.publication_run_lost(run) is None  # waiting its turn
    DBTaskResult.objects.filter(pk=run.task_id).update(status="FAILED")
    assert "its task ended (failed)" in selectors.publication_run_lost(run)
    # A run whose task vanished from the queue is lost once it has waited too long.
    DBTaskResult.objects.all().delete()
    assert selectors.publication_run_lost(run) is None
    PublicationRun.objects.filter(pk=run.pk).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    run.refresh_from_db()
    assert selectors.publication_run_lost(run) == "its task is not in the queue"


def test_credo_runs_lists_recovers_and_retries(hill, django_capture_on_commit_callbacks):
    run = crashed_run(hill)
    out = io.StringIO()
    call_command("runs", stdout=out)
    assert f"publication {run.pk}  hill  1/3  lost: the process working on it" in out.getvalue()

    PublicationRun.objects.filter(pk=run.pk).update(attempts=services.MAX_ATTEMPTS)
    out = io.StringIO()
    call_command("runs", "recover", stdout=out)
    assert "marked failed" in out.getvalue() and "1 run(s)" in out.getvalue()

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("runs", "retry", "publication", str(run.pk), stdout=out)
    assert "goes on after 1 of 3 students" in out.getvalue()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    out = io.StringIO()
    call_command("runs", stdout=out)
    assert "0 run(s) unfinished or stopped." in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_working_run_beats_from_its_own_thread(hill):
    from django.db import connection

    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs are judged by their process; no heartbeat is written")
    run = services.publication_run_start(
        actor=hill.registrar, school=hill.school, cohort=2027, enqueue=False
    )
    long_ago = timezone.now() - dt.timedelta(hours=1)
    PublicationRun.objects.filter(pk=run.pk).update(heartbeat_at=long_ago)
    beat = runs.Heartbeat(PublicationRun, run.pk, every=0.05)
    with beat:
        assert beat.stop.wait(0.5) is False
    run.refresh_from_db()
    assert run.heartbeat_at > long_ago + dt.timedelta(minutes=59)
    assert not beat.thread.is_alive()


def test_queued_tasks_left_running_by_a_dead_worker_are_marked_failed(hill, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    from credo.transcripts.tasks import render_version_pdf

    dead = render_version_pdf.enqueue(1).id
    alive = render_version_pdf.enqueue(2).id
    DBTaskResult.objects.filter(pk=dead).update(
        status="RUNNING", worker_ids=[f"serve:{dead_worker()}"]
    )
    DBTaskResult.objects.filter(pk=alive).update(
        status="RUNNING", worker_ids=[runs.worker_id("serve")]
    )
    said = recover_runs()
    assert len(said) == 1 and "its worker" in said[0] and "died" in said[0]
    assert DBTaskResult.objects.get(pk=dead).status == "FAILED"
    assert DBTaskResult.objects.get(pk=alive).status == "RUNNING"
    assert recover_runs() == []
