"""One competency: its description, ratings, agreed rating, evidence and action items."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from credo.accounts.http import school_page
from credo.core.http import page
from credo.journey import selectors as sel
from credo.journey import services
from credo.journey.access import access_competency, access_evidence
from credo.journey.forms import ActionForm, ConsensusForm, EvidenceForm
from credo.journey.models import Status
from credo.journey.views.common import _service, _tabs, _team_assessment

# --------------------------------------------------------------------------------------------
# One competency: description, ratings, agreed rating, evidence, action items


@login_required
@school_page
def journey_competency(request, school, code):
    member, assessment = _team_assessment(request, school)
    competency = access_competency(assessment=assessment, code=code)
    return _competency_page(request, school, member, assessment, competency)


def _competency_page(
    request,
    school,
    member,
    assessment,
    competency,
    *,
    evidence_form=None,
    action_form=None,
    status=200,
):
    team = sel.team_of(school)
    ratings = sel.ratings_current(assessment)
    consensus = sel.consensus_current(assessment).get(competency.pk)
    history = sel.competency_history(assessment, competency)
    return page(
        request,
        "journey/competency.html",
        {
            **_tabs("consensus", member),
            "assessment": assessment,
            "c": competency,
            "team_ratings": [(m, ratings.get((competency.pk, m.user_id))) for m in team],
            "consensus": consensus,
            "consensus_form": ConsensusForm(
                initial={
                    "code": competency.code,
                    "status": consensus.status if consensus else Status.NOT_STARTED,
                    "note": consensus.note if consensus else "",
                }
            ),
            "history": history,
            "evidence": sel.evidence_for(assessment, competency),
            "evidence_form": evidence_form or EvidenceForm(),
            "actions": sel.actions_of(assessment, competency=competency),
            "action_form": action_form
            or ActionForm(competencies=[competency], team=team, fixed_code=competency.code),
            "essentials": [
                link.essential
                for link in competency.domain.essential_links.select_related("essential")
            ],
            "team": team,
        },
        status=status,
    )


@login_required
@school_page
@require_POST
def journey_evidence_add(request, school, code):
    member, assessment = _team_assessment(request, school)
    competency = access_competency(assessment=assessment, code=code)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        done = _service(
            request,
            form,
            lambda: services.journey_evidence_add(
                actor=request.user,
                assessment=assessment,
                competency=competency,
                title=form.cleaned_data["title"],
                url=form.cleaned_data["url"] or "",
                file=form.cleaned_data["file"],
            ),
        )
        if done is not None:
            messages.success(request, f"Evidence added to {competency.code}.")
            return redirect(f"{reverse('journey:competency', args=[school.slug, code])}#evidence")
    return _competency_page(
        request, school, member, assessment, competency, evidence_form=form, status=400
    )


@login_required
@school_page
def journey_evidence_file(request, school, evidence_id):
    evidence = access_evidence(user=request.user, school=school, evidence_id=evidence_id)
    if not evidence.file or evidence.withdrawn_at is not None:
        raise Http404("No such file.")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    return FileResponse(handle, as_attachment=True, filename=evidence.file.name.rsplit("/", 1)[-1])


@login_required
@school_page
@require_POST
def journey_evidence_withdraw(request, school, evidence_id):
    evidence = access_evidence(user=request.user, school=school, evidence_id=evidence_id)
    if _service(
        request,
        None,
        lambda: services.journey_evidence_withdraw(actor=request.user, evidence=evidence),
    ):
        messages.success(request, f"“{evidence.title}” withdrawn.")
    return redirect(
        f"{reverse('journey:competency', args=[school.slug, evidence.competency.code])}#evidence"
    )
