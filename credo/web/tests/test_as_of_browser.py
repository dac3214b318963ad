"""A teacher looks at the gradebook as it stood on a day, in a real browser: the banner says which
day, nothing can be opened or recorded, and "back to today" brings the working gradebook back."""

import pytest
from django.utils import timezone

from credo.browser import signed_in_page
from credo.web.tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_gradebook_as_of_a_day_is_read_only_under_a_banner(browser, live_server):
    world = build_world()
    me, c2 = world.me, world.hill.competencies[1]
    teacher = signed_in_page(browser, live_server, "teacher-hill")
    teacher.goto(f"/s/hill/sections/{world.hill.section.pk}/")
    assert teacher.locator(f"#cell-{me.pk}-{c2.pk} a").count() == 1  # today: a cell opens
    today = timezone.localdate()
    teacher.get_by_label("Show as of").fill(today.isoformat())
    teacher.get_by_role("button", name="Show", exact=True).click()
    banner = teacher.get_by_role("note")
    banner.wait_for()
    assert f"As it stood on {today.day} {today:%B} {today.year}" in banner.inner_text()
    assert f"as_of={today.isoformat()}" in teacher.url
    cell = teacher.locator(f"#cell-{me.pk}-{c2.pk}")
    assert "2" in cell.inner_text()  # Developing, as recorded
    assert cell.locator("a").count() == 0  # the past is read-only: nothing to open or record
    assert teacher.locator("#cell-panel").count() == 0
    teacher.get_by_role("link", name="back to today").click()
    teacher.locator(f"#cell-{me.pk}-{c2.pk} a").wait_for()
    assert teacher.get_by_role("note").count() == 0
