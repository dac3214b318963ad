"""The school's transcripts page and its publication runs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from credo.accounts.access import is_manager, students_visible_to
from credo.accounts.http import school_page
from credo.accounts.models import Role, Student
from credo.core.http import page
from credo.transcripts import forms, selectors, services
from credo.transcripts.access import (
    access_publication_run,
)
from credo.transcripts.views.common import (
    _apply,
)

# --- the school's transcripts page ----------------------------------------------------------------


@login_required
@school_page
def home(request, school):
    """Registrars publish cohorts here; students go to their own transcript; staff see their students."""
    manager = is_manager(request.user, school)
    if not manager:
        if Role.STUDENT in request.roles:
            me = Student.objects.filter(school=school, user=request.user).first()
            if me is not None:
                return redirect("transcripts:student", slug=school.slug, student_id=me.pk)
        visible = set(students_visible_to(request.user, school).values_list("pk", flat=True))
        rows = [r for r in selectors.cohort_rows(school) if r["student"].pk in visible]
        return page(request, "transcripts/home_staff.html", {"rows": rows})

    cohorts = selectors.cohorts_of(school)
    years = [c["year"] for c in cohorts]
    form = forms.CohortPublishForm(
        request.POST or None,
        cohorts=years,
        initial={"cohort": years[0] if years else None, "render_pdf": True},
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.publication_run_start(
                actor=request.user,
                school=school,
                cohort=form.cleaned_data["cohort"],
                note=form.cleaned_data["note"],
                render_pdf=form.cleaned_data["render_pdf"],
            )
        except ValidationError as exc:
            _apply(form, exc)
        else:
            messages.success(
                request, f"Publishing the transcripts of the class of {run.cohort} has started."
            )
            return redirect("transcripts:run", slug=school.slug, run_id=run.pk)
    chosen = request.GET.get("cohort")
    cohort = int(chosen) if chosen and chosen.isdigit() else (years[0] if years else None)
    rows = selectors.cohort_rows(school, cohort=cohort) if cohort is not None else []
    return page(
        request,
        "transcripts/home_registrar.html",
        {
            "cohorts": cohorts,
            "cohort": cohort,
            "rows": rows,
            "form": form,
            "runs": selectors.runs_of(school),
            "grade_conversion": school.grade_conversion_enabled,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@school_page
def run_detail(request, school, run_id):
    """A publication run's progress; htmx polls the progress block until the run finishes."""
    run = access_publication_run(user=request.user, school=school, run_id=run_id)
    template = (
        "transcripts/_run.html" if request.headers.get("HX-Request") else "transcripts/run.html"
    )
    return page(request, template, {"run": run, "lost": selectors.publication_run_lost(run)})


@login_required
@school_page
@require_http_methods(["POST"])
def run_retry(request, school, run_id):
    """Queue a run that stopped before the end (its worker died) to go on from where it stopped."""
    run = access_publication_run(user=request.user, school=school, run_id=run_id)
    try:
        run = services.publication_run_retry(actor=request.user, run=run)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Publishing goes on after {run.position} of {run.total} transcripts."
        )
    return redirect("transcripts:run", slug=school.slug, run_id=run.pk)
