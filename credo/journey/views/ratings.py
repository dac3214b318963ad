"""A member's own ratings, and the team view (ratings side by side, disagreements, the agreed rating)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse

from credo.accounts.http import school_page
from credo.core.http import page
from credo.journey import selectors as sel
from credo.journey import services
from credo.journey.access import access_competency
from credo.journey.forms import ConsensusForm
from credo.journey.models import Status
from credo.journey.views.common import _service, _tabs, _team_assessment

# --------------------------------------------------------------------------------------------
# My ratings


@login_required
@school_page
def journey_rate(request, school):
    """A team member's own ratings, given without seeing the others'."""
    member, assessment = _team_assessment(request, school)
    domains = sel.framework_domains(assessment.framework)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        entries = {}
        for d in domains:
            for c in d.competencies.all():
                value = request.POST.get(f"status_{c.code}")
                if value is not None:
                    entries[c.code] = (value, request.POST.get(f"note_{c.code}", ""))
        try:
            written = services.journey_ratings_record(
                rater=request.user, assessment=assessment, entries=entries
            )
        except ValidationError as error:
            errors = error.message_dict
            status = 400
        else:
            messages.success(
                request,
                f"Saved {len(written)} rating{'s' if len(written) != 1 else ''}."
                if written
                else "Nothing had changed.",
            )
            return redirect("journey:rate", slug=school.slug)
    mine = sel.my_ratings(assessment, request.user)
    rows = []
    for d in domains:
        items = []
        for c in d.competencies.all():
            r = mine.get(c.pk)
            posted = request.POST.get(f"status_{c.code}") if request.method == "POST" else None
            items.append(
                {
                    "c": c,
                    "status": posted or (r.status if r else ""),
                    "note": request.POST.get(f"note_{c.code}", "")
                    if request.method == "POST"
                    else (r.note if r else ""),
                    "rated_at": r.rated_at if r else None,
                    "errors": errors.get(c.code, []),
                }
            )
        rows.append({"domain": d, "items": items})
    return page(
        request,
        "journey/rate.html",
        {
            **_tabs("rate", member),
            "assessment": assessment,
            "rows": rows,
            "statuses": Status.choices,
            "rated": len(mine),
            "total": sum(len(r["items"]) for r in rows),
            "has_errors": bool(errors),
        },
        status=status,
    )


# --------------------------------------------------------------------------------------------
# The team view: ratings side by side, disagreements, the agreed rating


@login_required
@school_page
def journey_consensus(request, school):
    member, assessment = _team_assessment(request, school)
    failed_code, failed_form = None, None
    if request.method == "POST":
        form = ConsensusForm(request.POST)
        competency = None
        if form.is_valid():
            competency = access_competency(assessment=assessment, code=form.cleaned_data["code"])
            done = _service(
                request,
                form,
                lambda: services.journey_consensus_record(
                    actor=request.user,
                    assessment=assessment,
                    competency=competency,
                    status=form.cleaned_data["status"],
                    note=form.cleaned_data["note"],
                ),
            )
            if done is not None:
                messages.success(
                    request, f"Agreed rating for {competency.code}: {done.get_status_display()}."
                )
                if request.POST.get("back") == "competency":
                    return redirect("journey:competency", slug=school.slug, code=competency.code)
                return redirect(
                    f"{reverse('journey:consensus', args=[school.slug])}#row-{competency.code}"
                )
        failed_code, failed_form = request.POST.get("code"), form
    team = sel.team_of(school)
    board = sel.consensus_board(assessment, team)
    only = request.GET.get("show") == "disagreements"
    if only:
        for d in board:
            d.rows = [r for r in d.rows if r.disagreement]
    return page(
        request,
        "journey/consensus.html",
        {
            **_tabs("consensus", member),
            "assessment": assessment,
            "team": team,
            "board": board,
            "summary": sel.board_summary(sel.consensus_board(assessment, team))
            if only
            else sel.board_summary(board),
            "only": only,
            "statuses": Status.choices,
            "failed_code": failed_code,
            "failed_form": failed_form,
        },
        status=400 if failed_form is not None else 200,
    )
