"""The school's journey report as a printable PDF (WeasyPrint): the profile, where each domain
stands, readiness for the Mastery Transcript, progress over time and the open action items."""

from __future__ import annotations

import base64

from django.template.loader import render_to_string
from django.utils import timezone

from credo.journey import selectors as sel
from credo.journey.chart import chart_rows, render_progress_svg
from credo.transcripts.profile import render_legend_svg, render_profile_svg


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def report_context(*, school, assessment, generated_by=None) -> dict:
    """Return everything the report shows, from the team's agreed ratings as they stand now."""
    domains = sel.framework_domains(assessment.framework, with_essentials=True)
    comps = [c for d in domains for c in d.competencies.all()]
    statuses = sel.consensus_statuses(assessment, comps)
    areas = sel.profile_areas(domains, statuses)
    counts = sel.count_statuses(comps, statuses)
    consensus = sel.consensus_current(assessment)
    shots = sel.snapshots_of(school)
    points = sel.progress_points(shots, counts)
    rows = []
    for d in domains:
        rows.append(
            {
                "domain": d,
                "essentials": [link.essential for link in d.essential_links.all()],
                "items": [
                    {
                        "c": c,
                        "status": statuses[c.code],
                        "label": sel.STATUS_LABELS[statuses[c.code]],
                        "note": consensus[c.pk].note if c.pk in consensus else "",
                    }
                    for c in d.competencies.all()
                ],
            }
        )
    return {
        "school": school,
        "assessment": assessment,
        "framework": assessment.framework,
        "generated_at": timezone.now(),
        "generated_by": generated_by,
        "profile_uri": _data_uri(
            render_profile_svg(
                areas,
                title=f"{school.name}: journey profile",
                id_prefix="rp",
                size=460,
                order="given",
            )
        ),
        "legend_uri": _data_uri(render_legend_svg(id_prefix="rk", width=420)),
        "chart_uri": _data_uri(
            render_progress_svg(points, title="Progress over time", id_prefix="rc")
        ),
        "chart_rows": chart_rows(points),
        "counts": counts,
        "earned_total": counts["foundational"]["earned"] + counts["advanced"]["earned"],
        "rows": rows,
        "readiness": sel.readiness(school, assessment),
        "actions": sel.actions_of(assessment, open_only=True),
        "snapshots": shots,
        "team": sel.team_of(school),
    }


def journey_report_pdf(*, school, assessment, generated_by=None) -> bytes:
    """Return the journey report of `school` as PDF bytes."""
    from weasyprint import HTML

    html = render_to_string(
        "journey/report.html",
        report_context(school=school, assessment=assessment, generated_by=generated_by),
    )
    return HTML(string=html).write_pdf()
