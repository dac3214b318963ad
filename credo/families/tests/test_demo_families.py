"""The demo's families: a guardian who reads Credo in Spanish, and the family report of a demo
student rendered in both languages, as a page and as a PDF."""

import pytest
from django.test import Client
from django.urls import reverse

from credo.accounts.models import GuardianLink, User
from credo.demo.content import DEMO_TODAY, JUNIPER_VALLEY
from credo.families.models import FamilyReport, LevelText
from credo.families.pdf import report_html, report_pdf
from credo.families.selectors import family_report

SMALL = 8


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    from credo.demo import loader as demo

    with django_db_blocker.unblock():
        demo.load_demo(seed=11, students_per_school=SMALL, progress=lambda _: None)
        yield
        demo.reset_demo()


@pytest.fixture
def spanish_family(demo_loaded, db):
    guardian = User.objects.get(username=f"guardian1@{JUNIPER_VALLEY.slug}")
    link = GuardianLink.objects.filter(guardian=guardian).select_related("student__school").first()
    return guardian, link.student


def test_the_demo_has_a_spanish_speaking_guardian_who_asked_for_reports(spanish_family):
    from credo.notify.models import Delivery, Kind, Preference

    guardian, student = spanish_family
    assert guardian.language == "es"
    assert Preference.objects.get(user=guardian, kind=Kind.FAMILY_REPORT).delivery == (
        Delivery.IMMEDIATE
    )
    earlier = FamilyReport.objects.get(student=student, recipient=guardian)
    assert earlier.language == "es" and earlier.as_of < DEMO_TODAY
    assert LevelText.objects.filter(school=student.school, language="es").count() >= 8


def test_the_demo_students_report_in_both_languages(spanish_family):
    guardian, student = spanish_family
    es = family_report(student, language="es")
    en = family_report(student, language="en")
    assert es.since == en.since == FamilyReport.objects.get(recipient=guardian).as_of
    assert es.shown or es.earned or es.in_progress
    # The Spanish report uses the school's Spanish level words; the English one its own.
    spanish_levels = set(
        LevelText.objects.filter(school=student.school, language="es").values_list(
            "label", flat=True
        )
    )
    assert all(s.level in spanish_levels for s in es.shown + es.habits)
    assert not any(s.level in spanish_levels for s in en.shown + en.habits)
    html_es, html_en = report_html(es), report_html(en)
    assert '<html lang="es">' in html_es and "Próximos pasos" in html_es
    assert '<html lang="en">' in html_en and "Next steps" in html_en
    assert report_pdf(es).startswith(b"%PDF") and report_pdf(en).startswith(b"%PDF")


def test_the_guardian_reads_the_demo_report_in_spanish(spanish_family):
    guardian, student = spanish_family
    c = Client()
    c.force_login(guardian)
    url = reverse("families:report", args=[student.school.slug, student.pk])
    page = c.get(url).content.decode()
    assert '<html lang="es">' in page and "Lo que ha demostrado" in page
    assert "Hábitos de trabajo y aprendizaje" in page
    pdf = c.get(reverse("families:report_pdf", args=[student.school.slug, student.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
