"""Ready for the Mastery Transcript: the checks a school passes before its transcript."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from credo.journey.models import JourneyAssessment, Level, Status
from credo.journey.selectors.framework import competencies_of
from credo.journey.selectors.team import consensus_statuses

# --------------------------------------------------------------------------------------------
# Ready for the Mastery Transcript


@dataclass
class Check:
    key: str
    label: str
    ok: bool
    detail: str
    todo: str = ""
    missing: list[str] = field(default_factory=list)
    # The competency code behind each missing item, when there is one (the journey check).
    codes: list[str] = field(default_factory=list)

    @property
    def missing_items(self) -> list[tuple[str, str]]:
        """Return (competency code or "", label) for each missing item."""
        codes = self.codes or [""] * len(self.missing)
        return list(zip(codes, self.missing, strict=True))


@dataclass
class Readiness:
    checks: list[Check]

    @property
    def ready(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def done(self) -> int:
        return sum(1 for c in self.checks if c.ok)

    @property
    def missing(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]


def readiness(school, assessment: JourneyAssessment | None) -> Readiness:
    """Return what the school still lacks before it can issue the Mastery Transcript.

    Computed from its real configuration (framework, scale, credit areas, foundational credits and
    their requirements, graduation rules, the evidence and review policy, the profile admissions
    readers see) and from the team's agreed ratings of the foundational journey competencies.
    """
    from django.db.models import Count

    from credo.evidence.models import Evidence
    from credo.frameworks.models import Competency, FrameworkKind, ProficiencyScale
    from credo.mastery.models import CreditArea, GraduationRule, MasteryCredit, PanelSeat

    checks: list[Check] = []

    academic = Competency.objects.filter(
        school=school, framework__kind=FrameworkKind.ACADEMIC
    ).count()
    scales = ProficiencyScale.objects.filter(school=school).count()
    checks.append(
        Check(
            "framework",
            "A common learning framework on a proficiency scale",
            bool(academic and scales),
            f"{academic} academic competencies on {scales} proficiency scale{'s' if scales != 1 else ''}.",
            "Define the competencies every graduate shows and the scale teachers rate them on.",
        )
    )

    areas = CreditArea.objects.filter(school=school).count()
    credits = list(
        MasteryCredit.objects.filter(school=school)
        .annotate(n_items=Count("items"))
        .values_list("level", "title", "n_items", "min_evidence", "review_required")
    )
    foundational = [c for c in credits if c[0] == Level.FOUNDATIONAL]
    empty = [c[1] for c in foundational if not c[2]]
    checks.append(
        Check(
            "credits",
            "Foundational mastery credits, each with its requirement",
            bool(areas and foundational and not empty),
            f"{len(foundational)} foundational and {len(credits) - len(foundational)} advanced credits "
            f"in {areas} credit area{'s' if areas != 1 else ''}."
            + (f" {len(empty)} without a requirement." if empty else ""),
            "Define credit areas and the foundational credits a graduate earns, each naming the competencies it requires.",
            missing=empty,
        )
    )

    rules = GraduationRule.objects.filter(school=school).count()
    checks.append(
        Check(
            "graduation",
            "Graduation rules",
            bool(rules),
            f"{rules} graduation rule{'s' if rules != 1 else ''} defined.",
            "Say how many credits, of which level and area, a student needs to graduate.",
        )
    )

    asks_evidence = sum(1 for c in credits if c[3] > 0)
    asks_review = sum(1 for c in credits if c[4])
    panels = PanelSeat.objects.filter(school=school).values("review_id").distinct().count()
    highlighted = Evidence.objects.filter(school=school, highlighted=True).aggregate(
        total=Count("id"), approved=Count("id", filter=Q(approved_at__isnull=False))
    )
    facts = [
        f"{asks_evidence} credit{'s' if asks_evidence != 1 else ''} ask for a minimum of approved evidence",
        f"{asks_review} require a panel review",
        f"{panels} review{'s' if panels != 1 else ''} have had a panel",
        f"{highlighted['approved']} of {highlighted['total']} highlighted evidence items approved by an educator",
    ]
    checks.append(
        Check(
            "evidence",
            "An evidence and review policy in use",
            bool(asks_evidence or asks_review) and bool(panels or highlighted["approved"]),
            "; ".join(facts) + ".",
            "Decide what evidence a credit needs and who reviews it (panels, exhibitions), then use it.",
        )
    )

    profile_missing = [
        label
        for label, value in (
            ("mission", school.mission),
            ("context", school.context),
            ("credit policy", school.credit_policy),
        )
        if not value.strip()
    ]
    checks.append(
        Check(
            "profile",
            "A school profile for admissions readers",
            not profile_missing,
            "Mission, context and credit policy written."
            if not profile_missing
            else "Still to write: " + ", ".join(profile_missing) + ".",
            "Describe the school, who it serves and how credits are earned and reviewed.",
            missing=profile_missing,
        )
    )

    if assessment is None:
        checks.append(
            Check(
                "journey",
                "Foundational journey competencies earned",
                False,
                "The leadership team has not started its self-assessment.",
                "Start the journey self-assessment and agree on where the school stands.",
            )
        )
    else:
        comps = competencies_of(assessment.framework_id)
        statuses = consensus_statuses(assessment, comps)
        found = [c for c in comps if c.level == Level.FOUNDATIONAL]
        behind = [c for c in found if statuses[c.code] != Status.EARNED]
        lacking = [f"{c.code} {c.title}" for c in behind]
        checks.append(
            Check(
                "journey",
                "Foundational journey competencies earned",
                not lacking,
                f"{len(found) - len(lacking)} of {len(found)} foundational competencies agreed as earned.",
                "Work on the foundational competencies the team has not yet agreed are earned.",
                missing=lacking,
                codes=[c.code for c in behind],
            )
        )
    return Readiness(checks)
