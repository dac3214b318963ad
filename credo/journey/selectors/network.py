"""The network view: a network's schools, where each stands, whom to learn from, its versions."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from credo.journey.models import (
    JourneyAssessment,
    JourneyCompetency,
    JourneyConsensus,
    JourneyDomain,
    JourneyFramework,
    Status,
)
from credo.journey.selectors.profile import profile_areas, profile_counts
from credo.transcripts.profile import ProfileArea

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
