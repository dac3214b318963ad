"""In a real browser, without script: a guardian switches Credo to Spanish with the header's
switcher, and every page of theirs — the student's progress, the family report, their
notifications and how they hear of things — reads in Spanish, on the next visit too; the report's
PDF downloads; the outside reviewer's page follows the browser's language."""

import re

import pytest

from credo.browser import signed_in_page
from credo.core.models import AuditEvent
from credo.web.tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guardian_reads_every_page_in_spanish(browser, live_server):
    world = build_world()
    me = world.me if hasattr(world, "me") else world.hill.students[0]
    page = signed_in_page(browser, live_server, "guardian-hill", java_script_enabled=False)
    page.goto(f"/s/hill/students/{me.pk}/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Change").click()
    page.get_by_role("heading", name="Camino a la graduación").wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.url.endswith(f"/s/hill/students/{me.pk}/")  # back where they were
    assert AuditEvent.objects.filter(action="account.language_set").count() == 1

    # The student's tabs, then the family report, in Spanish.
    page.get_by_role("link", name="Informe para la familia").click()
    page.get_by_role("heading", name=re.compile("^Informe de progreso")).wait_for()
    for heading in ("Lo que ha demostrado", "Créditos", "Próximos pasos"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_role("heading", name="Hábitos de trabajo y aprendizaje").is_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Descargar en PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")

    # Their notifications and their choices, with the family report's opt-in.
    page.get_by_role("link", name="Avisos").first.click()
    page.get_by_role("heading", name=re.compile("^Avisos")).wait_for()
    page.get_by_role("link", name="Elija cómo recibir cada tipo de aviso").click()
    page.get_by_role("heading", name="Cómo recibe los avisos").wait_for()
    assert page.get_by_text("El informe de progreso de mi estudiante").is_visible()

    # A new browser, signed in again: the account remembers.
    again = signed_in_page(browser, live_server, "guardian-hill")
    again.goto(f"/s/hill/students/{me.pk}/family-report/")
    again.get_by_role("heading", name="Próximos pasos").wait_for()

    # Back to English the same way.
    again.get_by_label("Idioma").select_option("en")
    again.get_by_role("button", name="Cambiar").click()
    again.get_by_role("heading", name="Next steps").wait_for()


def test_outside_reviewer_page_follows_the_browsers_language(browser, live_server):
    from credo.mastery.invites import invitation_token

    world = build_world()
    token = invitation_token(world.guest_seat)
    guest = signed_in_page(browser, live_server, locale="es-ES")
    guest.goto(f"/review-invitation/{token}/")
    guest.get_by_role("heading", name=re.compile("^Comité de revisión")).wait_for()
    assert guest.get_by_role(
        "heading", name="El crédito y la solicitud del estudiante"
    ).is_visible()
    assert guest.locator("html").get_attribute("lang") == "es"
