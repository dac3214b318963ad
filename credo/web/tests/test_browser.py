"""Each role's main flow in a real browser (Playwright driving the system Chromium)."""

import re

import pytest

from credo.browser import sign_in
from credo.mastery.models import CreditAward, CreditReview, MasteryCredit
from credo.web.tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def new_page(browser, live_server, username=None):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    if username:
        sign_in(page, username)
    return page


def test_a_teacher_records_an_assessment_and_the_students_progress_changes(browser, live_server):
    world = build_world()
    me, c2 = world.me, world.hill.competencies[1]
    teacher = new_page(browser, live_server, "teacher-hill")
    teacher.goto(f"/s/hill/sections/{world.hill.section.pk}/")
    cell = teacher.locator(f"#cell-{me.pk}-{c2.pk} a")
    assert "2" in cell.inner_text()  # Developing, one piece of evidence
    cell.focus()
    teacher.keyboard.press("Enter")  # open the cell from the keyboard
    heading = teacher.locator("#cell-panel h2")
    heading.wait_for()
    assert heading.evaluate("el => el === document.activeElement")  # focus moves to what changed
    assert teacher.locator("#cell-panel").get_by_text("Feedback on C2").is_visible()
    assert "selected" in teacher.locator(f"#cell-{me.pk}-{c2.pk}").get_attribute("class")
    teacher.get_by_role("button", name="Record").click()  # nothing chosen: refused in place
    summary = teacher.locator("#cell-panel .errors")
    summary.wait_for()
    assert summary.evaluate("el => el === document.activeElement")  # the reader hears why
    teacher.get_by_label("Level").select_option("3")
    teacher.get_by_label("Feedback to the student").fill("You explained each step this time.")
    teacher.get_by_role("button", name="Record").click()
    teacher.get_by_text(re.compile(r"Recorded 3 \(summative\)")).wait_for()
    assert (
        teacher.locator(f"#cell-{me.pk}-{c2.pk}").inner_text().startswith("3")
    )  # the cell updated in place
    assert "selected" in teacher.locator(f"#cell-{me.pk}-{c2.pk}").get_attribute("class")
    teacher.locator("#cell-panel").get_by_role("link", name="Back to this cell").click()
    assert teacher.evaluate("location.hash") == f"#cell-{me.pk}-{c2.pk}"

    student = new_page(browser, live_server, me.user.username)
    assert student.get_by_role("heading", name=re.compile(me.full_name)).is_visible()
    credit_line = student.locator("li.credit", has_text="Inquiry I").first
    assert "Awarded" in credit_line.inner_text()  # C1 and C2 proficient: the credit is earned
    # Expression I was already earned; with Inquiry I the student now meets the graduation rule.
    assert "2 foundational" in student.locator("#grad-h + p").inner_text()
    assert "eligible to graduate" in student.locator("#grad-h + p").inner_text()
    student.get_by_text("You explained each step this time.").wait_for()
    assert CreditAward.objects.filter(student=me, credit=world.hill.credits["all"]).exists()


def test_a_student_submits_evidence_and_requests_a_review(browser, live_server):
    world = build_world()
    hill = world.hill
    credit = MasteryCredit.objects.create(
        school=hill.school,
        area=hill.areas[1],
        code="A2",
        title="Expression II",
        standard="Publishes for a real audience.",
        level="advanced",
        rule="all",
        review_required=True,
    )
    credit.items.create(school=hill.school, competency=hill.competencies[4])
    page = new_page(browser, live_server, world.me.user.username)
    page.get_by_role("link", name="Submit evidence").click()
    page.get_by_role("radio", name="Link").check()
    page.get_by_label("Title").fill("Op-ed in the town paper")
    page.get_by_role("textbox", name="Link").fill("https://example.org/op-ed")
    page.get_by_label("Done outside school").check()
    page.get_by_label("Who can vouch for it").fill("R. Ortiz, editor")
    page.get_by_text("What it shows").click()
    page.get_by_label(re.compile(r"C5 — Competency 5")).check()
    page.get_by_role("button", name="Submit").click()
    page.get_by_role("heading", name=re.compile("Op-ed in the town paper")).wait_for()
    assert page.get_by_text("R. Ortiz, editor can vouch for it").is_visible()

    page.goto(f"/s/hill/students/{world.me.pk}/")
    page.get_by_role("link", name="Request review of Expression II").click()
    page.get_by_label("Your case for the credit").fill("My op-ed reached two thousand readers.")
    page.get_by_label("Exhibition").check()
    evidence_box = page.get_by_label(re.compile("Op-ed in the town paper"))
    assert (
        evidence_box.is_checked()
    )  # tagged to a competency of the credit, so ticked for the student
    page.get_by_role("button", name="Request the review").click()
    page.get_by_text("Review of “Expression II” requested.").wait_for()
    reviews = page.locator("#rev-h + ul")
    assert "Expression II" in reviews.inner_text() and "waiting for a panel" in reviews.inner_text()
    review = CreditReview.objects.get(credit=credit)
    assert (
        review.format == "exhibition" and review.bundle.count() == 2
    )  # the op-ed and the earlier notes on C5


def test_a_panel_with_an_outside_expert_awards_a_credit(browser, live_server):
    world = build_world()
    registrar = new_page(browser, live_server, "registrar-hill")
    registrar.locator("nav.school-nav").get_by_role("link", name="Credit reviews").click()
    registrar.get_by_role("link", name=world.me.full_name).click()
    registrar.get_by_label("Where").fill("Room 12")
    registrar.get_by_role("button", name="Save").click()
    registrar.get_by_text("Schedule and panel saved.").wait_for()
    registrar.get_by_role("textbox", name="Name", exact=True).fill("Omar Field")
    registrar.get_by_label("Expertise").fill("bridge engineer")
    registrar.get_by_role("button", name="Invite").click()
    registrar.get_by_text("Omar Field is on the panel.").wait_for()
    link = registrar.get_by_label("Omar Field").input_value()
    assert "/review-invitation/" in link

    guest = new_page(browser, live_server)  # no account, no sign-in
    guest.goto(link)
    assert guest.get_by_text("Welcome, Omar Field.").is_visible()
    assert guest.get_by_role("heading", name=re.compile("My inquiry notes")).is_visible()
    guest.get_by_role("button", name="Record the decision").click()
    guest.get_by_text(
        "Choose to award the credit or “not yet”."
    ).wait_for()  # refused beside the field
    guest.get_by_label("Award the credit").check()
    guest.get_by_label("Feedback for the student").fill("A rigorous, well-documented inquiry.")
    guest.get_by_role("button", name="Record the decision").click()
    guest.get_by_text("This review has been decided. Thank you.").wait_for()
    award = CreditAward.objects.get(student=world.me, credit=world.hill.credits["advanced"])
    assert award.review == world.review

    student = new_page(browser, live_server, world.me.user.username)
    assert "Awarded" in student.locator("li.credit", has_text="Inquiry II").inner_text()
    assert student.get_by_text("A rigorous, well-documented inquiry.").is_visible()


def test_a_guardian_sees_only_their_child(browser, live_server):
    world = build_world()
    page = new_page(browser, live_server, "guardian-hill")
    assert page.url.endswith(f"/s/hill/students/{world.me.pk}/")
    assert page.get_by_role("heading", name=re.compile(world.me.full_name)).is_visible()
    assert page.get_by_text("Feedback on C1").is_visible()
    assert page.get_by_role("link", name="Submit evidence").count() == 0
    assert page.locator("main form").count() == 0  # read-only
    response = page.goto(f"/s/hill/students/{world.classmate.pk}/")
    assert response.status == 404
    assert world.classmate.full_name not in page.content()
    response = page.goto(f"/s/hill/sections/{world.hill.section.pk}/")
    assert response.status == 403
