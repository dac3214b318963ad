"""A teacher's pages: sections, the gradebook and its cells, whole-class entry for one task,
corrections, differentiation, habits of work and the students who are not progressing."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from credo.accounts.http import school_page
from credo.accounts.models import MANAGER_ROLES, Role
from credo.core.errors import ValidationError
from credo.core.http import apply_errors, page, require_roles, save_form
from credo.evidence.models import Evidence
from credo.frameworks.models import Competency, FrameworkKind, ScaleLevel
from credo.mastery import gradebook as gb
from credo.mastery import services
from credo.mastery.access import access_assessment
from credo.mastery.models import MasteryState
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
from credo.web.views.asof import as_of_request

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
    day, past = as_of_request(request, school)  # a past day: read-only, replayed from history
    book = gb.section_gradebook(section, as_of=day)
    return page(
        request, "web/teaching/gradebook.html", {**past, "section": section, "gradebook": book}
    )


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
    initial = {}
    if request.GET.get("evidence", "").isdigit():  # from "to assess": that piece of work chosen
        chosen = evidence.filter(pk=request.GET["evidence"]).first()
        if chosen is not None:
            initial = {"evidence": chosen.pk, "demonstrated_on": chosen.demonstrated_on}
    form = AssessmentForm(
        request.POST or None,
        levels=levels,
        evidence=evidence,
        today=school.today(),
        initial=initial,
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
    context["cell"] = gb.gradebook_cell(student, competency)
    if request.htmx:
        return page(request, "web/teaching/_cell.html", context)
    return page(request, "web/teaching/cell.html", context)


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def correct(request, school, section_id, assessment_id):
    """Correct or retract one assessment. The original stays in the history."""
    section = _section(request, school, section_id)
    assessment = access_assessment(user=request.user, school=school, assessment_id=assessment_id)
    student = _enrolled(section, assessment.student_id)
    competency = _aligned(section, assessment.competency_id)
    levels = _levels(competency)
    initial = {
        "value": level(assessment.value),
        "demonstrated_on": assessment.demonstrated_on,
        "kind": assessment.kind,
        "feedback": assessment.feedback,
        "accommodated": assessment.accommodated,
        "modified_scale": assessment.modified_scale,
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
            accommodated=d["accommodated"],
            modified_scale=d["modified_scale"],
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


def parse_pasted_column(text: str, students, levels) -> tuple[dict[int, str], list[str]]:
    """Read a column pasted from a spreadsheet into {student id: level} and a list of problems.

    Either one level per line, in the order of the class list (a blank line skips a student), or
    lines of "name<TAB>level" (or "name,level"), the name as "Given Family", "Family, Given" or
    the student number. Problems name the line and what is wrong; nothing is guessed.
    """
    from credo.web.templatetags.credo_web import level as shown

    allowed = {shown(lv.value) for lv in levels}
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    found: dict[int, str] = {}
    problems: list[str] = []

    def as_level(raw: str, where: str) -> str | None:
        value = raw.strip()
        try:
            value = shown(Decimal(value))
        except (InvalidOperation, ValueError):
            problems.append(f"{where}: “{raw.strip()}” is not a number.")
            return None
        if allowed and value not in allowed:
            problems.append(
                f"{where}: {value} is not a level of this target ({', '.join(sorted(allowed))})."
            )
            return None
        return value

    named = any(re.search(r"[^\W\d_]", line) for line in lines)  # any letter: names given
    if not named:
        if len(lines) > len(students):
            problems.append(
                f"{len(lines)} lines were pasted for {len(students)} students; paste one level "
                "per student, in the order of the list."
            )
            return {}, problems
        for i, (line, student) in enumerate(zip(lines, students, strict=False), start=1):
            if line.strip():
                value = as_level(line, f"Line {i} ({student})")
                if value is not None:
                    found[student.pk] = value
        return found, problems
    names: dict[str, list] = {}
    for st in students:
        for key in (
            f"{st.given_name} {st.family_name}",
            f"{st.family_name}, {st.given_name}",
            f"{st.family_name} {st.given_name}",
            str(st),
            st.student_number,
        ):
            same = names.setdefault(" ".join(key.lower().split()), []) if key else [st]
            if st not in same:
                same.append(st)
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        sep = next((c for c in "\t;," if c in line), None)
        cells = [c.strip() for c in (line.split(sep) if sep else line.rsplit(None, 1))]
        cells = [c for c in cells if c]
        if len(cells) < 2:
            problems.append(f"Line {i}: give a name and a level (“{line.strip()}”).")
            continue
        value_raw, name_cells = cells[-1], cells[:-1]
        name = " ".join(" ".join(name_cells).lower().split())
        if sep == "," and len(name_cells) == 2:  # "Family, Given, 3"
            name = " ".join(f"{name_cells[0]}, {name_cells[1]}".lower().split())
        match = names.get(name, [])
        if len(match) != 1:
            problems.append(
                f"Line {i}: no student of this section is called “{' '.join(name_cells)}”."
                if not match
                else f"Line {i}: “{' '.join(name_cells)}” names more than one student."
            )
            continue
        value = as_level(value_raw, f"Line {i} ({match[0]})")
        if value is not None:
            found[match[0].pk] = value
    return found, problems


def _class_evidence(section, competency, students) -> dict[int, list]:
    """Return each student's evidence tagged to `competency` (newest first), for the class form."""
    by_student: dict[int, list] = {}
    if competency is None:
        return by_student
    for ev in Evidence.objects.filter(
        student_id__in=[s.pk for s in students],
        school_id=section.school_id,
        competency_tags__competency=competency,
    ).order_by("-demonstrated_on", "-id"):
        by_student.setdefault(ev.student_id, []).append(ev)
    return by_student


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def class_task(request, school, section_id):
    """Record one task for the whole class at once: a level, feedback, flags and the piece of
    evidence per student, all or none. "Set every blank level" and a column pasted from a
    spreadsheet fill the levels for a preview; nothing is saved until "Record for the class"."""
    section = _section(request, school, section_id)
    competencies = gb.section_competencies(section)
    students = gb.section_students(section)
    queryset = Competency.objects.filter(pk__in=[c.pk for c in competencies]).select_related(
        "framework__scale", "scale"
    )
    data = request.POST if request.method == "POST" else None
    action = (data or {}).get("action", "record")
    preview = action in ("set_all", "paste")
    initial = {}
    source = data if preview else request.GET
    for key in ("competency", "task", "demonstrated_on", "kind"):
        if source and source.get(key):
            initial[key] = source[key]
    form = ClassTaskForm(
        None if preview else data, competencies=queryset, initial=initial, today=school.today()
    )
    chosen = next(
        (c for c in competencies if str(c.pk) == str((data or request.GET).get("competency"))), None
    )
    levels = _levels(chosen) if chosen else []
    evidence = _class_evidence(section, chosen, students)
    rows = [
        {
            "student": s,
            "value": (data or {}).get(f"value-{s.pk}", ""),
            "feedback": (data or {}).get(f"feedback-{s.pk}", ""),
            "accommodated": bool((data or {}).get(f"acc-{s.pk}")),
            "modified_scale": bool((data or {}).get(f"mod-{s.pk}")),
            "evidence_id": (data or {}).get(f"ev-{s.pk}", ""),
            "evidence": evidence.get(s.pk, []),
            "errors": [],
            "filled": False,
        }
        for s in students
    ]
    paste_problems: list[str] = []
    if action == "set_all":
        value = data.get("set_all", "")
        if value:
            for r in rows:
                if not r["value"]:
                    r["value"], r["filled"] = value, True
            messages.info(
                request,
                f"{sum(r['filled'] for r in rows)} blank level(s) set to {value}: check them, "
                "change any exception, then record.",
            )
    elif action == "paste":
        found, paste_problems = parse_pasted_column(data.get("paste", ""), students, levels)
        for r in rows:
            if r["student"].pk in found:
                r["value"], r["filled"] = found[r["student"].pk], True
        if found:
            messages.info(
                request,
                f"{len(found)} level(s) read from the paste: check them, then record.",
            )
    if data is not None and not preview and form.is_valid():
        entries = []
        for r in rows:
            chosen_ev = next(
                (e for e in r["evidence"] if str(e.pk) == r["evidence_id"]),
                None,
            )
            if r["evidence_id"] and chosen_ev is None:
                r["errors"].append("Choose one of this student's own pieces of evidence.")
            entries.append(
                (
                    r["student"],
                    r["value"],
                    r["feedback"].strip(),
                    {
                        "accommodated": r["accommodated"],
                        "modified_scale": r["modified_scale"],
                        "evidence": chosen_ev,
                    },
                )
            )
        if any(r["errors"] for r in rows):
            form.add_error(None, "Some rows could not be recorded; see the rows marked below.")
        elif not any(e[1] for e in entries):
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
        {
            "section": section,
            "form": form,
            "rows": rows,
            "levels": levels,
            "chosen": chosen,
            "paste_problems": paste_problems,
            "paste": (data or {}).get("paste", "") if paste_problems else "",
        },
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
    action = (data or {}).get("action", "save")
    fill = action in ("meets", "fill")
    values = {k: v for k, v in (data or {}).items() if k.startswith("h-")}
    filled = 0
    if fill:
        # "Everyone meets" then the exceptions: fill the blanks, save nothing, let the teacher edit.
        from credo.web.templatetags.credo_web import level as shown

        for h in habit_list:
            if action == "meets":
                value = shown(h.effective_scale.mastery_threshold)
            else:
                value = data.get(f"all-{h.pk}", "")
            for s in students:
                key = f"h-{s.pk}-{h.pk}"
                if value and not values.get(key):
                    values[key] = value
                    filled += 1
        messages.info(
            request,
            f"{filled} blank rating(s) filled: change the exceptions, then save the check-in.",
        )
    form = HabitsForm(
        None if fill else data,
        today=school.today(),
        initial={k: data[k] for k in ("demonstrated_on", "period") if fill and data.get(k)},
    )
    errors: dict[str, list[str]] = {}
    if data is not None and not fill and form.is_valid():
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
                    "value": values.get(key, ""),
                    "state": current.get((s.pk, h.pk)),
                    "errors": errors.get(f"habit-{s.pk}-{h.pk}", []),
                    "levels": levels_by_scale.get(h.effective_scale.pk, []),
                }
            )
        rows.append((s, cells))
    return page(
        request,
        "web/teaching/habits.html",
        {
            "section": section,
            "form": form,
            "habits": [
                (h, levels_by_scale.get(h.effective_scale.pk, []), (data or {}).get(f"all-{h.pk}"))
                for h in habit_list
            ],
            "rows": rows,
        },
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
