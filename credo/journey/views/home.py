"""The journey's home page and starting a journey."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from credo.accounts.http import school_page
from credo.core.http import page
from credo.journey import selectors as sel
from credo.journey import services
from credo.journey.access import (
    is_staff_of,
    may_manage_team,
    may_start_journey,
    open_assessment,
    team_member_of,
)
from credo.journey.views.common import (
    _competency_href,
    _service,
    _tabs,
    chart_svg,
    legend_svg,
    profile_svg,
)
from credo.transcripts.profile import profile_table

# --------------------------------------------------------------------------------------------
# Home, start, profile


@login_required
@school_page
def journey_home(request, school):
    """The school's journey profile and where it stands, for the leadership team."""
    member = team_member_of(request.user, school)
    if member is None:
        if not is_staff_of(request.user, school):
            raise Http404("Only the school's leadership team sees its journey.")
        context = {
            "team": sel.team_of(school),
            "may_manage": may_manage_team(request.user, school),
            "may_start": may_start_journey(request.user, school),
            "assessment": open_assessment(school),
        }
        if context["may_start"] and context["assessment"] is None:
            context["frameworks"] = services.frameworks_available_to(school)
        return page(request, "journey/outside.html", context, status=403)
    assessment = open_assessment(school)
    if assessment is None:
        return page(
            request,
            "journey/not_started.html",
            {
                "member": member,
                "may_start": may_start_journey(request.user, school),
                "frameworks": services.frameworks_available_to(school),
            },
        )
    domains = sel.framework_domains(assessment.framework)
    statuses = sel.consensus_statuses(
        assessment, [c for d in domains for c in d.competencies.all()]
    )
    areas = sel.profile_areas(
        domains,
        statuses,
        href=_competency_href(school),
        detail=lambda code: sel.STATUS_LABELS[statuses[code]],
    )
    counts = sel.profile_counts(statuses, domains)
    team = sel.team_of(school)
    board = sel.consensus_board(assessment, team)
    shots = sel.snapshots_of(school)
    context = {
        **_tabs("home", member),
        "assessment": assessment,
        "domain_rows": [
            {
                "d": d,
                "items": [
                    (c, statuses[c.code], sel.STATUS_LABELS[statuses[c.code]])
                    for c in d.competencies.all()
                ],
            }
            for d in domains
        ],
        "profile": profile_svg(areas, title=f"{school.name}: journey profile"),
        "legend": legend_svg(),
        "table": profile_table(areas),
        "counts": counts,
        "board_summary": sel.board_summary(board),
        "readiness": sel.readiness(school, assessment),
        "my_actions": [
            a for a in sel.actions_of(assessment, open_only=True) if a.owner_id == request.user.pk
        ],
        "last_snapshot": shots[-1] if shots else None,
        "chart": chart_svg(sel.progress_points(shots, counts), title="Progress over time"),
        "team": team,
    }
    return page(request, "journey/home.html", context)


@login_required
@school_page
@require_POST
def journey_start(request, school):
    frameworks = {str(f.pk): f for f in services.frameworks_available_to(school)}
    framework = frameworks.get(request.POST.get("framework", ""))
    result = _service(
        request,
        None,
        lambda: services.journey_start(
            actor=request.user,
            school=school,
            framework=framework,
            position=request.POST.get("position", ""),
        ),
    )
    if result is not None:
        messages.success(
            request, "The journey self-assessment is open. Add the rest of the leadership team."
        )
        return redirect("journey:team", slug=school.slug)
    return redirect("journey:home", slug=school.slug)
