"""The eligibility and scholarship letter: a student's letters (and the form that produces one),
a letter's page and PDF, and the school's choice whether families read them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods, require_safe

from credo.accounts.access import access_student, is_manager
from credo.accounts.http import school_page
from credo.core.errors import NotAllowed
from credo.core.http import page
from credo.transcripts import forms, letters, services
from credo.transcripts.access import (
    access_letter,
    letters_enabled,
    letters_open_to_family,
    may_produce_letter,
    may_read_letters,
)
from credo.transcripts.models import EligibilityLetter
from credo.transcripts.views.common import _apply

OFF = (
    "Letters for eligibility bodies and scholarship programmes are off: they map the school's "
    "levels to grades, so they exist only while grade conversion is turned on in the transcript "
    "settings."
)


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def student_letters(request, school, student_id):
    """A student's letters; admins and registrars produce a new one here."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    if not letters_enabled(school) and is_manager(request.user, school):
        # Refused plainly to those who could turn it on; nobody else learns the page exists.
        return page(
            request, "transcripts/letters.html", {"student": student, "off": OFF}, status=403
        )
    if not may_read_letters(request.user, student):
        raise Http404("No such page.")
    producer = may_produce_letter(request.user, school)
    form = forms.LetterForm(request.POST or None) if producer else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise Http404("No such page.")
        if form.is_valid():
            try:
                letter = services.letter_produce(
                    actor=request.user, student=student, **form.cleaned_data
                )
            except NotAllowed as exc:
                messages.error(request, str(exc))
                status = 403
            except ValidationError as exc:
                _apply(form, exc)
                status = 400
            else:
                messages.success(request, f"The letter to {letter.recipient} is ready.")
                return redirect("transcripts:letter", slug=school.slug, letter_id=letter.public_id)
        else:
            status = 400
    return page(
        request,
        "transcripts/letters.html",
        {
            "student": student,
            "form": form,
            "letters": EligibilityLetter.objects.filter(student=student).select_related(
                "produced_by"
            ),
            "open_to_family": letters_open_to_family(school),
        },
        status=status,
    )


@login_required
@school_page
@require_safe
def letter_page(request, school, letter_id):
    letter = access_letter(user=request.user, school=school, letter_id=letter_id)
    ctx = letters.context(letter)
    ctx["student"] = letter.student
    return page(request, "transcripts/letter.html", ctx)


@login_required
@school_page
@require_safe
def letter_pdf(request, school, letter_id):
    letter = access_letter(user=request.user, school=school, letter_id=letter_id)
    data = letters.letter_pdf(letter)
    response = FileResponse(iter([data]), content_type="application/pdf")
    name = letter.student.family_name.replace(" ", "-") or "student"
    response["Content-Disposition"] = (
        f'attachment; filename="eligibility-letter-{name}-{letter.public_id.hex[:8]}.pdf"'
    )
    response["Content-Length"] = str(len(data))
    return response


@login_required
@school_page
@require_http_methods(["POST"])
def letters_family(request, school):
    """Let students and guardians read their letters, or stop them (admins and registrars)."""
    if not is_manager(request.user, school):
        raise Http404("No such page.")
    enabled = request.POST.get("enabled") == "1"
    services.letters_to_family_set(actor=request.user, school=school, enabled=enabled)
    messages.success(
        request,
        "Students and guardians "
        + ("may now read" if enabled else "no longer read")
        + " the letters produced for them.",
    )
    return redirect("transcripts:settings", slug=school.slug)
