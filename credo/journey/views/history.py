"""The journey's history and its snapshots."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from credo.accounts.http import school_page
from credo.core.http import page
from credo.journey import selectors as sel
from credo.journey import services
from credo.journey.access import access_snapshot, access_team_member
from credo.journey.chart import chart_rows
from credo.journey.forms import SnapshotForm
from credo.journey.views.common import (
    _service,
    _tabs,
    _team_assessment,
    chart_svg,
    legend_svg,
    profile_svg,
)
from credo.transcripts.profile import profile_table

# --------------------------------------------------------------------------------------------
# History and snapshots


@login_required
@school_page
def journey_history(request, school):
    member, assessment = _team_assessment(request, school)
    form = SnapshotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        shot = _service(
            request,
            form,
            lambda: services.journey_snapshot_take(
                actor=request.user,
                assessment=assessment,
                label=form.cleaned_data["label"],
                note=form.cleaned_data["note"],
            ),
        )
        if shot is not None:
            messages.success(request, f"Snapshot “{shot.label}” taken.")
            return redirect("journey:history", slug=school.slug)
    shots = sel.snapshots_of(school)
    statuses = sel.consensus_statuses(assessment)
    comps = sel.competencies_of(assessment.framework_id)
    points = sel.progress_points(shots, sel.count_statuses(comps, statuses))
    return page(
        request,
        "journey/history.html",
        {
            **_tabs("history", member),
            "assessment": assessment,
            "form": form,
            "chart": chart_svg(points, title=f"{school.name}: progress over time"),
            "chart_rows": chart_rows(points),
            "rows": sel.history_rows(school),
            "since_last": sel.snapshot_changes(
                shots[-1].statuses if shots else None, statuses, comps
            )
            if shots and shots[-1].assessment_id == assessment.pk
            else None,
            "log": sel.consensus_log(assessment),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@school_page
def journey_snapshot(request, school, snapshot_id):
    member = access_team_member(user=request.user, school=school)
    shot = access_snapshot(user=request.user, school=school, snapshot_id=snapshot_id)
    domains = sel.framework_domains(shot.assessment.framework)
    areas = sel.profile_areas(domains, shot.statuses)
    return page(
        request,
        "journey/snapshot.html",
        {
            **_tabs("history", member),
            "shot": shot,
            "profile": profile_svg(
                areas, title=f"{school.name}: journey profile, {shot.label}", id_prefix="js"
            ),
            "legend": legend_svg("js"),
            "table": profile_table(areas),
        },
    )
