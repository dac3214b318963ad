"""Each role's main flow in a real browser (Playwright driving the system Chromium)."""

import re

import pytest

from credo.browser import signed_in_page
from credo.mastery.models import CreditAward, CreditReview
from credo.web.tests.conftest import add_review_credit, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_teacher_records_an_assessment_and_the_students_progress_changes(browser, live_server):
    world = build_world()
    me, c2 = world.me, world.hill.competencies[1]
    teacher = signed_in_page(browser, live_server, "teacher-hill")
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

    student = signed_in_page(browser, live_server, me.user.username)
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
    credit = add_review_credit(hill)
    page = signed_in_page(browser, live_server, world.me.user.username)
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
    """The registrar invites an expert (e-mailed a link, shown to the registrar); the expert votes
    without an account; the seated members' votes make the majority and award the credit."""
    world = build_world()
    registrar = signed_in_page(browser, live_server, "registrar-hill")
    registrar.locator("nav.school-nav").get_by_role("link", name="Credit reviews").click()
    registrar.get_by_role("link", name=world.me.full_name).click()
    registrar.get_by_label("Where").fill("Room 12")
    registrar.get_by_role("button", name="Save").click()
    registrar.get_by_text("Schedule and panel saved.").wait_for()
    registrar.get_by_role("textbox", name="Name", exact=True).fill("Omar Field")
    registrar.get_by_role("textbox", name="E-mail").fill("omar@example.org")
    registrar.get_by_label("Expertise").fill("bridge engineer")
    registrar.get_by_role("button", name="Invite").click()
    registrar.get_by_text("Omar Field is on the panel").wait_for()
    link = registrar.get_by_label("Omar Field").input_value()
    assert "/review-invitation/" in link

    guest = signed_in_page(browser, live_server)  # no account, no sign-in
    guest.goto(link)
    assert guest.get_by_text("Welcome, Omar Field.").is_visible()
    assert guest.get_by_role("heading", name=re.compile("My inquiry notes")).is_visible()
    guest.get_by_role("button", name="Record my vote").click()
    guest.get_by_text(
        "Choose to award the credit or “not yet”."
    ).wait_for()  # refused beside the field
    guest.get_by_label("Award the credit").check()
    guest.get_by_label("Feedback for the student").fill("A rigorous, well-documented inquiry.")
    guest.get_by_role("button", name="Record my vote").click()
    guest.get_by_text("Your vote is recorded.").wait_for()
    assert not CreditAward.objects.filter(
        student=world.me, credit=world.hill.credits["advanced"]
    ).exists()  # an outside expert never decides alone

    # four seats now (reviewer, coordinator, two experts): three must agree, one of them staff
    for username, message in (
        ("coordinator-hill", "Vote recorded."),
        ("reviewer-hill", "Your vote decided the review"),
    ):
        member = signed_in_page(browser, live_server, username)
        member.goto(f"/s/hill/reviews/{world.review.pk}/")
        member.get_by_label("Award the credit").check()
        member.get_by_label("Feedback for the student").fill("Agreed: the inquiry holds up.")
        member.get_by_role("button", name="Record my vote").click()
        member.get_by_text(message).wait_for()
    award = CreditAward.objects.get(student=world.me, credit=world.hill.credits["advanced"])
    assert award.review == world.review

    student = signed_in_page(browser, live_server, world.me.user.username)
    assert "Awarded" in student.locator("li.credit", has_text="Inquiry II").inner_text()
    assert student.get_by_text("A rigorous, well-documented inquiry.", exact=False).is_visible()


def test_a_guardian_sees_only_their_child(browser, live_server):
    world = build_world()
    page = signed_in_page(browser, live_server, "guardian-hill")
    assert page.url.endswith(f"/s/hill/students/{world.me.pk}/")
    assert page.get_by_role("heading", name=re.compile(world.me.full_name)).is_visible()
    assert page.get_by_text("Feedback on C1").is_visible()
    assert page.get_by_role("link", name="Submit evidence").count() == 0
    # Read-only: no form that sends anything (the "show as of" day picker only reads).
    assert page.locator("main form[method=post]").count() == 0
    assert page.locator("main form").count() == page.locator("main form.as-of-form").count()
    response = page.goto(f"/s/hill/students/{world.classmate.pk}/")
    assert response.status == 404
    assert world.classmate.full_name not in page.content()
    response = page.goto(f"/s/hill/sections/{world.hill.section.pk}/")
    assert response.status == 403


def test_two_saves_in_a_row_in_the_same_open_cell_are_both_recorded(browser, live_server):
    """The panel that comes back after a save keeps its fields inside the form: a second save (by
    mouse, then by keyboard) records too."""
    from credo.mastery.models import Assessment

    world = build_world()
    me, c5 = world.me, world.hill.competencies[4]
    # The world may already hold assessments of this cell; count only what the panel records.
    earlier = list(
        Assessment.objects.filter(student=me, competency=c5).values_list("id", flat=True)
    )
    teacher = signed_in_page(browser, live_server, "teacher-hill")
    teacher.goto(f"/s/hill/sections/{world.hill.section.pk}/")
    teacher.locator(f"#cell-{me.pk}-{c5.pk} a").click()
    panel = teacher.locator("#cell-panel")
    panel.locator("h2").wait_for()
    for n, value in enumerate(("2", "3", "4"), start=1):
        panel.get_by_label("Level").select_option(value)
        panel.get_by_label("Feedback to the student").fill(f"Attempt {n}")
        if n == 3:
            panel.get_by_role("button", name="Record").focus()
            teacher.keyboard.press("Enter")
        else:
            panel.get_by_role("button", name="Record").click()
        panel.get_by_text(re.compile(rf"Recorded {value} \(summative\)")).wait_for()
        # Every field of the panel that came back is inside its form.
        assert panel.evaluate(
            "p => [...p.querySelectorAll('select, textarea, input')].every(f => f.form)"
        )
    values = list(
        Assessment.objects.filter(student=me, competency=c5)
        .exclude(id__in=earlier)
        .order_by("id")
        .values_list("value", flat=True)
    )
    assert [str(v.normalize()) for v in values] == ["2", "3", "4"]
    assert teacher.locator(f"#cell-{me.pk}-{c5.pk}").inner_text().startswith("4")


def test_a_revision_appears_in_the_teachers_queue_and_leaves_once_assessed(browser, live_server):
    import datetime as dt

    from credo.evidence.services import evidence_submit
    from credo.mastery import services

    world = build_world()
    hill, me, c1 = world.hill, world.me, world.hill.competencies[0]
    hill.school.as_of = dt.date(2025, 10, 20)
    hill.school.save()
    first = evidence_submit(
        actor=me.user,
        student=me,
        kind="text",
        title="Field notes",
        body="Notes.",
        demonstrated_on=dt.date(2025, 10, 2),
        competencies=[c1],
    )
    prompt = services.assessment_record(
        assessor=hill.teacher,
        student=me,
        competency=c1,
        value=2,
        demonstrated_on=dt.date(2025, 10, 2),
        evidence=first,
        feedback="Label each observation with its time.",
    )
    evidence_submit(  # the revision, as the student's "revise" form submits it
        actor=me.user,
        student=me,
        kind="text",
        title="Field notes, revised",
        body="Timed notes.",
        demonstrated_on=dt.date(2025, 10, 9),
        competencies=[c1],
        revision_of=first,
        responds_to=prompt,
    )
    teacher = signed_in_page(browser, live_server, "teacher-hill")
    teacher.goto("/s/hill/")
    # The revision and the world's inquiry notes (tagged, never assessed) are waiting.
    assert re.search(r"\b2\s+to assess", teacher.locator(".wl-counts").inner_text())
    teacher.get_by_role("link", name=re.compile(r"to assess")).click()
    item = teacher.locator("li.work-item", has_text="Field notes, revised")
    assert "Label each observation with its time." in item.inner_text()
    item.get_by_label(re.compile("Level on C1")).select_option("3")
    item.get_by_label(re.compile("Feedback on C1")).fill("Every entry is timed now.")
    item.get_by_role("button", name=re.compile("Record")).click()
    teacher.get_by_text(re.compile(r"Recorded 3 for .* on C1")).wait_for()
    assert teacher.locator("li.work-item", has_text="Field notes, revised").count() == 0
    teacher.goto("/s/hill/")
    assert re.search(r"\b1\s+to assess", teacher.locator(".wl-counts").inner_text())


def test_keyboard_only_entry_of_a_whole_row(browser, live_server):
    """Arrows move, typing a level and an arrow (or Enter) records it; no mouse anywhere."""
    from credo.mastery.models import Assessment

    world = build_world()
    hill, pupil = world.hill, world.classmate  # no history: every cell starts empty
    competencies = hill.competencies
    teacher = signed_in_page(browser, live_server, "teacher-hill")
    teacher.goto(f"/s/hill/sections/{hill.section.pk}/")
    teacher.locator(f"#cell-{pupil.pk}-{competencies[0].pk} a").focus()
    levels = ["3", "2", "4", "1", "3", "2"]
    for n, value in enumerate(levels):
        teacher.keyboard.type(value)
        last = n == len(levels) - 1
        teacher.keyboard.press("Enter" if last else "ArrowRight")
        cell = teacher.locator(f"#cell-{pupil.pk}-{competencies[n].pk}")
        cell.locator(".lvl", has_text=value).wait_for()
    # A CSS check, not wait_for_function: a string predicate is eval'd in the page, which the strict
    # Content-Security-Policy (no 'unsafe-eval') rightly refuses in newer Chromium.
    teacher.locator(f"#cell-{pupil.pk}-{competencies[-1].pk}:focus-within").wait_for()
    # Escape drops what was typed; nothing is recorded.
    teacher.keyboard.type("4")
    teacher.keyboard.press("Escape")
    teacher.keyboard.press("ArrowLeft")
    got = [
        str(v.normalize())
        for v in Assessment.objects.filter(student=pupil)
        .order_by("competency__code")
        .values_list("value", flat=True)
    ]
    assert got == levels
    assert set(Assessment.objects.filter(student=pupil).values_list("kind", flat=True)) == {
        "summative"
    }


def test_paste_of_a_class_column_previews_then_records(browser, live_server):
    from credo.mastery.models import Assessment

    world = build_world()
    hill, c6 = world.hill, world.hill.competencies[5]
    students = sorted(hill.students, key=lambda s: (s.family_name, s.given_name, s.pk))
    teacher = signed_in_page(browser, live_server, "teacher-hill")
    teacher.goto(f"/s/hill/sections/{hill.section.pk}/class/?competency={c6.pk}")
    teacher.get_by_label(re.compile(r"^Task")).fill("Exit ticket 4")
    # As copied from a spreadsheet column: one level per line, a blank cell for the absent one.
    teacher.get_by_label(re.compile("One level per line")).fill("4\n\n2")
    teacher.get_by_role("button", name="Preview the paste").click()
    teacher.get_by_text(re.compile(r"2 level\(s\) read from the paste")).wait_for()
    assert not Assessment.objects.filter(competency=c6).exists()  # a preview saves nothing
    assert teacher.locator(f"#value-{students[0].pk}").input_value() == "4"
    assert teacher.locator(f"#value-{students[1].pk}").input_value() == ""
    assert teacher.locator(f"#value-{students[2].pk}").input_value() == "2"
    teacher.locator(f"#value-{students[1].pk}").select_option("3")  # an exception by hand
    teacher.get_by_role("button", name="Record for the class").last.click()
    teacher.get_by_text(re.compile("Recorded 3 assessment")).wait_for()
    got = {
        a.student_id: str(a.value.normalize())
        for a in Assessment.objects.filter(competency=c6, task="Exit ticket 4")
    }
    assert got == {students[0].pk: "4", students[1].pk: "3", students[2].pk: "2"}
