"""The improvement pages: equity gaps and time to proficiency, each with a chart, the same
numbers as a table, and a CSV of the (suppressed) aggregates. Every page asks `improve.access`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from credo.improve import charts, selectors
from credo.improve.access import access_scope, can_compare_teachers
from credo.interop.common import write_csv
from credo.web.views.common import page, school_page


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
