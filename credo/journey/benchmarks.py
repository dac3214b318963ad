"""The `journey` section of `credo bench`: the journey report's PDF, drawn cold and served cached.

One school of the synthetic district opens its self-assessment; its team agrees a rating on every
competency of the template, adds action items and takes three snapshots, so the report has its
full length (the profile, every domain, the progress chart). Then, several times each and
reported as medians: the report as it was made before it was cached (content, HTML and WeasyPrint
with a fresh font configuration, on every request), drawn cold now (the stored file removed
first), and served from its stored file.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
import time

from credo.analytics.bench import Bench, Metric, section

RUNS = 7


def _timed(fn, runs: int, before=None) -> list[float]:
    out = []
    for _ in range(runs):
        if before is not None:
            before()
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def _journey(school):
    """Open the school's journey with a full set of agreed ratings, action items and snapshots."""
    from credo.accounts.models import Membership, Role, User
    from credo.journey import services
    from credo.journey.models import JourneyAssessment, JourneyCompetency, Status

    existing = JourneyAssessment.objects.filter(school=school, closed_at__isnull=True).first()
    if existing is not None:
        return existing
    lead, _ = User.objects.get_or_create(
        username=f"bench-journey-lead-{school.pk}", defaults={"display_name": "Journey lead"}
    )
    Membership.objects.get_or_create(school=school, user=lead, role=Role.ADMIN)
    services.journey_template_install()
    assessment = services.journey_start(actor=lead, school=school, position="Principal")
    comps = list(JourneyCompetency.objects.filter(framework=assessment.framework).order_by("id"))
    cycle = [Status.EARNED, Status.IN_PROGRESS, Status.NOT_STARTED]
    for step in range(3):
        for i, comp in enumerate(comps):
            status = cycle[(i + 2 - step) % 3] if i % 2 == 0 or step == 2 else cycle[2]
            services.journey_consensus_record(
                actor=lead,
                assessment=assessment,
                competency=comp,
                status=status,
                note=f"Agreed at check {step + 1}: evidence from the team's walkthroughs.",
            )
        services.journey_snapshot_take(actor=lead, assessment=assessment, label=f"Check {step + 1}")
    for comp in comps[:8]:
        services.journey_action_create(
            actor=lead, assessment=assessment, competency=comp, title=f"Next step on {comp.code}"
        )
    return assessment


@section(
    "journey",
    "The journey report's PDF (a full self-assessment)",
    [
        Metric(
            "journey_pdf_uncached_median_s", "report PDF as before: drawn on every request", "s"
        ),
        Metric("journey_pdf_cold_median_s", "report PDF drawn cold (no stored file), median", "s"),
        Metric(
            "journey_pdf_cached_median_s",
            "report PDF served from its file, median",
            "s",
            ("<=", 0.5),
        ),
        Metric("journey_pdf_cached_max_s", "report PDF served from its file, max", "s"),
        Metric("journey_pdf_pages", "report pages"),
    ],
)
def journey_section(bench: Bench) -> dict:
    from django.test.utils import override_settings
    from weasyprint import HTML

    from credo.journey import pdf
    from credo.schools.models import School

    school = School.objects.get(pk=bench.school_ids[0])
    assessment = _journey(school)
    bench.say(f"journey: the report of {school.name}, {RUNS} runs each")
    cache = tempfile.mkdtemp(prefix="credo-bench-journey-")
    try:
        with override_settings(CREDO_JOURNEY_CACHE=cache):
            pdf.journey_report_pdf(school=school, assessment=assessment)  # imports, fonts

            def as_before():
                HTML(string=pdf.report_html(school=school, assessment=assessment)).write_pdf()

            def clear():
                for path in pdf.cache_dir().glob("journey-*.pdf"):
                    path.unlink()

            def report():
                return pdf.journey_report_pdf(school=school, assessment=assessment)

            uncached, cold = [], []
            for _ in range(RUNS):  # interleaved, so a change in the machine's load hits both
                uncached += _timed(as_before, 1)
                cold += _timed(report, 1, before=clear)
            report()
            cached = _timed(report, RUNS)
            pages = len(
                HTML(string=pdf.report_html(school=school, assessment=assessment)).render().pages
            )
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return {
        "journey_pdf_uncached_median_s": statistics.median(uncached),
        "journey_pdf_cold_median_s": statistics.median(cold),
        "journey_pdf_cached_median_s": statistics.median(cached),
        "journey_pdf_cached_max_s": max(cached),
        "journey_pdf_pages": pages,
    }
