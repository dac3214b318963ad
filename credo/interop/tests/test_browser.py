"""What an admin does: upload a scores file, read what it would change, confirm it."""

import pytest

from credo.browser import sign_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_imports_scores_through_the_browser(page, tmp_path, settings):
    from credo.mastery.models import Assessment
    from credo.testing import make_small_school

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    hill = make_small_school("hill")
    path = tmp_path / "history.csv"
    path.write_text(
        "student_id,competency_code,value,date,assessor,kind,feedback\n"
        f"{hill.students[0].student_number},C1,3,2025-09-10,teacher-hill,summative,Clear model\n"
        f"{hill.students[1].student_number},C2,2,2025-09-11,,,\n"
    )
    sign_in(page, "admin-hill")
    page.goto("/s/hill/")
    page.get_by_role("link", name="Imports & exports").click()
    page.get_by_label("What the file holds").select_option("scores")
    page.get_by_label("File", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_text("What importing it would change").wait_for()
    assert Assessment.objects.count() == 0
    page.get_by_role("button", name="Import 2 changes").click()
    page.get_by_text("Imported history.csv: 2 record(s) changed.").wait_for()
    assert Assessment.objects.count() == 2


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_big_import_runs_in_the_background_and_the_page_follows_it(
    page, tmp_path, settings, monkeypatch
):
    """The worker is started only once the page shows the file waiting, so the page must notice
    by itself (htmx polling) that the check, and then the import, have finished."""
    import threading

    from credo.core.management.commands.serve import run_task_worker
    from credo.interop import services
    from credo.mastery.models import Assessment
    from credo.testing import make_small_school

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(services, "BACKGROUND_BYTES", 10)
    hill = make_small_school("hill")
    path = tmp_path / "history.csv"
    path.write_text(
        "student_id,competency_code,value,date\n"
        f"{hill.students[0].student_number},C1,3,2025-09-10\n"
    )

    def drain():
        thread = threading.Thread(target=run_task_worker, kwargs={"batch": True}, daemon=True)
        thread.start()
        thread.join(timeout=30)

    sign_in(page, "admin-hill")
    page.goto("/s/hill/imports/")
    page.get_by_label("What the file holds").select_option("scores")
    page.get_by_label("File", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Checking history.csv").wait_for()
    page.get_by_text("Waiting for the background worker").wait_for()
    drain()
    page.get_by_text("What importing it would change").wait_for(timeout=15_000)
    assert Assessment.objects.count() == 0
    page.get_by_role("button", name="Import 1 change").click()
    page.get_by_role("heading", name="Importing history.csv").wait_for()
    drain()
    page.get_by_role("heading", name="What changed").wait_for(timeout=15_000)
    assert Assessment.objects.count() == 1
