"""The imports pages: upload → preview → confirm, problems shown by place, exports, and who may."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credo.api.models import ApiToken
from credo.interop.models import ImportRun
from credo.mastery.models import Assessment


def scores(hill, value="3"):
    return f"student_id,competency_code,value,date\n{hill.students[0].student_number},C1,{value},2025-09-01\n".encode()


@pytest.mark.django_db
def test_upload_preview_confirm(client, hill):
    client.force_login(hill.admin)
    url = reverse("interop:imports", args=["hill"])
    response = client.post(
        url, {"kind": "scores", "file": SimpleUploadedFile("history.csv", scores(hill))}
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.state == "previewed" and not Assessment.objects.exists()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "What importing it would change" in page and "Import 1 change" in page
    client.post(reverse("interop:confirm", args=["hill", run.pk]))
    run.refresh_from_db()
    assert run.state == "applied" and run.applied_by == hill.admin
    assert Assessment.objects.count() == 1
    # Confirming twice does nothing more.
    client.post(reverse("interop:confirm", args=["hill", run.pk]))
    assert Assessment.objects.count() == 1


@pytest.mark.django_db
def test_a_file_with_problems_is_refused_and_each_problem_shown(client, hill):
    client.force_login(hill.registrar)
    client.post(
        reverse("interop:imports", args=["hill"]),
        {
            "kind": "scores",
            "file": SimpleUploadedFile("bad.csv", scores(hill, "9") + b"NOPE,C1,3,2025-01-01\n"),
        },
    )
    run = ImportRun.objects.get()
    assert run.state == "refused" and len(run.problems) == 2
    page = client.get(run.get_absolute_url()).content.decode()
    assert "2 problems — nothing was imported" in page
    assert (
        "bad.csv:2</code> <strong>value</strong>" in page
        and "bad.csv:3</code> <strong>student_id</strong>" in page
    )
    assert "Import" not in page.split("nothing was imported")[1].split("</section>")[0].replace(
        "imported", ""
    )


@pytest.mark.django_db
def test_only_admins_and_registrars_import_and_other_schools_answer_404(client, hill, dale):
    client.force_login(hill.teacher)
    assert client.get(reverse("interop:imports", args=["hill"])).status_code == 403
    assert client.get(reverse("interop:export", args=["hill", "scores"])).status_code == 403
    client.force_login(hill.admin)
    assert client.get(reverse("interop:imports", args=["dale"])).status_code == 404
    other = ImportRun.objects.create(
        school=dale.school, kind="scores", filename="x.csv", content=b"x"
    )
    assert client.get(reverse("interop:run", args=["hill", other.pk])).status_code == 404
    assert client.get(reverse("interop:run", args=["dale", other.pk])).status_code == 404


@pytest.mark.django_db
def test_exports_download(client, hill):
    client.force_login(hill.admin)
    response = client.get(
        reverse("interop:export", args=["hill", "case"]) + f"?framework={hill.framework.pk}"
    )
    assert response.status_code == 200 and b'"CFDocument"' in response.content
    assert "attachment" in response["Content-Disposition"]
    response = client.get(
        reverse("interop:export", args=["hill", "canvas"]) + f"?framework={hill.framework.pk}"
    )
    assert response.content.startswith(b"vendor_guid,object_type,title")
    assert client.get(reverse("interop:export", args=["hill", "scores"])).content.startswith(
        b"student_id,"
    )


@pytest.mark.django_db
def test_the_imports_page_query_count_does_not_grow(client, hill, django_assert_max_num_queries):
    client.force_login(hill.admin)
    for i in range(30):
        ImportRun.objects.create(
            school=hill.school,
            kind="scores",
            filename=f"f{i}.csv",
            content=b"x" * 1000,
            created_by=hill.admin,
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("interop:imports", args=["hill"])).status_code == 200


@pytest.mark.django_db
def test_tokens_are_made_shown_once_and_revoked_in_the_app(client, hill):
    client.force_login(hill.teacher)
    url = reverse("api-tokens", args=["hill"])
    page = client.get(url).content.decode()
    assert 'value="admin"' not in page and 'value="write:assessments"' in page
    response = client.post(url, {"name": "Gradebook sync", "scopes": ["read"], "days": 30})
    token = ApiToken.objects.get()
    secret = response.content.decode().split('id="token-secret">')[1].split("<")[0]
    assert secret.startswith("credo_") and token.key_hash != secret
    assert secret not in client.get(url).content.decode()  # shown once
    response = client.post(url, {"name": "", "scopes": ["admin"], "days": 30})
    assert b"errors" in response.content and ApiToken.objects.count() == 1
    client.post(reverse("api-token-revoke", args=["hill", token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.force_login(hill.advisor)
    assert client.post(reverse("api-token-revoke", args=["hill", token.pk])).status_code == 404


@pytest.fixture
def background(settings, tmp_path, monkeypatch):
    """Every file counts as big (so it goes through the task queue); progress files under tmp."""
    from credo.interop import services

    settings.VAR_DIR = tmp_path
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(services, "BACKGROUND_BYTES", 10)


def poll(client, run):
    return client.get(run.get_absolute_url(), HTTP_HX_REQUEST="true")


@pytest.mark.django_db
def test_a_big_file_is_checked_and_imported_in_the_background_with_progress(
    client, hill, background, django_capture_on_commit_callbacks
):
    from credo.interop.progress import FileProgress

    client.force_login(hill.admin)
    url = reverse("interop:imports", args=["hill"])
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            url, {"kind": "scores", "file": SimpleUploadedFile("history.csv", scores(hill))}
        )
    run = ImportRun.objects.get()
    # The request only keeps the file and queues the check.
    assert response["Location"] == run.get_absolute_url() and run.state == "checking"
    assert len(queued) == 1 and run.started_at is None
    page = client.get(run.get_absolute_url()).content.decode()
    assert 'id="import-progress"' in page and 'hx-trigger="every 1s"' in page
    assert "Waiting for the background worker" in page
    assert "in progress" in client.get(url).content.decode()
    # While the task runs, each poll shows how far it has got.
    ImportRun.objects.filter(pk=run.pk).update(started_at=run.created_at)
    FileProgress(run.pk)("reading", 3, 12)
    fragment = poll(client, run).content.decode()
    assert fragment.startswith('<div id="import-progress"')
    assert "Reading and checking every row: 3 of 12 (25%)" in fragment
    assert 'value="3"' in fragment and 'max="12"' in fragment
    # The worker runs the task: the preview is ready, and the next poll reloads the page.
    ImportRun.objects.filter(pk=run.pk).update(started_at=None)
    queued[0]()
    run.refresh_from_db()
    assert run.state == "previewed" and run.summary["changed"] == 1 and run.task_id
    assert run.finished_at >= run.started_at
    assert not Assessment.objects.exists()
    response = poll(client, run)
    assert response.status_code == 204 and response["HX-Refresh"] == "true"
    assert "Import 1 change" in client.get(run.get_absolute_url()).content.decode()
    # Confirming queues the import; it is applied all at once by the worker.
    with django_capture_on_commit_callbacks() as queued:
        client.post(reverse("interop:confirm", args=["hill", run.pk]))
    run.refresh_from_db()
    assert run.state == "applying" and run.applied_by == hill.admin
    assert not Assessment.objects.exists()
    assert "Importing history.csv" in client.get(run.get_absolute_url()).content.decode()
    # A second click while it is queued is refused, not applied twice.
    client.post(reverse("interop:confirm", args=["hill", run.pk]))
    queued[0]()
    run.refresh_from_db()
    assert run.state == "applied" and Assessment.objects.count() == 1
    page = client.get(run.get_absolute_url()).content.decode()
    assert "What changed" in page and "the import took" in page


@pytest.mark.django_db
def test_a_big_file_with_problems_lists_every_one_after_the_background_check(
    client, hill, background, django_capture_on_commit_callbacks
):
    client.force_login(hill.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("interop:imports", args=["hill"]),
            {
                "kind": "scores",
                "file": SimpleUploadedFile(
                    "bad.csv", scores(hill, "9") + b"NOPE,C1,3,2025-13-01\n"
                ),
            },
        )
    run = ImportRun.objects.get()
    assert run.state == "refused"
    page = client.get(run.get_absolute_url()).content.decode()
    assert "3 problems — nothing was imported" in page
    assert "bad.csv:3</code> <strong>date</strong>" in page
    assert "bad.csv:3</code> <strong>student_id</strong>" in page


@pytest.mark.django_db
def test_an_import_stopped_by_an_error_changes_nothing_and_says_so(
    client, hill, background, django_capture_on_commit_callbacks, monkeypatch
):
    from credo.interop import services
    from credo.mastery import bulk

    client.force_login(hill.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("interop:imports", args=["hill"]),
            {"kind": "scores", "file": SimpleUploadedFile("history.csv", scores(hill))},
        )
    run = ImportRun.objects.get()

    def fails(**kwargs):
        # The assessments are written by now, inside the import's one transaction.
        assert Assessment.objects.count() == 1
        raise RuntimeError("disk full")

    monkeypatch.setattr(bulk, "recompute", fails)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("interop:confirm", args=["hill", run.pk]))
    run.refresh_from_db()
    assert run.state == "failed" and "disk full" in run.error
    assert not Assessment.objects.exists()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "The import stopped — nothing was changed" in page and "disk full" in page
    assert services.import_run_execute(run.pk, apply=True).state == "failed"  # not run again


@pytest.mark.django_db
def test_a_file_nobody_picks_up_says_the_worker_may_be_missing(client, hill, background):
    import datetime as dt

    client.force_login(hill.admin)
    client.post(
        reverse("interop:imports", args=["hill"]),
        {"kind": "scores", "file": SimpleUploadedFile("history.csv", scores(hill))},
    )
    run = ImportRun.objects.get()
    assert "Nothing has picked it up yet" not in poll(client, run).content.decode()
    ImportRun.objects.filter(pk=run.pk).update(queued_at=run.queued_at - dt.timedelta(minutes=1))
    assert "credo db_worker" in poll(client, run).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_task_queue_and_its_worker_run_a_queued_check(hill, settings, tmp_path):
    """Through the real database queue and the worker `credo serve` starts."""
    from credo.core.management.commands.serve import run_task_worker
    from credo.interop.services import import_run_start

    settings.VAR_DIR = tmp_path
    run = import_run_start(
        actor=hill.admin,
        school=hill.school,
        kind="scores",
        filename="history.csv",
        content=scores(hill),
        background=True,
    )
    assert run.state == "checking"
    run_task_worker(batch=True)
    run.refresh_from_db()
    assert run.state == "previewed" and run.summary["changed"] == 1
    assert not (tmp_path / "import-progress" / f"{run.pk}.json").exists()


def test_small_files_stay_in_the_request_and_big_rosters_go_to_the_worker():
    import io
    import zipfile

    from credo.interop.services import BACKGROUND_BYTES, needs_background

    assert not needs_background("scores", b"x" * 1000)
    assert needs_background("scores", b"x" * (BACKGROUND_BYTES + 1))
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("users.csv", b"a,b,c\n" * (BACKGROUND_BYTES // 6 + 1))
    assert len(packed.getvalue()) < BACKGROUND_BYTES  # small packed, big unpacked
    assert needs_background("oneroster", packed.getvalue())
    assert not needs_background("oneroster", b"PK not a zip")
