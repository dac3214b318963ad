"""What the leadership team does, in a real browser: two members rate on their own, the disagreement
shows, the lead records the agreed rating and takes a snapshot, and the profile and the PDF follow."""

import io

import pytest

from credo.browser import sign_in
from credo.journey.tests.factories import make_team
from credo.testing import make_small_school


def pdf_text(body: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages)


def rate(page, code: str, status: str, note: str) -> None:
    page.goto("/s/hill/journey/rate/")
    row = page.locator(f"#rate-{code}")
    # Each member rates on their own: nobody else's choice is pre-filled.
    assert row.locator("input[type=radio]:checked").count() == 0
    row.locator(f'input[value="{status}"]').check()
    row.get_by_label(f"Your note on {code}").fill(note)
    page.get_by_role("button", name="Save my ratings").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_text("Saved 1 rating.").is_visible()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_two_members_disagree_the_lead_agrees_and_snapshots(browser, live_server):
    hill = make_small_school("hill")
    make_team(hill)  # the admin leads; the teacher and the registrar are members

    contexts = []

    def session(username):
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, username)
        return page

    try:
        teacher, registrar = session("teacher-hill"), session("registrar-hill")
        rate(teacher, "PV1", "earned", "The community forums made the case.")
        rate(registrar, "PV1", "in_progress", "Families have not been heard yet.")

        lead = session("admin-hill")
        lead.goto("/s/hill/journey/")
        assert lead.get_by_test_id("foundational-earned").inner_text().startswith("0")
        before = lead.request.get("/s/hill/journey/report.pdf")
        assert before.headers["content-type"] == "application/pdf"
        assert "0 of 15" in pdf_text(before.body())

        lead.goto("/s/hill/journey/team-view/")
        row = lead.locator("#row-PV1")
        assert row.get_by_text("Members disagree").is_visible()
        assert (
            row.get_by_text("Earned").first.is_visible()
            and row.get_by_text("In progress").first.is_visible()
        )
        assert lead.locator("#row-PV2").get_by_text("Members disagree").count() == 0

        lead.locator("#cs-PV1").select_option("earned")
        lead.locator("#cn-PV1").fill("Forums held; family survey next term.")
        row.get_by_role("button", name="Record").click()
        lead.wait_for_load_state("networkidle")
        assert lead.get_by_text("Agreed rating for PV1: Earned.").is_visible()

        lead.goto("/s/hill/journey/history/")
        lead.get_by_label("Name").fill("Spring review")
        lead.get_by_role("button", name="Take snapshot").click()
        lead.wait_for_load_state("networkidle")
        assert lead.get_by_text("Snapshot “Spring review” taken.").is_visible()
        assert lead.get_by_role("link", name="Spring review").is_visible()

        lead.goto("/s/hill/journey/")
        assert lead.get_by_test_id("foundational-earned").inner_text().startswith("1")
        desc = lead.locator("figure.j-profile svg.credit-profile desc").first.text_content()
        assert "foundational 1 of 15 earned" in desc

        after = pdf_text(lead.request.get("/s/hill/journey/report.pdf").body())
        assert "1 of 15" in after and "Spring review" in after and "Forums held" in after
    finally:
        for context in contexts:
            context.close()
