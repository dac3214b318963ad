"""A registrar changes the setup in a real browser: sees the effect by class, applies it, revokes."""

import datetime as dt
import re

import pytest

from credo.browser import signed_in_page
from credo.mastery.models import CreditAward, MasteryCredit
from credo.web.tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_registrar_previews_a_new_credit_applies_it_and_revokes_an_award(browser, live_server):
    world = build_world()
    hill = world.hill
    hill.school.as_of = dt.date(2026, 10, 1)  # the class of 2027 is in its final year
    hill.school.save(update_fields=["as_of"])
    page = signed_in_page(browser, live_server, "registrar-hill")
    page.goto("/s/hill/manage/credits/new/")
    page.get_by_label("Area").select_option(label="Expression")
    page.get_by_label("Code").fill("F9")
    page.get_by_label("Title").fill("Single target")
    page.get_by_label("Credit standard (shown on the transcript)").fill("One target.")
    page.get_by_label("Competency 1", exact=True).select_option(str(hill.competencies[2].pk))
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name=re.compile("Before you apply")).wait_for()
    table = page.locator("table.preview-effect")
    assert "2027" in table.inner_text()
    table.locator("summary").first.click()  # names on demand
    assert world.me.full_name in table.inner_text()
    assert not MasteryCredit.objects.filter(code="F9").exists()  # nothing yet
    page.get_by_role("button", name="Apply this change").click()  # without the explicit choice
    page.get_by_text(re.compile("Choose explicitly")).wait_for()
    assert not MasteryCredit.objects.filter(code="F9").exists()
    page.get_by_label(re.compile("Yes, change the records of the class of 2027")).check()
    page.get_by_role("button", name="Apply this change").click()
    page.get_by_text("Credit saved; progress on it has been recomputed.").wait_for()
    credit = MasteryCredit.objects.get(code="F9")
    award = CreditAward.objects.filter(credit=credit).first()
    assert award is not None and award.awarded_on == dt.date(2026, 10, 1)

    page.goto(f"/s/hill/students/{award.student_id}/")
    page.get_by_role("link", name=re.compile("Revoke… Single target")).click()
    page.get_by_label(re.compile("Why the credit is revoked")).fill("Set up by mistake")
    page.get_by_role("button", name="Revoke the credit").click()
    page.get_by_text(re.compile("revoked. Published transcripts stay")).wait_for()
    award.refresh_from_db()
    assert award.revoked_at is not None and award.revoke_reason == "Set up by mistake"
