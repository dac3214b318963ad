"""An admissions reader with a shared link, on a desktop and on a 390 px phone: the summary, how to
read the transcript, a credit's evidence and the verification verdict, in a few clicks, with no
sideways scrolling."""

from __future__ import annotations

import re

import pytest

from credo.transcripts import services
from credo.transcripts.models import ShareView

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shared(db):
    from credo.testing import make_small_school
    from credo.transcripts.tests.builders import rich_student

    small = make_small_school("reader")
    school = small.school
    school.school_code = "123456"
    school.counselor_name = "Dana Ortiz"
    school.counselor_email = "counselor@reader.example.edu"
    school.save()
    student = rich_student(small)
    version = services.transcript_publish(actor=small.registrar, student=student).version
    link = services.share_link_create(
        actor=student.user, version=version, recipient="Northfield College"
    )
    return link


def _fits(page) -> bool:
    width = page.viewport_size["width"]
    return page.locator("html").evaluate("el => el.scrollWidth") <= width


@pytest.mark.parametrize("width", [1280, 390])
def test_reader_reaches_evidence_and_verdict_in_three_clicks(browser, live_server, shared, width):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 850}
    )
    page = context.new_page()
    page.goto(f"/t/{shared.token}/")
    assert _fits(page), "the shared transcript scrolls sideways"

    # The summary comes first, then how to read it, then the credits; the school profile last.
    headings = page.locator("h1, h2").all_inner_texts()
    assert headings.index("How to read this transcript") < headings.index("Credits earned")
    assert headings[-1].startswith("About ")
    guide = page.locator("#tx-guide")
    assert guide.get_by_text("A foundational credit").is_visible()
    assert guide.get_by_text("The school's scale").is_visible()

    # The verdict is one line, on screen without a click; its details open with one.
    verdict = page.locator("#tx-verdict summary")
    assert verdict.is_visible()
    assert re.search(
        r"Verified: published by .* as version 1, the current version", verdict.inner_text()
    )
    detail = page.locator("#tx-verdict").get_by_text("Content hash", exact=True)
    assert not detail.is_visible()
    verdict.click()  # click 1
    assert detail.is_visible()
    assert _fits(page)

    # A credit and its evidence: the credit in the summary (click 1), its evidence (click 2).
    page.locator(".tx-areas").get_by_role("link", name="Inquiry I", exact=True).click()
    credit = page.locator("article.tx-credit").filter(has_text="Inquiry I").first
    evidence = credit.get_by_role("link", name="River study report")
    assert evidence.is_visible()
    evidence.click()
    page.get_by_text("We measured the river's flow").wait_for()
    assert _fits(page)
    assert set(ShareView.objects.values_list("kind", flat=True)) == {"page", "evidence"}

    # The school profile gives the school code and whom to ask.
    page.go_back()
    profile = page.locator(".tx-school-profile")
    assert profile.get_by_text("123456").is_visible()
    assert profile.get_by_role("link", name="counselor@reader.example.edu").is_visible()
    context.close()
