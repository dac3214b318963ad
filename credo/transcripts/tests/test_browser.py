"""What people do: a registrar publishes, a student shares, a reader without an account opens the
link and downloads the PDF, and a withdrawn link stops working at once."""

from __future__ import annotations

import pytest

from credo.browser import sign_in
from credo.transcripts.models import ShareLink, ShareView, TranscriptVersion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def school(db):
    from credo.testing import make_small_school
    from credo.transcripts.tests.builders import rich_student

    small = make_small_school("hill")
    rich_student(small)
    return small


def test_publish_share_read_download_and_revoke(page, browser, live_server, school, tmp_path):
    student = school.students[0]
    slug = school.school.slug

    # The registrar publishes the student's transcript.
    sign_in(page, school.registrar.username)
    page.goto(f"/s/{slug}/transcripts/")
    page.get_by_role("link", name=str(student)).first.click()
    page.get_by_label("Note (optional)").fill("End of year")
    page.get_by_role("button", name="Publish a new version").click()
    page.get_by_text("Version 1 is published.").wait_for()
    assert TranscriptVersion.objects.filter(student=student).count() == 1
    page.get_by_role("button", name="Sign out").click()

    # The student shares it with a college.
    sign_in(page, student.user.username)
    page.get_by_role("link", name="Transcripts").click()
    page.get_by_label("Who is it for?").fill("Northfield College admissions")
    page.get_by_role("button", name="Create the link").click()
    field = page.get_by_role("textbox", name="Link for Northfield College admissions")
    url = field.input_value()
    assert "/t/" in url
    token = url.rstrip("/").rsplit("/", 1)[-1]
    # Only the token's hash is stored, and the address is shown this once.
    assert ShareLink.objects.get().token_hash == ShareLink.hash_token(token)
    # The whole link shows, and a button copies it (from the keyboard too) and says so.
    assert field.evaluate("el => el.scrollWidth <= el.clientWidth")
    field.focus()
    page.keyboard.press("Tab")
    copy = page.get_by_role("button", name="Copy link for Northfield College admissions")
    assert copy.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    status = page.get_by_role("status").filter(has_text="copied")
    status.or_(page.get_by_role("status").filter(has_text="Ctrl+C")).wait_for()

    # A reader without an account opens the link and downloads the PDF.
    reader = browser.new_context(base_url=live_server.url, accept_downloads=True)
    anonymous = reader.new_page()
    anonymous.goto(f"/t/{token}/")
    assert anonymous.get_by_role("heading", name=student.full_name).is_visible()
    assert anonymous.get_by_text("Shared with Northfield College admissions").is_visible()
    anonymous.get_by_role("link", name="River study report").click()
    anonymous.get_by_text("We measured the river's flow").wait_for()
    anonymous.go_back()
    with anonymous.expect_download() as download_info:
        anonymous.get_by_role("link", name="Download PDF").click()
    pdf_path = tmp_path / "transcript.pdf"
    download_info.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert set(ShareView.objects.values_list("kind", flat=True)) == {"page", "evidence", "pdf"}

    # The student sees who opened it, then withdraws the link; it stops working at once.
    page.reload()
    assert page.get_by_text("PDF download").first.is_visible()
    page.get_by_role("button", name="Withdraw the link for Northfield College admissions").click()
    page.get_by_text("no longer works").wait_for()
    anonymous.reload()
    assert anonymous.get_by_role("heading", name="This link was withdrawn").is_visible()
    response = anonymous.goto(f"/t/{token}/pdf/")
    assert response.status == 410
    reader.close()


def test_registrar_publishes_a_cohort_and_sees_progress(page, school):
    sign_in(page, school.registrar.username)
    page.goto(f"/s/{school.school.slug}/transcripts/")
    page.get_by_label("Also prepare each PDF now").uncheck()
    page.get_by_role("button", name="Publish the cohort").click()
    page.get_by_text("3 of 3 done").wait_for()
    assert TranscriptVersion.objects.count() == 3
