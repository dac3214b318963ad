"""One educator's growth cycle in a real browser: a coach observes and gives feedback, the educator
answers with a revision, the coach sees the growth, a panel awards the micro-credential and the
school issues its signed Open Badge."""

import pytest

from credo.browser import signed_in_page
from credo.growth.testing import make_staffroom
from credo.mastery.models import CreditAward
from credo.testing import make_small_school


def observe(page, educator_pk, level: str, feedback: str) -> None:
    page.goto(f"/s/hill/growth/{educator_pk}/observe/")
    page.get_by_label("What you saw").fill("Learners wrote, then revised after comments.")
    page.get_by_label("EP2 ").select_option(label=level)
    page.get_by_label("Feedback for the educator").fill(feedback)
    page.get_by_role("button", name="Record the observation").click()
    page.get_by_text("Observation of").wait_for()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_observation_feedback_revision_micro_credential(browser, live_server):
    hill = make_small_school("hill")
    room = make_staffroom(hill)
    pk = room.educator.pk
    record = f"/s/hill/growth/{pk}/"

    coach = signed_in_page(browser, live_server, "coach-hill")
    observe(coach, pk, "2 Developing", "Leave time in class for learners to use your comments.")
    assert coach.get_by_role("cell", name="Developing").is_visible()

    educator = signed_in_page(browser, live_server, "teacher-hill")
    educator.goto("/s/hill/")
    educator.locator("nav.school-nav").get_by_role("link", name="Educator growth").click()
    educator.get_by_role("link", name="Open your growth record").click()
    assert educator.get_by_text("Leave time in class for learners").is_visible()
    educator.get_by_label("Kind").select_option(label="A link (a recording, a lesson plan online)")
    educator.get_by_label("Title").fill("Recording: revision workshop")
    educator.get_by_label("Link", exact=True).fill("https://video.example.org/lesson-2")
    educator.get_by_role("checkbox", name="EP2").first.check()
    educator.get_by_label("Answers the feedback").select_option(index=1)
    educator.get_by_role("button", name="Add evidence").click()
    educator.get_by_text("Evidence added to your record.").wait_for()
    assert educator.get_by_text("a revision answering feedback").is_visible()
    # not yet proficient: the panel would refuse, and the page says what is missing
    educator.get_by_role("button", name="Ask a panel to review Feedback for revision").click()
    educator.get_by_text("does not meet the requirement").wait_for()

    observe(coach, pk, "3 Proficient", "Learners acted on the comments within the lesson.")
    assert coach.get_by_role("cell", name="Proficient Proficient").is_visible()

    educator.goto(record)
    educator.get_by_label("Your case").first.fill("The recording shows the revision time.")
    educator.get_by_role("button", name="Ask a panel to review Feedback for revision").click()
    educator.get_by_text("Review requested").wait_for()

    leader = signed_in_page(browser, live_server, "admin-hill")
    leader.goto(record)
    leader.get_by_role("link", name="open the review").click()
    leader.get_by_label("Cody Coach").check()
    leader.get_by_role("button", name="Save").click()
    leader.get_by_text("Schedule and panel saved.").wait_for()
    assert leader.get_by_role("link", name="Educator's growth record").is_visible()

    coach.goto(leader.url)
    coach.get_by_label("Award the credit").check()
    coach.get_by_label("Feedback for the student").fill("Clear, evidenced growth in feedback.")
    coach.get_by_role("button", name="Record my vote").click()
    coach.get_by_text("Your vote decided the review").wait_for()
    assert CreditAward.objects.filter(student_id=room.educator.learner_id).count() == 1

    leader.goto(record)
    leader.get_by_role(
        "button", name="Issue the school's Open Badge for Feedback for revision"
    ).click()
    leader.get_by_text("The school's Open Badge was issued.").wait_for()
    assert leader.get_by_text("Open Badge issued").is_visible()
    educator.goto(record)
    assert educator.get_by_text("Open Badge issued").is_visible()
