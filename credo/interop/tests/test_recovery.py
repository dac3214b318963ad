"""An import whose worker died is marked failed (nothing was written) and can be retried."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from credo.core import runs
from credo.core.models import AuditEvent
from credo.core.recovery import recover_runs
from credo.interop import services
from credo.interop.models import ImportRun, ImportState
from credo.interop.tests.test_views import scores
from credo.mastery.models import Assessment
from credo.transcripts.tests.test_recovery import dead_worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def immediate(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def lost_run(hill, *, state: str) -> ImportRun:
    """A run its worker took (checking, or importing once confirmed) and then died on."""
    return ImportRun.objects.create(
        school=hill.school,
        kind="scores",
        filename="history.csv",
        content=scores(hill),
        state=state,
        created_by=hill.admin,
        applied_by=hill.admin if state == ImportState.APPLYING else None,
        queued_at=timezone.now(),
        started_at=timezone.now(),
        worker=dead_worker(),
    )


def test_a_check_whose_worker_died_is_marked_failed_then_retried(
    client, hill, django_capture_on_commit_callbacks
):
    run = lost_run(hill, state=ImportState.CHECKING)
    assert "stopped" in services.import_run_lost(run)
    client.force_login(hill.admin)
    # Before the watchdog comes by, the page already says so (and reading it writes nothing).
    progress = client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true").content.decode()
    assert (
        "will not finish" in progress
        and reverse("interop:retry", args=["hill", run.pk]) in progress
    )
    run.refresh_from_db()
    assert run.state == ImportState.CHECKING

    assert recover_runs() == [f"import run {run.pk} ({hill.school.pk}): marked failed"]
    run.refresh_from_db()
    assert run.state == ImportState.FAILED and "while checking the file" in run.error
    assert AuditEvent.objects.filter(action="import.interrupted", target_id=str(run.pk)).exists()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Retry the check" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("interop:retry", args=["hill", run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == ImportState.PREVIEWED and run.summary["changed"] == 1
    assert run.error == "" and not Assessment.objects.exists()  # a check writes nothing
    assert AuditEvent.objects.get(action="import.retried").actor == hill.admin


def test_an_import_whose_worker_died_is_retried_from_its_page_and_applied_once(
    client, hill, django_capture_on_commit_callbacks
):
    run = lost_run(hill, state=ImportState.APPLYING)
    client.force_login(hill.admin)
    # Retried straight from the lost state, before any watchdog marked it failed.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interop:retry", args=["hill", run.pk]))
    run.refresh_from_db()
    assert run.state == ImportState.APPLIED
    assert Assessment.objects.filter(student=hill.students[0]).count() == 1
    assert recover_runs() == []


def test_others_cannot_retry_and_nothing_changes(client, hill, dale):
    run = lost_run(hill, state=ImportState.APPLYING)
    services.import_run_recover(run_id=run.pk, reason="test")
    url = reverse("interop:retry", args=["hill", run.pk])
    for who, status in ((hill.teacher, 403), (dale.admin, 404), (None, 302)):
        client.logout()
        if who is not None:
            client.force_login(who)
        assert client.post(url).status_code == status
        run.refresh_from_db()
        assert run.state == ImportState.FAILED
    assert not AuditEvent.objects.filter(action="import.retried").exists()
    assert not Assessment.objects.exists()


def test_a_run_in_progress_or_finished_is_not_lost_and_cannot_be_retried(client, hill):
    run = services.import_run_start(
        actor=hill.admin, school=hill.school, kind="scores", filename="a.csv", content=scores(hill)
    )
    assert run.state == ImportState.PREVIEWED and services.import_run_lost(run) is None
    alive = lost_run(hill, state=ImportState.CHECKING)
    ImportRun.objects.filter(pk=alive.pk).update(worker=runs.worker_identity())
    alive.refresh_from_db()
    assert services.import_run_lost(alive) is None
    client.force_login(hill.admin)
    client.post(reverse("interop:retry", args=["hill", run.pk]))
    run.refresh_from_db()
    assert run.state == ImportState.PREVIEWED
    assert not AuditEvent.objects.filter(action="import.retried").exists()


def test_a_run_left_running_by_an_earlier_credo_is_lost_once_stale(hill):
    """Runs stuck before this version recorded their process are not stuck for ever either."""
    run = lost_run(hill, state=ImportState.APPLYING)
    ImportRun.objects.filter(pk=run.pk).update(worker="", started_at=timezone.now())
    run.refresh_from_db()
    assert services.import_run_lost(run) is None  # may still be working
    ImportRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - runs.stale_after() - dt.timedelta(seconds=1)
    )
    run.refresh_from_db()
    assert "earlier Credo" in services.import_run_lost(run)
    assert recover_runs() == [f"import run {run.pk} ({hill.school.pk}): marked failed"]
