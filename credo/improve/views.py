"""The improvement pages: equity gaps and time to proficiency, each with a chart, the same
numbers as a table, and a CSV of the (suppressed) aggregates. Every page asks `improve.access`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from credo.accounts.http import school_page
from credo.core.http import page
from credo.improve import charts, selectors
from credo.improve.access import access_scope, can_compare_teachers
from credo.interop.common import write_csv


def _pct(v):
    return "" if v is None else f"{v * 100:.1f}"


def _context(request, school, scope):
    managers = can_compare_teachers(request.user, school)
    return {
        "scope": scope,
        "choices": selectors.scope_choices(request.user, school, managers=managers),
        "managers": managers,
        "query": "&".join(f"{k}={v}" for k, v in scope.query().items()),
    }


@require_GET
@login_required
@school_page
def equity(request, school):
    scope = access_scope(user=request.user, school=school, params=request.GET)
    data = selectors.equity(scope)
    ctx = _context(request, school, scope)
    now_rows = [("All students", data.overall.attainment)]
    trend = []
    for name, cells in data.categories:
        for c in cells:
            now_rows.append((f"{name}: {c.label}", None if c.hidden else c.attainment))
    first = next((cells for name, cells in data.categories if name.startswith("Economically")), [])
    series = [("All students", [t[0] for t in data.overall.terms])]
    series += [
        (f"Disadvantaged: {c.label}", [t[0] for t in c.terms])
        for c in first
        if c.label != "Not recorded"
    ]
    if data.terms:
        trend = charts.lines(
            [t[0] for t in data.terms],
            series,
            title="Share of begun targets proficient at each term's end, economically "
            "disadvantaged students and the rest",
        )
    ctx.update(
        data=data,
        chart_now=mark_safe(  # noqa: S308 -- charts escape every text they draw
            charts.bars(now_rows, title="Share of targets with evidence now proficient, by group")
        ),
        chart_trend=mark_safe(trend),  # noqa: S308 -- as above
    )
    return page(request, "improve/equity.html", ctx)


@require_GET
@login_required
@school_page
def equity_csv(request, school):
    scope = access_scope(user=request.user, school=school, params=request.GET)
    data = selectors.equity(scope)
    header = [
        "category",
        "group",
        "students",
        "attainment_pct",
        "gap_points",
        "credits_per_student",
        "median_days_to_proficiency",
    ] + [f"{name} pct" for name, _ in data.terms]
    rows = [
        [
            "All",
            "All students",
            data.overall.n,
            _pct(data.overall.attainment),
            "",
            _round(data.overall.credits),
            _round(data.overall.pace_days),
        ]
        + [_pct(t[0]) for t in data.overall.terms]
    ]
    for name, cells in data.categories:
        for c in cells:
            if c.hidden:
                rows.append([name, c.label, "hidden", "", "", "", ""] + ["" for _ in data.terms])
                continue
            rows.append(
                [
                    name,
                    c.label,
                    c.n,
                    _pct(c.attainment),
                    _round(c.gap),
                    _round(c.credits),
                    _round(c.pace_days),
                ]
                + [_pct(t[0]) for t in c.terms]
            )
    return _csv(write_csv(rows, header=header), f"{school.slug}-equity.csv")


def _round(v):
    return "" if v is None else f"{v:.2f}".rstrip("0").rstrip(".")


def _csv(body: bytes, name: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _spread_cells(row):
    if row.hidden:
        return ["hidden", "", "", "", "", "", ""]
    d, a = row.days, row.attempts
    return [
        row.n,
        _round(d.q1),
        _round(d.median),
        _round(d.q3),
        _round(a.q1),
        _round(a.median),
        _round(a.q3),
    ]


@require_GET
@login_required
@school_page
def time(request, school):
    scope = access_scope(user=request.user, school=school, params=request.GET)
    managers = can_compare_teachers(request.user, school)
    data = selectors.time_to_proficiency(scope, with_teachers=managers)
    ctx = _context(request, school, scope)
    shown = [r for r in data.targets if not r.hidden][:25]
    ctx.update(
        data=data,
        chart=mark_safe(  # noqa: S308 -- charts escape every text they draw
            charts.bars(
                [(r.label, r.days.median) for r in shown],
                title="Median days from first evidence to proficiency, by target",
                unit=" days",
            )
        )
        if shown
        else "",
    )
    return page(request, "improve/time.html", ctx)


@require_GET
@login_required
@school_page
def time_csv(request, school):
    scope = access_scope(user=request.user, school=school, params=request.GET)
    managers = can_compare_teachers(request.user, school)
    data = selectors.time_to_proficiency(scope, with_teachers=managers)
    header = [
        "breakdown",
        "name",
        "students",
        "days_q1",
        "days_median",
        "days_q3",
        "attempts_q1",
        "attempts_median",
        "attempts_q3",
    ]
    rows = []
    for kind, items in (
        ("target", data.targets),
        ("credit", data.credits),
        ("section", data.sections),
        ("teacher", data.teachers or []),
    ):
        rows += [[kind, r.label, *_spread_cells(r)] for r in items]
    for name, items in data.categories:
        rows += [[name, r.label, *_spread_cells(r)] for r in items]
    return _csv(write_csv(rows, header=header), f"{school.slug}-time-to-proficiency.csv")


# --- moderation -------------------------------------------------------------------------------


def _moderation_choices(school, competency_id):
    from credo.accounts.models import MANAGER_ROLES, Membership, Role
    from credo.evidence.models import Evidence
    from credo.frameworks.models import Competency

    targets = list(
        Competency.objects.filter(school=school)
        .select_related("framework")
        .order_by("framework__name", "code")
    )
    competency = None
    evidence = []
    try:
        competency = next((c for c in targets if c.pk == int(competency_id)), None)
    except (TypeError, ValueError):
        competency = None
    if competency is not None:
        evidence = list(
            Evidence.objects.filter(school=school, competency_tags__competency=competency)
            .order_by("-demonstrated_on", "-id")
            .distinct()[:60]
        )
    staff = (
        Membership.objects.filter(school=school, role__in=[Role.TEACHER, *MANAGER_ROLES])
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    people = {}
    for m in staff:
        if m.user.is_active:
            people.setdefault(m.user.pk, m.user)
    return targets, competency, evidence, list(people.values())


@login_required
@school_page
def moderation(request, school):
    from credo.improve.access import may_run_moderation, require_improvement, sessions_visible_to

    require_improvement(request.user, school)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    sessions = list(sessions_visible_to(request.user, school)[:100])
    return page(
        request,
        "improve/moderation.html",
        {"sessions": sessions, "may_run": may_run_moderation(request.user, school)},
    )


@login_required
@school_page
def moderation_new(request, school):
    from credo.core.errors import ValidationError
    from credo.improve import services
    from credo.improve.access import may_run_moderation, require_improvement

    require_improvement(request.user, school)
    if not may_run_moderation(request.user, school):
        raise PermissionDenied("Only a school admin or registrar may start a moderation session.")
    data = request.POST if request.method == "POST" else request.GET
    targets, competency, evidence, people = _moderation_choices(school, data.get("competency"))
    errors = {}
    if request.method == "POST":
        try:
            session = services.session_create(
                actor=request.user,
                school=school,
                title=data.get("title", ""),
                competency_id=data.get("competency"),
                evidence_ids=data.getlist("evidence"),
                assessor_ids=data.getlist("assessors"),
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            return redirect("improve:session", school.slug, session.pk)
    return page(
        request,
        "improve/moderation_new.html",
        {
            "targets": targets,
            "competency": competency,
            "evidence": evidence,
            "people": people,
            "errors": errors,
            "chosen_evidence": {str(x) for x in data.getlist("evidence")},
            "chosen_assessors": {str(x) for x in data.getlist("assessors")},
            "title_value": data.get("title", ""),
        },
        status=400 if errors else 200,
    )


@login_required
@school_page
def moderation_session(request, school, session_id):
    from credo.improve.access import (
        access_session,
        can_see_all_scores,
        is_session_assessor,
        may_run_moderation,
    )

    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    session = access_session(user=request.user, school=school, session_id=session_id)
    assessor = is_session_assessor(request.user, session)
    all_scores = can_see_all_scores(request.user, session)
    result = selectors.calibration(session) if all_scores else None
    levels = list(
        session.competency.effective_scale.levels.order_by("value").values_list("value", "label")
    )
    from credo.improve.models import ModerationScore

    mine = dict(
        ModerationScore.objects.filter(item__session=session, assessor=request.user).values_list(
            "item_id", "value"
        )
    )
    items = list(session.items.select_related("evidence"))
    rows = []
    for item in items:
        rows.append(
            {
                "item": item,
                "mine": mine.get(item.pk),
                "all": [result.scores.get((item.pk, a.pk)) for a in result.assessors]
                if result
                else None,
                "consensus": result.consensus.get(item.pk) if result else None,
            }
        )
    chart = ""
    if result:
        chart = mark_safe(  # noqa: S308 -- charts escape every text they draw
            charts.bars(
                [(a.label, a.kappa) for a in result.versus],
                title="Each assessor's weighted kappa against the consensus",
                unit="",
            )
        )
    progress = (
        selectors.session_progress(session) if may_run_moderation(request.user, school) else {}
    )
    return page(
        request,
        "improve/session.html",
        {
            "session": session,
            "assessor": assessor,
            "may_run": may_run_moderation(request.user, school),
            "result": result,
            "rows": rows,
            "levels": levels,
            "chart": chart,
            "progress": [
                (a.user, progress.get(a.user_id, 0))
                for a in session.assessors.select_related("user")
            ],
            "item_count": len(items),
        },
    )


@require_POST
@login_required
@school_page
def moderation_score(request, school, session_id):
    from credo.core.errors import ValidationError
    from credo.improve import services
    from credo.improve.access import access_session

    session = access_session(user=request.user, school=school, session_id=session_id)
    try:
        services.score_record(
            actor=request.user,
            session=session,
            item_id=request.POST.get("item"),
            value=request.POST.get("value", ""),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Score saved.")
    return redirect("improve:session", school.slug, session.pk)


@require_POST
@login_required
@school_page
def moderation_close(request, school, session_id):
    from credo.improve import services
    from credo.improve.access import access_session

    session = access_session(user=request.user, school=school, session_id=session_id)
    services.session_close(actor=request.user, session=session)
    messages.success(request, "Session closed: every score is now shown.")
    return redirect("improve:session", school.slug, session.pk)


@require_GET
@login_required
@school_page
def moderation_csv(request, school, session_id):
    from credo.improve.access import access_session, can_see_all_scores

    session = access_session(user=request.user, school=school, session_id=session_id)
    if not can_see_all_scores(request.user, session):
        raise PermissionDenied("The agreement is shown once the session is closed.")
    result = selectors.calibration(session)
    rows = [
        ["pair", a.label, a.n, _pct(a.exact), _pct(a.adjacent), _round(a.kappa)]
        for a in result.pairs
    ]
    rows += [
        ["vs consensus", a.label, a.n, _pct(a.exact), _pct(a.adjacent), _round(a.kappa)]
        for a in result.versus
    ]
    header = ["comparison", "assessors", "pieces", "exact_pct", "adjacent_pct", "weighted_kappa"]
    return _csv(write_csv(rows, header=header), f"{school.slug}-moderation-{session.pk}.csv")
