"""The network view: a network lead's schools, and the network's versions of the framework."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect

from credo.core.http import page
from credo.journey import selectors as sel
from credo.journey import services
from credo.journey.access import (
    access_network,
    access_network_framework,
    access_network_school,
    open_assessment,
)
from credo.journey.forms import AdaptForm, CompetencyEditForm, DomainEditForm
from credo.journey.models import JourneyCompetency, JourneyDomain
from credo.journey.views.common import _service, chart_svg, legend_svg, profile_svg
from credo.transcripts.profile import profile_table

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
