"""Readiness for the Mastery Transcript, the framework version, the team; the printable report."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from credo.accounts.http import school_page
from credo.accounts.models import STAFF_ROLES, Membership
from credo.core.http import page
from credo.journey import selectors as sel
from credo.journey import services
from credo.journey.access import may_manage_team, open_assessment, team_member_by_id, team_member_of
from credo.journey.forms import TeamAddForm, TeamMemberForm, VersionMoveForm
from credo.journey.views.common import _service, _tabs, _team_assessment

User = get_user_model()

# --------------------------------------------------------------------------------------------
# Ready for the Mastery Transcript, the framework version, the team


@login_required
@school_page
def journey_ready(request, school):
    member, assessment = _team_assessment(request, school)
    return page(
        request,
        "journey/ready.html",
        {
            **_tabs("ready", member),
            "assessment": assessment,
            "readiness": sel.readiness(school, assessment),
        },
    )


@login_required
@school_page
def journey_framework(request, school):
    member, assessment = _team_assessment(request, school)
    available = [
        f for f in services.frameworks_available_to(school) if f.pk != assessment.framework_id
    ]
    form = VersionMoveForm(request.POST or None, frameworks=available)
    if request.method == "POST" and form.is_valid():
        framework = next(f for f in available if str(f.pk) == form.cleaned_data["framework"])
        moved = _service(
            request,
            form,
            lambda: services.journey_version_move(
                actor=request.user, school=school, framework=framework
            ),
        )
        if moved is not None:
            messages.success(
                request, f"The school now rates itself against version {framework.version}."
            )
            return redirect("journey:framework", slug=school.slug)
    return page(
        request,
        "journey/framework.html",
        {
            **_tabs("framework", member),
            "assessment": assessment,
            "framework": assessment.framework,
            "domains": sel.framework_domains(assessment.framework),
            "essentials": sel.framework_essentials(assessment.framework),
            "available": available,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@school_page
def journey_team(request, school):
    member = team_member_of(request.user, school)
    manage = may_manage_team(request.user, school)
    if member is None and not manage:
        raise Http404("Only the school's leadership team sees its journey.")
    team = sel.team_of(school)
    on_team = {m.user_id for m in team}
    candidates = list(
        User.objects.filter(
            pk__in=Membership.objects.filter(school=school, role__in=STAFF_ROLES).values("user_id")
        )
        .exclude(pk__in=on_team)
        .order_by("last_name", "first_name", "username")
    )
    form = TeamAddForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        user = next(u for u in candidates if str(u.pk) == form.cleaned_data["user"])
        added = _service(
            request,
            form,
            lambda: services.team_member_add(
                actor=request.user,
                school=school,
                user=user,
                role=form.cleaned_data["role"],
                position=form.cleaned_data["position"],
            ),
        )
        if added is not None:
            messages.success(request, f"{user} joined the leadership team.")
            return redirect("journey:team", slug=school.slug)
    return page(
        request,
        "journey/team.html",
        {
            **_tabs("team", member),
            "team": team,
            "form": form,
            "manage": manage,
            "assessment": open_assessment(school),
            "member_forms": [
                (
                    m,
                    TeamMemberForm(
                        initial={"role": m.role, "position": m.position}, prefix=f"m{m.pk}"
                    ),
                )
                for m in team
            ]
            if manage
            else [],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@school_page
@require_POST
def journey_team_member(request, school, member_id):
    if not may_manage_team(request.user, school):
        raise Http404("No such team member.")
    target = team_member_by_id(school=school, member_id=member_id)
    if request.POST.get("remove"):
        if _service(
            request, None, lambda: services.team_member_remove(actor=request.user, member=target)
        ):
            messages.success(request, f"{target.user} left the leadership team.")
        return redirect("journey:team", slug=school.slug)
    form = TeamMemberForm(request.POST, prefix=f"m{target.pk}")
    if form.is_valid():
        done = _service(
            request,
            None,
            lambda: services.team_member_update(
                actor=request.user,
                member=target,
                role=form.cleaned_data["role"],
                position=form.cleaned_data["position"],
            ),
        )
        if done is not None:
            messages.success(request, f"{target.user}: {done.get_role_display()}.")
    return redirect("journey:team", slug=school.slug)


# --------------------------------------------------------------------------------------------
# The printable report


@login_required
@school_page
def journey_report(request, school):
    member, assessment = _team_assessment(request, school)
    from credo.journey.pdf import journey_report_pdf

    pdf = journey_report_pdf(school=school, assessment=assessment)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{school.slug}-journey.pdf"'
    return response
