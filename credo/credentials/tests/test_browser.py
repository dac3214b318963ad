"""What an admissions reader does: open a shared transcript, download its CLR, check the school's
signature, and see a tampered copy refused with the reason; a registrar rotates the key."""

from __future__ import annotations

import json

import pytest

from credo.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared(settings, tmp_path, live_server):
    from credo.credentials.tests.builders import awarded_student, publish
    from credo.testing import make_small_school
    from credo.transcripts.services import share_link_create

    settings.CREDO_BASE_URL = live_server.url
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CREDO_TRANSCRIPT_CACHE = str(tmp_path / "transcripts")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    small = make_small_school("hill")
    student = awarded_student(small)
    version = publish(small, student)
    link = share_link_create(actor=student.user, version=version, recipient="Northfield College")
    return small, student, link


def test_a_reader_downloads_and_verifies_the_clr(page, browser, live_server, shared, tmp_path):
    small, student, link = shared
    reader = browser.new_context(base_url=live_server.url, accept_downloads=True)
    anonymous = reader.new_page()
    anonymous.goto(f"/t/{link.token}/")
    with anonymous.expect_download() as download_info:
        anonymous.get_by_role("link", name="Download CLR").click()
    path = tmp_path / "transcript.clr.json"
    download_info.value.save_as(path)
    document = json.loads(path.read_text())
    assert document["type"] == ["VerifiableCredential", "ClrCredential"]

    # The verdict's detail folds away; it holds the link to check the signature.
    anonymous.locator("#tx-verdict summary").click()
    anonymous.get_by_role("link", name="Check the school's digital signature").click()
    anonymous.locator("#verdict").wait_for()
    assert anonymous.locator("#verdict").inner_text().endswith(" Valid")
    assert anonymous.get_by_text("Confirmed as the school’s own key.").is_visible()
    # Every check folds away under the verdict when all passed; one click shows them.
    anonymous.get_by_text("Show every check, credential by credential").click()
    assert anonymous.get_by_role("row", name="Passed Signature matches every word").count() == 1
    # Each credit's own credential is checked too; its checks fold away when all passed.
    anonymous.get_by_text("Inquiry I (foundational mastery credit)", exact=True).click()
    assert anonymous.get_by_role("row", name="Passed Signature matches every word").count() == 2
    anonymous.screenshot(path=str(tmp_path / "verify-valid.png"), full_page=True)

    # A copy with one credit renamed is refused, and the page says where.
    document["credentialSubject"]["verifiableCredential"][0]["name"] = "Rocket science"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    anonymous.goto("/verify/")
    anonymous.get_by_label("Credential file").set_input_files(str(forged))
    anonymous.get_by_role("button", name="Verify").click()
    anonymous.locator("#verdict").wait_for()
    assert anonymous.locator("#verdict").inner_text().endswith(" Not valid")
    failed = anonymous.get_by_role("row", name="Failed Signature matches every word")
    assert failed.count() == 2  # the credit's own proof and the transcript's
    assert "signature does not match the credential" in failed.first.inner_text()
    reader.close()


def test_a_registrar_rotates_the_key_and_old_transcripts_still_verify(page, shared):
    from credo.credentials.models import SchoolKey

    small, student, link = shared
    sign_in(page, small.registrar.username)
    page.goto(f"/s/{small.school.slug}/")
    page.get_by_role("link", name="Credentials").click()
    page.get_by_text("Rotate the signing key").click()
    page.get_by_label("Why rotate the key?").fill("Yearly rotation")
    page.get_by_role("button", name="Rotate the key").click()
    page.get_by_text("New signing key").wait_for()
    assert SchoolKey.objects.filter(school=small.school).count() == 2
    page.goto(f"/verify/?link=/t/{link.token}/")
    assert page.locator("#verdict").inner_text().endswith(" Valid")
    page.get_by_text("Show every check, credential by credential").click()
    assert page.get_by_text("retired").first.is_visible()
