"""A teacher's pages: sections, the gradebook and its cells, whole-class entry for one task,
corrections, differentiation, habits of work and the students who are not progressing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from credo.accounts.models import MANAGER_ROLES, Role
from credo.core.errors import ValidationError
from credo.evidence.models import Evidence
from credo.frameworks.models import Competency, FrameworkKind, ScaleLevel
from credo.mastery import gradebook as gb
from credo.mastery import services
from credo.mastery.models import Assessment, MasteryState
from credo.mastery.selectors import competency_history
from credo.schools.access import access_section
from credo.schools.selectors import sections_of_school, sections_taught
from credo.web.forms.teaching import (
    AssessmentForm,
    ClassTaskForm,
    CorrectionForm,
    HabitsForm,
    RetractForm,
)
from credo.web.templatetags.credo_web import level
from credo.web.views.common import apply_errors, page, require_roles, save_form, school_page

TEACHING_ROLES = MANAGER_ROLES | {Role.TEACHER}


def _section(request, school, section_id):
    require_roles(request, TEACHING_ROLES, "see sections")
    return access_section(user=request.user, school=school, section_id=section_id)


def _enrolled(section, student_id):
    """Return the student if enrolled in the (already authorized) section; else Http404."""
    student = (
        gb.Student.objects.filter(
            pk=student_id, school_id=section.school_id, enrollments__section=section
        )
        .select_related("school")
        .first()
    )
    if student is None:
        raise Http404("No such student in this section.")
    return student


def _aligned(section, competency_id):
    """Return an academic competency the section's experience is aligned to; else Http404."""
    competency = (
        Competency.objects.filter(
            pk=competency_id,
            school_id=section.school_id,
            alignments__experience_id=section.experience_id,
        )
        .select_related("framework__scale", "scale")
        .first()
    )
    if competency is None:
        raise Http404("No such learning target in this section.")
    return competency


def _levels(competency):
    return list(ScaleLevel.objects.filter(scale=competency.effective_scale).order_by("value"))


@login_required
@school_page
def sections(request, school):
    """The sections the teacher teaches (every section, for an admin or registrar)."""
    require_roles(request, TEACHING_ROLES, "see sections")
    if request.roles & MANAGER_ROLES:
        rows, mine = sections_of_school(school), False
    else:
        rows, mine = sections_taught(user=request.user, school=school), True
    today = school.today()
    rows = list(rows)
    live = [s for s in rows if s.term.ends_on >= today]
    # This term's and coming sections first; past terms on request (or when there is nothing else).
    hide_past = request.GET.get("terms") != "all" and live and len(live) < len(rows)
    return page(
        request,
        "web/teaching/sections.html",
        {
            "sections": live if hide_past else rows,
            "mine": mine,
            "today": today,
            "earlier": hide_past,
        },
    )


@login_required
@school_page
def section_detail(request, school, section_id):
    """The gradebook: students × learning targets, each cell the level, its trend and evidence count."""
    section = _section(request, school, section_id)
    book = gb.section_gradebook(section)
    return page(request, "web/teaching/gradebook.html", {"section": section, "gradebook": book})


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def cell(request, school, section_id, student_id, competency_id):
    """One cell opened: the history and evidence, how the level was computed, and a form to record."""
    section = _section(request, school, section_id)
    student = _enrolled(section, student_id)
    competency = _aligned(section, competency_id)
    levels = _levels(competency)
    evidence = Evidence.objects.filter(school=school, student=student).order_by(
        "-demonstrated_on", "-id"
    )
    form = AssessmentForm(
        request.POST or None, levels=levels, evidence=evidence, today=school.today()
    )
    saved = None
    if request.method == "POST":
        saved = save_form(
            form,
            lambda d: services.assessment_record(
                assessor=request.user,
                student=student,
                competency=competency,
                value=d["value"],
                demonstrated_on=d["demonstrated_on"],
                kind=d["kind"],
                feedback=d["feedback"],
                evidence=d["evidence"],
                accommodated=d["accommodated"],
                modified_scale=d["modified_scale"],
            ),
        )
        if saved and not request.htmx:
            messages.success(request, f"Recorded {saved.value} for {student} on {competency.code}.")
            return redirect("web:cell", school.slug, section.pk, student.pk, competency.pk)
        if saved:
            form = AssessmentForm(levels=levels, evidence=evidence, today=school.today())
    context = {
        "section": section,
        "student": student,
        "competency": competency,
        "form": form,
        "levels": levels,
        "history": competency_history(student, competency),
        "saved": saved,
    }
    if request.htmx:
        context["cell"] = gb.gradebook_cell(student, competency) if saved else None
        return page(request, "web/teaching/_cell.html", context)
    return page(request, "web/teaching/cell.html", context)


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def correct(request, school, section_id, assessment_id):
    """Correct or retract one assessment. The original stays in the history."""
    section = _section(request, school, section_id)
    assessment = (
        Assessment.objects.filter(pk=assessment_id, school=school)
        .select_related("student", "competency")
        .first()
    )
    if assessment is None:
        raise Http404("No such assessment.")
    student = _enrolled(section, assessment.student_id)
    competency = _aligned(section, assessment.competency_id)
    levels = _levels(competency)
    initial = {
        "value": level(assessment.value),
        "demonstrated_on": assessment.demonstrated_on,
        "kind": assessment.kind,
        "feedback": assessment.feedback,
    }
    action = request.POST.get("action")
    form = CorrectionForm(
        request.POST if action == "correct" else None, levels=levels, initial=initial
    )
    retract = RetractForm(request.POST if action == "retract" else None)
    back = reverse("web:cell", args=[school.slug, section.pk, student.pk, competency.pk])
    if action == "correct" and save_form(
        form,
        lambda d: services.assessment_correct(
            actor=request.user,
            assessment=assessment,
            value=d["value"],
            demonstrated_on=d["demonstrated_on"],
            kind=d["kind"],
            feedback=d["feedback"],
        ),
    ):
        messages.success(request, "Corrected. The earlier assessment stays in the history.")
        return redirect(back)
    if action == "retract" and save_form(
        retract,
        lambda d: services.assessment_retract(
            actor=request.user, assessment=assessment, reason=d["reason"]
        ),
    ):
        messages.success(request, "Retracted. It no longer counts and stays in the history.")
        return redirect(back)
    return page(
        request,
        "web/teaching/correct.html",
        {
            "section": section,
            "student": student,
            "competency": competency,
            "assessment": assessment,
            "form": form,
            "retract": retract,
            "back": back,
        },
    )


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def class_task(request, school, section_id):
    """Record one task for the whole class at once: a level (and feedback) per student, all or none."""
    section = _section(request, school, section_id)
    competencies = gb.section_competencies(section)
    students = gb.section_students(section)
    queryset = Competency.objects.filter(pk__in=[c.pk for c in competencies]).select_related(
        "framework__scale", "scale"
    )
    data = request.POST if request.method == "POST" else None
    initial = {}
    if request.GET.get("competency"):
        initial["competency"] = request.GET["competency"]
    form = ClassTaskForm(data, competencies=queryset, initial=initial, today=school.today())
    chosen = next(
        (c for c in competencies if str(c.pk) == str((data or request.GET).get("competency"))), None
    )
    levels = _levels(chosen) if chosen else []
    rows = [
        {
            "student": s,
            "value": (data or {}).get(f"value-{s.pk}", ""),
            "feedback": (data or {}).get(f"feedback-{s.pk}", ""),
            "errors": [],
        }
        for s in students
    ]
    if data is not None and form.is_valid():
        entries = [(r["student"], r["value"], r["feedback"].strip()) for r in rows]
        if not any(v for _, v, _ in entries):
            form.add_error(None, "Enter a level for at least one student.")
        else:
            try:
                done = services.assessments_record_for_class(
                    assessor=request.user,
                    competency=form.cleaned_data["competency"],
                    demonstrated_on=form.cleaned_data["demonstrated_on"],
                    entries=entries,
                    kind=form.cleaned_data["kind"],
                    task=form.cleaned_data["task"],
                )
            except ValidationError as exc:
                by_row = {f"student-{r['student'].pk}": r for r in rows}
                for key, errs in getattr(exc, "error_dict", {}).items():
                    if key in by_row:
                        by_row[key]["errors"] = [m for e in errs for m in e.messages]
                    else:
                        apply_errors(form, ValidationError({key: errs}))
                if not hasattr(exc, "error_dict"):
                    apply_errors(form, exc)
                if any(r["errors"] for r in rows):
                    form.add_error(
                        None, "Some levels could not be recorded; see the rows marked below."
                    )
            else:
                messages.success(
                    request,
                    f"Recorded {len(done)} assessment(s) for “{form.cleaned_data['task']}”.",
                )
                return redirect("web:section", school.slug, section.pk)
    template = (
        "web/teaching/_class_rows.html"
        if request.htmx and data is None
        else "web/teaching/class_task.html"
    )
    return page(
        request,
        template,
        {"section": section, "form": form, "rows": rows, "levels": levels, "chosen": chosen},
    )


@login_required
@school_page
def differentiate(request, school, section_id):
    """For one target, the class sorted into the scale's levels with what each group needs next."""
    section = _section(request, school, section_id)
    competencies = gb.section_competencies(section)
    chosen = next(
        (c for c in competencies if str(c.pk) == request.GET.get("competency")),
        competencies[0] if competencies else None,
    )
    groups = gb.differentiation(section, chosen) if chosen else []
    context = {"section": section, "competencies": competencies, "chosen": chosen, "groups": groups}
    if request.htmx:
        return page(request, "web/teaching/_groups.html", context)
    return page(request, "web/teaching/differentiate.html", context)


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def habits(request, school, section_id):
    """Quick entry of habits-of-work ratings for the class, kept apart from academic levels."""
    section = _section(request, school, section_id)
    students = gb.section_students(section)
    habit_list = list(
        Competency.objects.filter(school=school, framework__kind=FrameworkKind.HABITS)
        .exclude(kind="domain")
        .select_related("framework__scale", "scale")
        .order_by("framework_id", "sequence", "code")
    )
    current = {
        (s.student_id, s.competency_id): s
        for s in MasteryState.objects.filter(
            student_id__in=[s.pk for s in students], competency_id__in=[h.pk for h in habit_list]
        )
    }
    scale_ids = {h.effective_scale.pk for h in habit_list}
    levels_by_scale: dict[int, list] = {}
    for lv in ScaleLevel.objects.filter(scale_id__in=scale_ids).order_by("value"):
        levels_by_scale.setdefault(lv.scale_id, []).append(lv)
    data = request.POST if request.method == "POST" else None
    form = HabitsForm(data, today=school.today())
    errors: dict[str, list[str]] = {}
    if data is not None and form.is_valid():
        entries = [(s, h, data.get(f"h-{s.pk}-{h.pk}", "")) for s in students for h in habit_list]
        if not any(v for _, _, v in entries):
            form.add_error(None, "Choose a level for at least one student and habit.")
        else:
            try:
                done = services.habits_record(
                    assessor=request.user,
                    demonstrated_on=form.cleaned_data["demonstrated_on"],
                    entries=entries,
                    task=form.cleaned_data["period"],
                )
            except ValidationError as exc:
                for key, errs in getattr(exc, "error_dict", {}).items():
                    errors[key] = [m for e in errs for m in e.messages]
                if not hasattr(exc, "error_dict"):
                    apply_errors(form, exc)
                else:
                    form.add_error(
                        None, "Some ratings could not be recorded; see the cells marked below."
                    )
            else:
                messages.success(request, f"Recorded {len(done)} habits-of-work rating(s).")
                return redirect("web:habits", school.slug, section.pk)
    rows = []
    for s in students:
        cells = []
        for h in habit_list:
            key = f"h-{s.pk}-{h.pk}"
            cells.append(
                {
                    "habit": h,
                    "name": key,
                    "value": (data or {}).get(key, ""),
                    "state": current.get((s.pk, h.pk)),
                    "errors": errors.get(f"habit-{s.pk}-{h.pk}", []),
                    "levels": levels_by_scale.get(h.effective_scale.pk, []),
                }
            )
        rows.append((s, cells))
    return page(
        request,
        "web/teaching/habits.html",
        {"section": section, "form": form, "habits": habit_list, "rows": rows},
    )


@login_required
@school_page
def support(request, school, section_id):
    """Students with no gain on a target over the school's period, and students behind pace."""
    section = _section(request, school, section_id)
    stalls, behind = gb.not_progressing(section)
    by_student: dict[int, list] = {}
    for stall in stalls:
        by_student.setdefault(stall.student.pk, []).append(stall)
    # One row per student, the most stalled first: a list to act on, not a log.
    stalled = sorted(
        ((group[0].student, group) for group in by_student.values()),
        key=lambda row: (-len(row[1]), row[0].family_name, row[0].given_name, row[0].pk),
    )
    return page(
        request,
        "web/teaching/support.html",
        {
            "section": section,
            "stalls": stalls,
            "stalled": stalled,
            "behind": behind,
            "days": school.not_progressing_days,
        },
    )
