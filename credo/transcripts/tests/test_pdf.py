"""The printed transcript: page 1 holds the whole summary; the details, version id and QR follow."""

from __future__ import annotations

import re

import pytest
from django.db.models import Count, Q

from credo.accounts.access import system_actor
from credo.transcripts import pdf, render, services
from credo.transcripts.tests.builders import crowded_school, rich_student

pytestmark = pytest.mark.django_db


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def assert_summary_on_page_one(version):
    doc = pdf.document(version)
    first, second = squash(pdf.page_text(doc.pages[0])), squash(pdf.page_text(doc.pages[1]))
    content = version.content
    assert content["student"]["name"] in first
    assert "Credits by area" in first
    ctx = render.context(content, mode="print")
    shown: dict[str, int] = {}
    for area in ctx["summary_areas"]:
        assert area["name"] in first
        for credit in area["listed"]:
            # Under its area a credit is listed without the area's name ("Mindfulness").
            shown[squash(credit["short_title"])] = shown.get(squash(credit["short_title"]), 0) + 1
    for title, times in shown.items():
        assert first.count(title) >= times, f"{title} is not {times} times on page 1"
    # The verification block: URL, version id, hash (and the QR code drawn beside them).
    assert "Verify this transcript" in first
    assert str(version.public_id) in first and version.content_hash in first
    assert version.verification_url() in first
    # Page 2 begins with the details: nothing of the summary spilled over.
    assert second.lstrip().startswith(pdf.DETAILS_HEADING)
    assert "Credits by area" not in second
    # Every later page carries the version id in its footer.
    for page in doc.pages[1:]:
        assert str(version.public_id) in pdf.page_text(page)
    return doc


def test_a_typical_transcript_prints_its_summary_on_page_one(hill):
    student = rich_student(hill)
    version = services.transcript_publish(actor=hill.registrar, student=student).version
    doc = assert_summary_on_page_one(version)
    text = squash(" ".join(pdf.page_text(p) for p in doc.pages))
    assert "Shows inquiry." in text  # the credit standard
    assert "River study report" in text and "Careful, patient fieldwork" in text
    assert "I learn best by building things." in text
    assert "Private draft notes" not in text and "Unapproved blog" not in text
    data = pdf.render_pdf(version)
    assert data.startswith(b"%PDF") and version.public_id.hex.encode() in data


@pytest.mark.parametrize(("areas", "foundational", "advanced"), [(6, 6, 3), (8, 8, 4)])
def test_a_crowded_catalogue_still_fits_page_one(areas, foundational, advanced):
    small, student = crowded_school(
        f"c{areas}", areas=areas, foundational=foundational, advanced=advanced
    )
    version = services.transcript_publish(actor=small.registrar, student=student).version
    assert_summary_on_page_one(version)


def test_printed_transcripts_show_no_grades(hill):
    student = rich_student(hill)
    version = services.transcript_publish(actor=hill.registrar, student=student).version
    doc = pdf.document(version)
    text = " ".join(pdf.page_text(p) for p in doc.pages).lower()
    assert "gpa" not in text and not re.search(r"\b(grades?|rank(ed|ing)?)\b", text)


@pytest.mark.slow
def test_the_demo_students_with_the_most_credits_fit_page_one(settings):
    """Load the demo (60 students a school) and print the top students of every school."""
    from credo.accounts.models import Student
    from credo.demo import loader as demo
    from credo.schools.models import School

    demo.load_demo(students_per_school=60)
    for school in School.objects.all():
        top = (
            Student.objects.filter(school=school)
            .annotate(n=Count("awards", filter=Q(awards__revoked_at__isnull=True)))
            .order_by("-n", "pk")
            .first()
        )
        assert top.n >= 20, f"{school}: the demo's best student has only {top.n} credits"
        version = services.transcript_publish(actor=system_actor(), student=top).version
        assert_summary_on_page_one(version)


def test_the_bench_times_pdfs_cold_then_from_their_file(hill):
    from credo.transcripts.bench import pdf_timings

    student = rich_student(hill)
    version = services.transcript_publish(actor=hill.registrar, student=student).version
    figures = pdf_timings([version], sample=3)
    assert figures["transcript_pdf_timed"] == 1
    assert figures["transcript_pdf_timed_credits_max"] == 2
    assert figures["transcript_pdf_cold_max_s"] > figures["transcript_pdf_cached_max_s"] > 0
    assert pdf._path(version).exists()
