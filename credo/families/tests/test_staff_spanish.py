"""Staff pages in Spanish for a person whose language is `es`, and unchanged in English: the
school's home, the worklists and a credit review's page."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from credo.mastery.models import CreditReview
from credo.web.tests.conftest import add_review_credit


def _client(user, language):
    user.language = language
    user.save(update_fields=["language"])
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def review(hill):
    credit = add_review_credit(hill)
    return CreditReview.objects.create(
        school=hill.school, student=hill.students[0], credit=credit, requested_by=hill.admin
    )


def test_admin_home_speaks_spanish_to_a_spanish_speaking_admin(hill):
    page = _client(hill.admin, "es").get(reverse("web:school", args=[hill.school.slug]))
    html = page.content.decode()
    assert page.status_code == 200 and 'lang="es"' in html
    assert "<title>Resumen de la escuela" in html
    assert "Niveles de competencia en toda la escuela" in html and "Promociones" in html
    assert ">Configuración</a>" in html and ">Revisiones de créditos</a>" in html
    assert "aprobaciones pendientes" in html  # a plural: zero approvals waiting
    assert "School overview" not in html and "Where to next" not in html


def test_the_same_home_is_unchanged_in_english(hill):
    html = _client(hill.admin, "en").get(reverse("web:school", args=[hill.school.slug])).content
    text = html.decode()
    assert "<title>School overview" in text and "Where to next" in text
    assert "<strong>0</strong> approvals waiting" in text


def test_a_credit_review_page_speaks_spanish_with_its_dates_and_names(hill, review):
    url = reverse("web:review", args=[hill.school.slug, review.pk])
    html = _client(hill.admin, "es").get(url).content.decode()
    day = review.requested_at.strftime("%Y-%m-%d")
    assert f"Solicitada el {day} por {hill.admin}." in html
    assert "Programar y formar el panel" in html and "Invitar a un experto externo" in html
    assert "Schedule and seat the panel" not in html
    english = _client(hill.admin, "").get(url).content.decode()
    assert f"Requested {day} by {hill.admin}." in english


def test_a_teachers_worklist_speaks_spanish(hill):
    url = reverse("web:to_assess", args=[hill.school.slug])
    html = _client(hill.teacher, "es").get(url).content.decode()
    assert "<h1>Por evaluar" in html and "No hay nada pendiente" in html


def test_school_setup_and_its_form_labels_speak_spanish(hill):
    c = _client(hill.admin, "es")
    index = c.get(reverse("web:manage", args=[hill.school.slug])).content.decode()
    assert "<h1>Configuración de la escuela</h1>" in index and ">Perfil del egresado</a>" in index
    form = c.get(reverse("web:manage_school", args=[hill.school.slug])).content.decode()
    assert "Nombre corto" in form and ">Guardar</button>" in form
    assert "<h1>Perfil y ajustes de la escuela</h1>" in form  # the view's title
    # A refused save speaks Spanish too: the form's own error messages.
    bad = c.post(
        reverse("web:manage_school", args=[hill.school.slug]),
        {"name": hill.school.name, "not_progressing_days": "3"},
    )
    assert bad.status_code in (200, 400)
    assert "No se guardó nada." in bad.content.decode()
    assert "Elija un periodo de 7 a 365 días." in bad.content.decode()


def test_setup_lists_count_in_spanish_plurals(hill):
    c = _client(hill.registrar, "es")
    people = c.get(reverse("web:manage_people", args=[hill.school.slug])).content.decode()
    assert 'aria-label="Buscar personas"' in people
    assert re.search(r'<p role="status">\d+ personas\.</p>', people)
    students = c.get(reverse("web:manage_students", args=[hill.school.slug])).content.decode()
    assert '<p role="status">3 estudiantes.</p>' in students
    english = _client(hill.registrar, "").get(
        reverse("web:manage_students", args=[hill.school.slug])
    )
    assert '<p role="status">3 students.</p>' in english.content.decode()
