"""The journey's action items."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from credo.accounts.http import school_page
from credo.core.http import page
from credo.journey import selectors as sel
from credo.journey import services
from credo.journey.access import access_action, access_competency
from credo.journey.forms import ActionForm, ActionUpdateForm
from credo.journey.views.common import _service, _tabs, _team_assessment
from credo.journey.views.competency import _competency_page

# --------------------------------------------------------------------------------------------
# Action items


@login_required
@school_page
def journey_actions(request, school):
    member, assessment = _team_assessment(request, school)
    team = sel.team_of(school)
    competencies = sel.competencies_of(assessment.framework_id)
    form = ActionForm(request.POST or None, competencies=competencies, team=team)
    if request.method == "POST" and form.is_valid():
        competency = access_competency(assessment=assessment, code=form.cleaned_data["competency"])
        owner = _team_user(team, form.cleaned_data["owner"])
        done = _service(
            request,
            form,
            lambda: services.journey_action_create(
                actor=request.user,
                assessment=assessment,
                competency=competency,
                title=form.cleaned_data["title"],
                owner=owner,
                due_on=form.cleaned_data["due_on"],
            ),
        )
        if done is not None:
            messages.success(request, f"Action item added to {competency.code}.")
            if request.POST.get("back") == "competency":
                return redirect(
                    f"{reverse('journey:competency', args=[school.slug, competency.code])}#actions"
                )
            return redirect("journey:actions", slug=school.slug)
        if request.POST.get("back") == "competency":
            return _competency_page(
                request, school, member, assessment, competency, action_form=form, status=400
            )
    status = request.GET.get("status", "")
    items = sel.actions_of(
        assessment,
        status=status if status in dict(ActionUpdateForm.base_fields["status"].choices) else None,
    )
    rows = [
        (
            item,
            ActionUpdateForm(
                initial={
                    "status": item.status,
                    "owner": item.owner_id or "",
                    "due_on": item.due_on,
                },
                team=team,
                prefix=f"a{item.pk}",
            ),
        )
        for item in items
    ]
    return page(
        request,
        "journey/actions.html",
        {
            **_tabs("actions", member),
            "assessment": assessment,
            "rows": rows,
            "form": form,
            "status": status,
            "statuses": ActionUpdateForm.base_fields["status"].choices,
        },
        status=400 if request.method == "POST" else 200,
    )


def _team_user(team, user_id: str):
    if not user_id:
        return None
    for m in team:
        if str(m.user_id) == str(user_id):
            return m.user
    raise ValidationError({"owner": ["Choose a member of the team."]})


@login_required
@school_page
@require_POST
def journey_action_update(request, school, action_id):
    item = access_action(user=request.user, school=school, action_id=action_id)
    team = sel.team_of(school)
    form = ActionUpdateForm(request.POST, team=team, prefix=f"a{item.pk}")
    if form.is_valid():
        done = _service(
            request,
            None,
            lambda: services.journey_action_update(
                actor=request.user,
                item=item,
                status=form.cleaned_data["status"],
                owner=_team_user(team, form.cleaned_data["owner"]),
                due_on=form.cleaned_data["due_on"],
            ),
        )
        if done is not None:
            messages.success(request, f"“{item.title}” updated.")
    else:
        messages.error(request, "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()))
    if request.POST.get("back") == "competency":
        return redirect(
            f"{reverse('journey:competency', args=[school.slug, item.competency.code])}#actions"
        )
    return redirect("journey:actions", slug=school.slug)
