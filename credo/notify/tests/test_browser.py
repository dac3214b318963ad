"""In a real browser: the link an outside expert is e-mailed opens their review; a seated member
sees the count in the header and marks the notification read."""

import re

import pytest
from django.core import mail

from credo.browser import signed_in_page
from credo.web.tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_emailed_reviewer_link_works_and_the_header_counts_unread(
    browser, live_server, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CREDO_BASE_URL = live_server.url
    world = build_world()
    mail.outbox.clear()
    registrar = signed_in_page(browser, live_server, "registrar-hill")
    registrar.goto(f"/s/hill/reviews/{world.review.pk}/")
    registrar.get_by_role("textbox", name="Name", exact=True).fill("Omar Field")
    registrar.get_by_role("textbox", name="E-mail").fill("omar@example.org")
    registrar.get_by_label("Expertise").fill("bridge engineer")
    registrar.get_by_role("button", name="Invite").click()
    registrar.get_by_text("Omar Field is on the panel").wait_for()

    (message,) = [m for m in mail.outbox if m.to == ["omar@example.org"]]
    link = re.search(r"https?://\S+/review-invitation/\S+", message.body).group(0)
    assert link.startswith(live_server.url)
    guest = signed_in_page(browser, live_server)  # no account: the e-mailed link alone
    guest.goto(link)
    guest.get_by_text("Welcome, Omar Field.").wait_for()
    assert guest.get_by_role("heading", name=re.compile("My inquiry notes")).is_visible()

    # a seated member hears of their seat: the header counts it, the list marks it read
    registrar.goto(f"/s/hill/reviews/{world.review.pk}/")
    registrar.get_by_role("checkbox", name=re.compile("teacher", re.I)).first.check()
    registrar.get_by_role("button", name="Save").click()
    registrar.get_by_text("Schedule and panel saved.").wait_for()
    teacher = signed_in_page(browser, live_server, "teacher-hill")
    badge = teacher.locator("header a.notifications .count")
    badge.wait_for()
    assert badge.inner_text() == "1"
    teacher.locator("header a.notifications").click()
    teacher.locator("strong", has_text="You are on the panel reviewing").wait_for()
    teacher.get_by_role("button", name=re.compile("^Mark read")).click()
    teacher.get_by_text("0 unread").wait_for()
    assert teacher.locator("header a.notifications .count").count() == 0
