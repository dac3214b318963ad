"""The school's journey report as a printable PDF (WeasyPrint): the profile, where each domain
stands, readiness for the Mastery Transcript, progress over time and the open action items.

WeasyPrint takes ~0.2 s to lay out and write the report (and ~0.6 s more the first time in a
process, importing Pango and Cairo), while gathering its content and rendering its HTML take
~20 ms. So the PDF is drawn once per content version: the file is kept under
``CREDO_JOURNEY_CACHE`` (default ``var/journey``), named by the school and a hash of the report's
HTML and ``LAYOUT``. Any change the report shows (a rating agreed, an action item, a snapshot,
the team, the day it is dated) changes the HTML, hence the name, and the school's older file is
removed when the new one is written.
"""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from credo.journey import selectors as sel
from credo.journey.chart import chart_rows, render_progress_svg
from credo.transcripts.profile import render_legend_svg, render_profile_svg


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


# Bump when the report's layout changes, so stored PDFs are drawn again.
LAYOUT = 1


def report_context(*, school, assessment) -> dict:
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


def report_html(*, school, assessment) -> str:
    """Return the HTML WeasyPrint lays out for the school's report as it stands now."""
    return render_to_string(
        "journey/report.html", report_context(school=school, assessment=assessment)
    )


def report_key(html: str) -> str:
    """Return the hash that names a report's PDF: its HTML and the layout version."""
    return hashlib.sha256(f"journey-l{LAYOUT}\n{html}".encode()).hexdigest()


def cache_dir() -> Path:
    path = Path(getattr(settings, "CREDO_JOURNEY_CACHE", "") or Path(settings.VAR_DIR) / "journey")
    path.mkdir(parents=True, exist_ok=True)
    return path


def cached_path(school, key: str) -> Path:
    return cache_dir() / f"journey-{school.pk}-{key[:32]}.pdf"


def draw_pdf(html: str) -> bytes:
    """Lay out and write the report now (the slow part: WeasyPrint)."""
    from weasyprint import HTML

    from credo.transcripts.pdf import font_config

    return HTML(string=html).write_pdf(font_config=font_config())


def journey_report_pdf(*, school, assessment) -> bytes:
    """Return the journey report of `school` as PDF bytes: the stored file while the report's
    content is unchanged, else drawn now, stored, and the school's older file removed."""
    from credo.transcripts.pdf import _write

    html = report_html(school=school, assessment=assessment)
    path = cached_path(school, report_key(html))
    try:
        return path.read_bytes()
    except FileNotFoundError:
        pass
    data = draw_pdf(html)
    _write(path, data)
    for old in path.parent.glob(f"journey-{school.pk}-*.pdf"):
        if old != path:
            old.unlink(missing_ok=True)
    return data
