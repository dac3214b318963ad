"""The journey pages: a school's self-assessment (its leadership team only) and the network view
(network leads only). Views are thin: access functions fetch and authorize, services write."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from credo.accounts.http import school_page
from credo.accounts.models import STAFF_ROLES, Membership
from credo.core.http import page
from credo.journey import selectors as sel
from credo.journey import services
from credo.journey.access import (
    access_action,
    access_competency,
    access_evidence,
    access_network,
    access_network_framework,
    access_network_school,
    access_snapshot,
    access_team_member,
    is_staff_of,
    may_manage_team,
    may_start_journey,
    open_assessment,
    team_member_by_id,
    team_member_of,
)
from credo.journey.chart import chart_rows, render_progress_svg
from credo.journey.forms import (
    ActionForm,
    ActionUpdateForm,
    AdaptForm,
    CompetencyEditForm,
    ConsensusForm,
    DomainEditForm,
    EvidenceForm,
    SnapshotForm,
    TeamAddForm,
    TeamMemberForm,
    VersionMoveForm,
    apply_errors,
)
from credo.journey.models import JourneyCompetency, JourneyDomain, Status
from credo.transcripts.profile import profile_table, render_legend_svg, render_profile_svg

User = get_user_model()


# --------------------------------------------------------------------------------------------
# Helpers


def _team_assessment(request, school):
    """Return (team seat, open assessment) for a team member; Http404 for anyone else."""
    member = access_team_member(user=request.user, school=school)
    assessment = open_assessment(school)
    if assessment is None:
        raise Http404("The school has not started its journey self-assessment.")
    return member, assessment


def _competency_href(school):
    def href(code: str) -> str:
        return reverse("journey:competency", args=[school.slug, code])

    return href


def profile_svg(
    areas, *, title: str, id_prefix: str = "jp", size: int = 540, show_labels: bool = True
) -> str:
    """Return the journey profile drawn by the transcript's credit-profile renderer."""
    return mark_safe(  # noqa: S308 -- the renderer escapes every text it draws
        render_profile_svg(
            areas,
            title=title,
            id_prefix=id_prefix,
            size=size,
            show_labels=show_labels,
            order="given",
        )
    )


def legend_svg(id_prefix: str = "jp", width: int = 420) -> str:
    return mark_safe(render_legend_svg(id_prefix=f"{id_prefix}k", width=width))  # noqa: S308


def chart_svg(points, *, title: str, id_prefix: str = "jc") -> str:
    return mark_safe(render_progress_svg(points, title=title, id_prefix=id_prefix))  # noqa: S308


def _tabs(active: str, member) -> dict:
    return {"tab": active, "member": member}


def _service(request, form, call):
    """Run a service call; on refusal put its message on the form (or as a message) and return None."""
    try:
        return call()
    except ValidationError as error:
        if form is not None:
            apply_errors(form, error)
        else:
            messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        if form is not None:
            form.add_error(None, str(error))
        else:
            messages.error(request, str(error))
    return None


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

    pdf = journey_report_pdf(school=school, assessment=assessment, generated_by=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{school.slug}-journey.pdf"'
    return response


# --------------------------------------------------------------------------------------------
# The network view


@login_required
def network_journey(request, network_slug):
    network = access_network(user=request.user, slug=network_slug)
    overview = sel.network_overview(network)
    cards = []
    for i, row in enumerate(overview.schools):
        svg = (
            profile_svg(
                row.areas,
                title=f"{row.school.name}: journey profile",
                id_prefix=f"n{i}",
                size=300,
                show_labels=False,
            )
            if row.areas
            else None
        )
        cards.append({"row": row, "svg": svg})
    return page(
        request,
        "journey/network.html",
        {
            "network": network,
            "overview": overview,
            "cards": cards,
            "legend": legend_svg("nk", 380),
            "domain_key": next((row.areas for row in overview.schools if row.areas), []),
        },
    )


@login_required
def network_school(request, network_slug, school_slug):
    network = access_network(user=request.user, slug=network_slug)
    school = access_network_school(network=network, slug=school_slug)
    assessment = open_assessment(school)
    context = {"network": network, "subject": school, "assessment": assessment}
    if assessment is not None:
        domains = sel.framework_domains(assessment.framework)
        statuses = sel.consensus_statuses(
            assessment, [c for d in domains for c in d.competencies.all()]
        )
        areas = sel.profile_areas(domains, statuses)
        shots = sel.snapshots_of(school)
        counts = sel.profile_counts(statuses, domains)
        context.update(
            {
                "profile": profile_svg(areas, title=f"{school.name}: journey profile"),
                "legend": legend_svg(),
                "table": profile_table(areas),
                "counts": counts,
                "domains": domains,
                "chart": chart_svg(
                    sel.progress_points(shots, counts), title=f"{school.name}: progress over time"
                ),
            }
        )
    context["readiness"] = sel.readiness(school, assessment)
    return page(request, "journey/network_school.html", context)


@login_required
def network_versions(request, network_slug):
    network = access_network(user=request.user, slug=network_slug)
    services.journey_template_install()
    frameworks = sel.network_frameworks(network)
    published = [f for f in frameworks if f.published_at is not None]
    form = AdaptForm(request.POST or None, frameworks=published)
    if request.method == "POST" and form.is_valid():
        base = next(f for f in published if str(f.pk) == form.cleaned_data["base"])
        made = _service(
            request,
            form,
            lambda: services.framework_adapt(
                actor=request.user, network=network, base=base, version=form.cleaned_data["version"]
            ),
        )
        if made is not None:
            messages.success(request, f"Draft “{made.version}” created. Edit it, then publish it.")
            return redirect(
                "journey:network_version", network_slug=network.slug, framework_id=made.pk
            )
    usage = sel.framework_usage((f.pk for f in frameworks), network)
    by_id = {f.pk: f for f in frameworks}
    for f in frameworks:
        f.n_schools = usage.get(f.pk, 0)
        f.base_version = by_id[f.based_on_id].version if f.based_on_id in by_id else ""
    return page(
        request,
        "journey/network_versions.html",
        {
            "network": network,
            "frameworks": frameworks,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def network_version(request, network_slug, framework_id):
    network = access_network(user=request.user, slug=network_slug)
    framework = access_network_framework(network=network, framework_id=framework_id)
    editable = framework.network_id == network.pk and framework.is_draft
    failed = {}
    if request.method == "POST":
        if not editable:
            raise Http404("This version cannot be changed.")
        failed = _version_post(request, network, framework)
        if not failed:
            return redirect(
                request.path
                + (f"#{request.POST.get('anchor')}" if request.POST.get("anchor") else "")
            )
    domains = sel.framework_domains(framework)
    blocks = []
    for d in domains:
        key = f"d{d.pk}"
        comps = []
        for c in d.competencies.all():
            ckey = f"c{c.pk}"
            comps.append(
                {
                    "c": c,
                    "form": failed.get(ckey)
                    or CompetencyEditForm(
                        initial={"title": c.title, "level": c.level, "description": c.description},
                        prefix=ckey,
                    ),
                }
            )
        blocks.append(
            {
                "d": d,
                "comps": comps,
                "form": failed.get(key)
                or DomainEditForm(
                    initial={
                        "name": d.name,
                        "guiding_question": d.guiding_question,
                        "deliverable_title": d.deliverable_title,
                        "deliverable": d.deliverable,
                    },
                    prefix=key,
                ),
                "add_form": failed.get(f"a{d.pk}") or CompetencyEditForm(prefix=f"a{d.pk}"),
            }
        )
    return page(
        request,
        "journey/network_version.html",
        {
            "network": network,
            "framework": framework,
            "editable": editable,
            "blocks": blocks,
            "essentials": sel.framework_essentials(framework),
            "publish_error": failed.get("publish"),
        },
        status=400 if failed else 200,
    )


def _version_post(request, network, framework) -> dict:
    """Apply one edit to a draft version; return {form key: form with errors} when refused."""
    action = request.POST.get("action", "")
    if action == "publish":
        done = _service(
            request,
            None,
            lambda: services.framework_publish(actor=request.user, framework=framework),
        )
        if done is not None:
            messages.success(
                request,
                f"“{framework.version}” is published; the network's schools may move to it.",
            )
            return {}
        return {"publish": True}
    kind, _, pk = action.partition(":")
    if kind == "domain":
        domain = _draft_part(JourneyDomain, framework, pk)
        form = DomainEditForm(request.POST, prefix=f"d{domain.pk}")
        if form.is_valid() and _service(
            request,
            form,
            lambda: services.framework_domain_update(
                actor=request.user, domain=domain, **form.cleaned_data
            ),
        ):
            messages.success(request, f"{domain.code} saved.")
            return {}
        return {f"d{domain.pk}": form}
    if kind == "competency":
        competency = _draft_part(JourneyCompetency, framework, pk)
        if request.POST.get("remove"):
            if _service(
                request,
                None,
                lambda: services.framework_competency_remove(
                    actor=request.user, competency=competency
                ),
            ):
                messages.success(request, f"{competency.code} removed from the draft.")
            return {}
        form = CompetencyEditForm(request.POST, prefix=f"c{competency.pk}")
        if form.is_valid() and _service(
            request,
            form,
            lambda: services.framework_competency_update(
                actor=request.user, competency=competency, **form.cleaned_data
            ),
        ):
            messages.success(request, f"{competency.code} saved.")
            return {}
        return {f"c{competency.pk}": form}
    if kind == "add":
        domain = _draft_part(JourneyDomain, framework, pk)
        form = CompetencyEditForm(request.POST, prefix=f"a{domain.pk}")
        if form.is_valid():
            made = _service(
                request,
                form,
                lambda: services.framework_competency_add(
                    actor=request.user, domain=domain, **form.cleaned_data
                ),
            )
            if made is not None:
                messages.success(request, f"{made.code} added.")
                return {}
        return {f"a{domain.pk}": form}
    raise Http404("Unknown change.")


def _draft_part(model, framework, pk):
    try:
        return model.objects.select_related("framework__network").get(pk=pk, framework=framework)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404("No such part of this version.") from None
