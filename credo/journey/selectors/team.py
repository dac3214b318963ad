"""Reads of the journey. Every selector takes the school, the assessment or the network it is
about; none grows its number of queries with the size of the team, the history or the network."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from credo.journey.models import (
    ActionStatus,
    DesignEssential,
    EssentialDomain,
    JourneyActionItem,
    JourneyAssessment,
    JourneyCompetency,
    JourneyConsensus,
    JourneyDomain,
    JourneyEvidence,
    JourneyFramework,
    JourneyRating,
    JourneySnapshot,
    JourneyTeamMember,
    Level,
    Status,
)
from credo.transcripts.profile import ProfileArea, ProfileCell

STATUS_LABELS = dict(Status.choices)


# --------------------------------------------------------------------------------------------
# The framework version


def framework_domains(
    framework: JourneyFramework, *, with_essentials: bool = False
) -> list[JourneyDomain]:
    """Return the version's domains in order, competencies (and essentials) prefetched."""
    qs = JourneyDomain.objects.filter(framework=framework).prefetch_related(
        Prefetch("competencies", queryset=JourneyCompetency.objects.order_by("number", "id"))
    )
    if with_essentials:
        qs = qs.prefetch_related(
            Prefetch(
                "essential_links",
                queryset=EssentialDomain.objects.select_related("essential").order_by(
                    "essential__order", "essential_id"
                ),
            )
        )
    return list(qs.order_by("order", "id"))


def framework_essentials(framework: JourneyFramework) -> list[DesignEssential]:
    """Return the version's design essentials, each with `.domain_list` (primary first)."""
    essentials = list(
        DesignEssential.objects.filter(framework=framework).prefetch_related(
            Prefetch(
                "domain_links",
                queryset=EssentialDomain.objects.select_related("domain").order_by("position"),
            )
        )
    )
    for e in essentials:
        e.domain_list = [link.domain for link in e.domain_links.all()]
    return essentials


def competencies_of(framework_or_id) -> list[JourneyCompetency]:
    return list(
        JourneyCompetency.objects.filter(
            framework_id=getattr(framework_or_id, "pk", framework_or_id)
        )
        .select_related("domain")
        .order_by("domain__order", "number", "id")
    )


# --------------------------------------------------------------------------------------------
# Team, ratings and consensus


def team_of(school) -> list[JourneyTeamMember]:
    """Return the school's leadership team, leads first."""
    return list(
        JourneyTeamMember.objects.filter(school=school)
        .select_related("user")
        .order_by("role", "user__last_name", "user__first_name", "user__username", "id")
    )


def consensus_current(assessment) -> dict[int, JourneyConsensus]:
    """Return the current agreed rating of each competency that has one, by competency id."""
    return {
        c.competency_id: c
        for c in JourneyConsensus.objects.filter(
            assessment=assessment, replaced_by__isnull=True
        ).select_related("decided_by")
    }


def consensus_statuses(assessment, competencies=None) -> dict[str, str]:
    """Return {competency code: agreed status} for every competency of the version."""
    competencies = (
        competencies if competencies is not None else competencies_of(assessment.framework_id)
    )
    current = {
        cid: status
        for cid, status in JourneyConsensus.objects.filter(
            assessment=assessment, replaced_by__isnull=True
        ).values_list("competency_id", "status")
    }
    return {c.code: current.get(c.pk, Status.NOT_STARTED) for c in competencies}


def count_statuses(competencies, statuses: dict[str, str]) -> dict[str, dict[str, int]]:
    """Return per level how many competencies are earned, in progress and not started."""
    counts = {level: {s: 0 for s in Status.values} | {"total": 0} for level in Level.values}
    for c in competencies:
        bucket = counts[c.level]
        bucket[statuses.get(c.code, Status.NOT_STARTED)] += 1
        bucket["total"] += 1
    return counts


def ratings_current(assessment) -> dict[tuple[int, int], JourneyRating]:
    """Return each member's current rating, keyed by (competency id, rater id)."""
    return {
        (r.competency_id, r.rater_id): r
        for r in JourneyRating.objects.filter(assessment=assessment, replaced_by__isnull=True)
    }


def my_ratings(assessment, user) -> dict[int, JourneyRating]:
    return {
        r.competency_id: r
        for r in JourneyRating.objects.filter(
            assessment=assessment, rater=user, replaced_by__isnull=True
        )
    }


@dataclass
class BoardRow:
    competency: JourneyCompetency
    consensus: JourneyConsensus | None
    ratings: list[JourneyRating | None]

    @property
    def status(self) -> str:
        return self.consensus.status if self.consensus else Status.NOT_STARTED

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def rated(self) -> list[JourneyRating]:
        return [r for r in self.ratings if r is not None]

    @property
    def spread(self) -> dict[str, int]:
        counts = Counter(r.status for r in self.rated)
        return {s: counts[s] for s in Status.values if counts[s]}

    @property
    def disagreement(self) -> bool:
        """True when team members who rated it chose different statuses."""
        return len(self.spread) > 1

    @property
    def unrated(self) -> int:
        return sum(1 for r in self.ratings if r is None)

    @property
    def suggestion(self) -> str | None:
        """The status every rater chose, when they agree; None otherwise."""
        spread = self.spread
        return next(iter(spread)) if len(spread) == 1 else None

    @property
    def suggestion_label(self) -> str:
        return STATUS_LABELS.get(self.suggestion, "") if self.suggestion else ""

    @property
    def consensus_differs(self) -> bool:
        """True when the team agrees among itself but the recorded consensus says otherwise."""
        return self.suggestion is not None and self.suggestion != self.status


@dataclass
class BoardDomain:
    domain: JourneyDomain
    rows: list[BoardRow] = field(default_factory=list)


def consensus_board(assessment, team: list[JourneyTeamMember]) -> list[BoardDomain]:
    """Return, domain by domain, every member's rating of each competency beside the agreed one."""
    domains = framework_domains(assessment.framework)
    consensus = consensus_current(assessment)
    ratings = ratings_current(assessment)
    board = []
    for domain in domains:
        bd = BoardDomain(domain)
        for c in domain.competencies.all():
            bd.rows.append(
                BoardRow(c, consensus.get(c.pk), [ratings.get((c.pk, m.user_id)) for m in team])
            )
        board.append(bd)
    return board


def board_summary(board: list[BoardDomain]) -> dict[str, int]:
    rows = [r for d in board for r in d.rows]
    return {
        "disagreements": sum(1 for r in rows if r.disagreement),
        "agreed": sum(1 for r in rows if r.consensus is not None),
        "total": len(rows),
    }


def competency_history(assessment, competency) -> dict:
    """Return one competency's ratings and agreed ratings over time, newest first."""
    return {
        "ratings": list(
            JourneyRating.objects.filter(assessment=assessment, competency=competency)
            .select_related("rater")
            .order_by("-rated_at", "-id")
        ),
        "consensus": list(
            JourneyConsensus.objects.filter(assessment=assessment, competency=competency)
            .select_related("decided_by")
            .order_by("-decided_at", "-id")
        ),
    }


def evidence_for(assessment, competency=None):
    qs = JourneyEvidence.objects.filter(
        assessment=assessment, withdrawn_at__isnull=True
    ).select_related("added_by", "competency")
    if competency is not None:
        qs = qs.filter(competency=competency)
    return list(qs.order_by("-added_at", "-id"))


def evidence_counts(assessment) -> dict[int, int]:
    counts: Counter = Counter(
        JourneyEvidence.objects.filter(
            assessment=assessment, withdrawn_at__isnull=True
        ).values_list("competency_id", flat=True)
    )
    return dict(counts)


def actions_of(assessment, *, competency=None, status: str | None = None, open_only: bool = False):
    """Return action items (optionally of one competency or status), soonest due first."""
    qs = JourneyActionItem.objects.filter(assessment=assessment).select_related(
        "owner", "competency", "school"
    )
    if competency is not None:
        qs = qs.filter(competency=competency)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status=ActionStatus.DONE)
    # Work still to do first, soonest due first; done items last.
    return sorted(
        qs,
        key=lambda a: (
            a.status == ActionStatus.DONE,
            a.due_on is None,
            a.due_on or dt.date.min,
            a.pk,
        ),
    )


def action_counts(assessment) -> dict[int, int]:
    return dict(
        Counter(
            JourneyActionItem.objects.filter(assessment=assessment)
            .exclude(status=ActionStatus.DONE)
            .values_list("competency_id", flat=True)
        )
    )


def consensus_log(assessment, *, limit: int = 50) -> list[JourneyConsensus]:
    """Return the most recent agreed-rating decisions, newest first, with what they replaced."""
    return list(
        JourneyConsensus.objects.filter(assessment=assessment)
        .select_related("decided_by", "competency", "replaces")
        .order_by("-decided_at", "-id")[:limit]
    )


# --------------------------------------------------------------------------------------------
# Profile


def profile_areas(
    domains: list[JourneyDomain], statuses: dict[str, str], *, href=None, detail=None
) -> list[ProfileArea]:
    """Return the profile's areas: a domain per sector, foundational inner ring, advanced outer.

    `statuses` maps code to status; `href(code)` and `detail(code)` optionally give each cell a link
    and a line of text.
    """
    areas = []
    for d in domains:
        cells = [
            ProfileCell(
                label=f"{c.code} {c.title}",
                level=c.level,
                state=statuses.get(c.code, Status.NOT_STARTED),
                detail=detail(c.code) if detail else "",
                href=href(c.code) if href else None,
            )
            for c in d.competencies.all()
        ]
        areas.append(ProfileArea(name=d.name, colour=d.colour, cells=tuple(cells)))
    return areas


def profile_counts(
    statuses: dict[str, str], domains: list[JourneyDomain]
) -> dict[str, dict[str, int]]:
    return count_statuses([c for d in domains for c in d.competencies.all()], statuses)


# --------------------------------------------------------------------------------------------
# Snapshots and history


def snapshots_of(school) -> list[JourneySnapshot]:
    """Return every snapshot of the school across its self-assessments, oldest first."""
    return list(
        JourneySnapshot.objects.filter(school=school)
        .select_related("taken_by", "assessment__framework")
        .order_by("taken_at", "id")
    )


def snapshot_changes(
    before: dict[str, str] | None, after: dict[str, str], competencies
) -> list[dict]:
    """Return the competencies whose agreed status differs between two snapshots (or from nothing)."""
    changes = []
    titles = {c.code: c.title for c in competencies}
    for code, status in after.items():
        old = (before or {}).get(code, Status.NOT_STARTED)
        if old != status:
            changes.append(
                {
                    "code": code,
                    "title": titles.get(code, code),
                    "before": old,
                    "after": status,
                    "before_label": STATUS_LABELS.get(old, old),
                    "after_label": STATUS_LABELS.get(status, status),
                }
            )
    return changes


def history_rows(school) -> list[dict]:
    """Return each snapshot with what changed since the one before it (newest first)."""
    shots = snapshots_of(school)
    frameworks = {s.assessment.framework_id for s in shots}
    comps = list(JourneyCompetency.objects.filter(framework_id__in=frameworks))
    rows, previous = [], None
    for s in shots:
        rows.append(
            {
                "snapshot": s,
                "changes": snapshot_changes(
                    previous.statuses if previous else None, s.statuses, comps
                ),
            }
        )
        previous = s
    rows.reverse()
    return rows


def progress_points(shots: list[JourneySnapshot], current: dict | None = None) -> list[dict]:
    """Return the chart's points: one per snapshot (and `current` counts as “now” when given)."""
    points = [
        {"label": s.label, "date": s.taken_at.date().isoformat(), "counts": s.counts} for s in shots
    ]
    if current is not None:
        points.append({"label": "Now", "date": "", "counts": current})
    return points


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


# --------------------------------------------------------------------------------------------
# The network


@dataclass
class NetworkSchool:
    school: object
    assessment: JourneyAssessment | None
    statuses: dict[str, str]
    counts: dict[str, dict[str, int]]
    areas: list[ProfileArea]


@dataclass
class CompetencyTally:
    code: str
    title: str
    level: str
    domain: str
    colour: str
    earned: list = field(default_factory=list)
    in_progress: list = field(default_factory=list)
    not_started: list = field(default_factory=list)


@dataclass
class LearnFrom:
    school: object
    code: str
    title: str
    status: str
    mentors: list


@dataclass
class NetworkOverview:
    network: object
    schools: list[NetworkSchool]
    tallies: list[CompetencyTally]
    learn_from: list[LearnFrom]


def network_overview(network) -> NetworkOverview:
    """Return every member school's agreed profile, how many schools have earned each competency
    and, for what a school is working on, which schools have already earned it.

    A fixed number of queries whatever the number of schools. Schools on different versions are
    compared by competency code; codes follow the built-in template's order.
    """
    from credo.schools.models import School

    schools = list(School.objects.filter(network=network).order_by("name"))
    assessments = {
        a.school_id: a
        for a in JourneyAssessment.objects.filter(
            school__in=schools, closed_at__isnull=True
        ).select_related("framework")
    }
    framework_ids = {a.framework_id for a in assessments.values()}
    domains_by_fw: dict[int, list[JourneyDomain]] = defaultdict(list)
    for d in (
        JourneyDomain.objects.filter(framework_id__in=framework_ids)
        .prefetch_related(
            Prefetch("competencies", queryset=JourneyCompetency.objects.order_by("number", "id"))
        )
        .order_by("order", "id")
    ):
        domains_by_fw[d.framework_id].append(d)
    agreed: dict[int, dict[int, str]] = defaultdict(dict)
    for assessment_id, competency_id, status in JourneyConsensus.objects.filter(
        assessment__in=assessments.values(), replaced_by__isnull=True
    ).values_list("assessment_id", "competency_id", "status"):
        agreed[assessment_id][competency_id] = status

    rows: list[NetworkSchool] = []
    tallies: dict[str, CompetencyTally] = {}
    for school in schools:
        a = assessments.get(school.pk)
        if a is None:
            rows.append(NetworkSchool(school, None, {}, {}, []))
            continue
        domains = domains_by_fw[a.framework_id]
        statuses = {}
        for d in domains:
            for c in d.competencies.all():
                statuses[c.code] = agreed[a.pk].get(c.pk, Status.NOT_STARTED)
                tally = tallies.setdefault(
                    c.code, CompetencyTally(c.code, c.title, c.level, d.name, d.colour)
                )
                getattr(tally, statuses[c.code]).append(school)
        rows.append(
            NetworkSchool(
                school,
                a,
                statuses,
                profile_counts(statuses, domains),
                profile_areas(domains, statuses),
            )
        )

    learn = []
    for row in rows:
        for code, status in row.statuses.items():
            if status == Status.EARNED:
                continue
            mentors = [s for s in tallies[code].earned if s.pk != row.school.pk]
            if mentors:
                learn.append(LearnFrom(row.school, code, tallies[code].title, status, mentors))
    # Work already under way first: that is where a visit or a call helps most.
    learn.sort(key=lambda x: (x.school.name, x.status != Status.IN_PROGRESS, _code_key(x.code)))
    return NetworkOverview(
        network, rows, sorted(tallies.values(), key=lambda t: _code_key(t.code)), learn
    )


_DOMAIN_ORDER = {"PV": 1, "GP": 2, "LM": 3, "AL": 4, "SU": 5}


def _code_key(code: str):
    prefix = code.rstrip("0123456789")
    number = code[len(prefix) :]
    return (_DOMAIN_ORDER.get(prefix, 99), prefix, int(number) if number else 0)


def network_frameworks(network) -> list[JourneyFramework]:
    """Return the built-in versions and the network's own adaptations, oldest first."""
    return list(
        JourneyFramework.objects.filter(Q(network__isnull=True) | Q(network=network)).order_by(
            "created_at", "id"
        )
    )


def framework_usage(framework_ids, network) -> dict[int, int]:
    """Return how many of the network's schools currently rate themselves against each version."""
    return dict(
        Counter(
            JourneyAssessment.objects.filter(
                framework_id__in=list(framework_ids),
                closed_at__isnull=True,
                school__network=network,
            ).values_list("framework_id", flat=True)
        )
    )


# --------------------------------------------------------------------------------------------
# The school home page


def home_summary(school, user) -> dict | None:
    """Return where the school's journey stands for a member of its leadership team: agreed
    counts per level and how many open action items `user` owns ({"started": False} before the
    self-assessment opens); None for anyone not on the team."""
    from credo.journey.access import open_assessment, team_member_of

    if team_member_of(user, school) is None:
        return None
    assessment = open_assessment(school)
    if assessment is None:
        return {"started": False}
    competencies = competencies_of(assessment.framework_id)
    counts = count_statuses(competencies, consensus_statuses(assessment, competencies))
    mine = (
        JourneyActionItem.objects.filter(assessment=assessment, owner=user)
        .exclude(status=ActionStatus.DONE)
        .count()
    )
    return {"started": True, "counts": counts, "my_open_actions": mine}
