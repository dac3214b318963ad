"""Reads: the team board, readiness from the school's real configuration, the network overview."""

import pytest

from credo.journey import selectors as sel
from credo.journey import services
from credo.journey.models import JourneyCompetency
from credo.journey.tests.factories import make_team
from credo.mastery.models import GraduationRule, MasteryCredit
from credo.schools.models import Network
from credo.testing import make_small_school

pytestmark = pytest.mark.django_db


def comp(assessment, code):
    return JourneyCompetency.objects.get(framework=assessment.framework, code=code)


def test_the_board_flags_where_members_disagree(hill):
    team = make_team(hill)
    a = team.assessment
    services.journey_ratings_record(
        rater=team.lead, assessment=a, entries={"PV1": ("earned", ""), "PV2": ("earned", "")}
    )
    services.journey_ratings_record(
        rater=team.member, assessment=a, entries={"PV1": ("in_progress", ""), "PV2": ("earned", "")}
    )
    board = sel.consensus_board(a, sel.team_of(hill.school))
    rows = {r.competency.code: r for d in board for r in d.rows}
    assert rows["PV1"].disagreement and rows["PV1"].spread == {"in_progress": 1, "earned": 1}
    assert (
        not rows["PV2"].disagreement
        and rows["PV2"].suggestion == "earned"
        and rows["PV2"].consensus_differs
    )
    assert rows["PV1"].unrated == 1  # the registrar has not rated it
    assert sel.board_summary(board) == {"disagreements": 1, "agreed": 0, "total": 24}
    services.journey_consensus_record(
        actor=team.lead, assessment=a, competency=comp(a, "PV2"), status="earned"
    )
    rows = {
        r.competency.code: r
        for d in sel.consensus_board(a, sel.team_of(hill.school))
        for r in d.rows
    }
    assert rows["PV2"].status == "earned" and not rows["PV2"].consensus_differs


def test_readiness_is_computed_from_the_schools_configuration(hill):
    r = sel.readiness(hill.school, None)
    checks = {c.key: c for c in r.checks}
    assert checks["framework"].ok and checks["credits"].ok and checks["graduation"].ok
    assert not checks["evidence"].ok  # no credit asks for evidence, no panels yet
    assert not checks["profile"].ok and "mission" in checks["profile"].missing
    assert not checks["journey"].ok and not r.ready
    # Change the configuration and the answer follows.
    MasteryCredit.objects.filter(school=hill.school).update(min_evidence=2)
    GraduationRule.objects.filter(school=hill.school).delete()
    hill.school.mission, hill.school.context, hill.school.credit_policy = (
        "Learn.",
        "Rural, 300.",
        "Panels review.",
    )
    hill.school.save()
    checks = {c.key: c for c in sel.readiness(hill.school, None).checks}
    assert not checks["graduation"].ok and checks["profile"].ok
    # A foundational credit with no requirement is named.
    MasteryCredit.objects.create(
        school=hill.school, area=hill.areas[0], code="F9", title="Empty credit", standard="-"
    )
    checks = {c.key: c for c in sel.readiness(hill.school, None).checks}
    assert not checks["credits"].ok and checks["credits"].missing == ["Empty credit"]


def test_readiness_lists_the_foundational_competencies_not_yet_earned(hill):
    team = make_team(hill)
    a = team.assessment
    foundational = JourneyCompetency.objects.filter(framework=a.framework, level="foundational")
    for c in foundational.exclude(code="AL4"):
        services.journey_consensus_record(
            actor=team.lead, assessment=a, competency=c, status="earned"
        )
    journey = {c.key: c for c in sel.readiness(hill.school, a).checks}["journey"]
    assert not journey.ok and journey.missing == ["AL4 Mastery Transcript"]
    assert "14 of 15" in journey.detail


def test_network_overview_counts_and_who_to_learn_from(hill, dale):
    network = Network.objects.create(name="Valley", slug="valley")
    ridge = make_small_school("ridge")
    for s in (hill, dale, ridge):
        s.school.network = network
        s.school.save()
    t_hill, t_dale = make_team(hill), make_team(dale)
    for code in ("PV1", "AL4"):
        services.journey_consensus_record(
            actor=t_hill.lead,
            assessment=t_hill.assessment,
            competency=comp(t_hill.assessment, code),
            status="earned",
        )
    services.journey_consensus_record(
        actor=t_dale.lead,
        assessment=t_dale.assessment,
        competency=comp(t_dale.assessment, "AL4"),
        status="in_progress",
    )
    services.journey_consensus_record(
        actor=t_dale.lead,
        assessment=t_dale.assessment,
        competency=comp(t_dale.assessment, "GP1"),
        status="earned",
    )
    overview = sel.network_overview(network)
    assert [row.school.slug for row in overview.schools] == ["dale", "hill", "ridge"]
    assert overview.schools[2].assessment is None  # ridge has not started
    tallies = {t.code: t for t in overview.tallies}
    assert [s.slug for s in tallies["AL4"].earned] == ["hill"]
    assert [s.slug for s in tallies["AL4"].in_progress] == ["dale"]
    assert len(tallies["GP1"].earned) == 1 and len(tallies["SU4"].not_started) == 2
    assert list(tallies)[:2] == ["PV1", "PV2"] and list(tallies)[-1] == "SU4"
    learn = [
        (x.school.slug, x.code, x.status, [m.slug for m in x.mentors]) for x in overview.learn_from
    ]
    assert ("dale", "AL4", "in_progress", ["hill"]) in learn
    assert ("dale", "PV1", "not_started", ["hill"]) in learn
    assert ("hill", "GP1", "not_started", ["dale"]) in learn
    # Work under way comes first for each school.
    dale_items = [x for x in learn if x[0] == "dale"]
    assert dale_items[0][2] == "in_progress"
