"""Worklists: the work waiting for a teacher's assessment (assessed in place), the stories and
highlighted evidence waiting for approval, and the credit reviews waiting for a panel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from credo.accounts.http import school_page
from credo.accounts.models import STAFF_ROLES, Role
from credo.core.http import page, require_roles, save_form
from credo.evidence.models import Evidence
from credo.frameworks.models import ScaleLevel
from credo.mastery import services, worklists
from credo.mastery.access import can_form_panel
from credo.web.forms.teaching import QuickAssessmentForm
from credo.web.views.teaching import _aligned, _enrolled, _levels, _section


def _levels_by_scale(items) -> dict[int, list]:
    scale_ids = {c.effective_scale.pk for item in items for c in item.targets}
    levels: dict[int, list] = {}
    for lv in ScaleLevel.objects.filter(scale_id__in=scale_ids).order_by("value"):
        levels.setdefault(lv.scale_id, []).append(lv)
    return levels


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def to_assess(request, school):
    """New evidence and revisions tagged to the targets of the teacher's sections, with the feedback
    that prompted each revision beside it; each target assessed in place."""
    require_roles(request, {Role.TEACHER}, "see work waiting for assessment")
    if request.method == "POST":
        return _assess_one(request, school)
    items = worklists.to_assess(request.user, school)
    levels = _levels_by_scale(items)
    for item in items:
        item.rows = [(c, levels.get(c.effective_scale.pk, [])) for c in item.targets]
    return page(
        request,
        "web/worklists/to_assess.html",
        {"items": items, "limit": worklists.TO_ASSESS_LIMIT},
    )


def _assess_one(request, school):
    """Record one assessment of one piece of evidence on one target, then back to the list."""
    section = _section(request, school, request.POST.get("section"))
    evidence = Evidence.objects.filter(
        pk=request.POST.get("evidence") or None, school=school
    ).first()
    if evidence is None:
        raise Http404("No such evidence.")
    student = _enrolled(section, evidence.student_id)
    competency = _aligned(section, request.POST.get("competency"))
    form = QuickAssessmentForm(request.POST, levels=_levels(competency))
    saved = save_form(
        form,
        lambda d: services.assessment_record(
            assessor=request.user,
            student=student,
            competency=competency,
            value=d["value"],
            demonstrated_on=evidence.demonstrated_on,
            kind=d["kind"],
            feedback=d["feedback"],
            evidence=evidence,
        ),
    )
    back = reverse("web:to_assess", args=[school.slug])
    if saved:
        messages.success(
            request,
            _("Recorded %(value)s for %(student)s on %(code)s.")
            % {
                "value": f"{saved.value.normalize():f}",
                "student": student,
                "code": competency.code,
            },
        )
        return redirect(back)
    problems = "; ".join(str(e) for errors in form.errors.values() for e in errors) or _(
        "That assessment could not be recorded."
    )
    messages.error(request, f"{student}, {competency.code}: {problems}")
    return redirect(f"{back}#ev-{evidence.pk}")


@login_required
@school_page
def approvals(request, school):
    """Stories and highlighted evidence waiting for this educator's approval."""
    require_roles(request, STAFF_ROLES, "see approvals")
    return page(
        request,
        "web/worklists/approvals.html",
        {"approvals": worklists.approvals(request.user, school)},
    )


@login_required
@school_page
def panels(request, school):
    """The review coordinator's queue: open credit reviews with no panel yet."""
    if not can_form_panel(request.user, school):
        raise PermissionDenied("Your role in this school does not let you form review panels.")
    return page(
        request,
        "web/worklists/panels.html",
        {"reviews": worklists.reviews_awaiting_panel(request.user, school)},
    )
