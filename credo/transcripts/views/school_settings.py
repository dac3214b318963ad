"""The school's transcript settings and the separate grade-conversion report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from credo.accounts.access import access_student, is_manager
from credo.accounts.http import school_page
from credo.core.http import page
from credo.transcripts import forms, selectors, services
from credo.transcripts.views.common import (
    _apply,
)

# --- the school's settings and the separate grade report ------------------------------------------------


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def settings_page(request, school):
    """Whether transcripts list courses; the grade conversion table and whether its report is on."""
    if not is_manager(request.user, school):
        raise Http404("No such page.")
    table = selectors.grade_table_of(school)
    policy = selectors.policy_of(school)
    policy_form = forms.PolicyForm(initial={"include_courses": policy.include_courses})
    initial = {"name": table.name, "purpose": table.purpose} if table else {}
    if table:
        for i, band in enumerate(table.bands.all()):
            initial.update(
                {f"min_{i}": band.min_score, f"label_{i}": band.label, f"points_{i}": band.points}
            )
    grade_form = forms.GradeTableForm(initial=initial)
    contact_form = forms.ContactForm(
        initial={field: getattr(school, field) for field in services.CONTACT_FIELDS}
    )
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "policy":
                policy_form = forms.PolicyForm(request.POST)
                if policy_form.is_valid():
                    services.transcript_policy_save(
                        actor=request.user,
                        school=school,
                        include_courses=policy_form.cleaned_data["include_courses"],
                    )
                    messages.success(
                        request, "Saved. The change shows on transcripts published from now on."
                    )
                    return redirect("transcripts:settings", slug=school.slug)
            elif action == "contact":
                contact_form = forms.ContactForm(request.POST)
                if contact_form.is_valid():
                    try:
                        services.school_contact_save(
                            actor=request.user, school=school, **contact_form.cleaned_data
                        )
                    except ValidationError as exc:
                        _apply(contact_form, exc)
                    else:
                        messages.success(
                            request,
                            "Saved. Transcripts published from now on show the code and contact.",
                        )
                        return redirect("transcripts:settings", slug=school.slug)
            elif action == "grades":
                grade_form = forms.GradeTableForm(request.POST)
                if grade_form.is_valid():
                    try:
                        services.grade_table_save(
                            actor=request.user,
                            school=school,
                            name=grade_form.cleaned_data["name"],
                            purpose=grade_form.cleaned_data["purpose"],
                            bands=grade_form.bands(),
                        )
                    except ValidationError as exc:
                        _apply(grade_form, exc)
                    else:
                        messages.success(request, "Conversion table saved.")
                        return redirect("transcripts:settings", slug=school.slug)
            elif action in ("enable", "disable"):
                services.grade_conversion_set_enabled(
                    actor=request.user, school=school, enabled=action == "enable"
                )
                messages.success(
                    request,
                    "Grade conversion report turned " + ("on." if action == "enable" else "off."),
                )
                return redirect("transcripts:settings", slug=school.slug)
            else:
                raise Http404("Unknown action.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        status = 400
    return page(
        request,
        "transcripts/settings.html",
        {
            "policy_form": policy_form,
            "contact_form": contact_form,
            "grade_form": grade_form,
            "table": table,
            "letters_to_family": policy.letters_to_family,
        },
        status=status,
    )


@login_required
@school_page
def grade_report(request, school, student_id):
    """The grade-conversion report: a separate document, shown only when the school turned it on."""
    if not (is_manager(request.user, school) and school.grade_conversion_enabled):
        raise Http404("No such report.")
    student = access_student(user=request.user, student_id=student_id, school=school)
    table = selectors.grade_table_of(school)
    if table is None:
        raise Http404("No conversion table.")
    return page(
        request,
        "transcripts/grade_report.html",
        {
            "student": student,
            "table": table,
            "report": selectors.grade_report(student, table),
            "today": timezone.localdate(),
        },
    )
