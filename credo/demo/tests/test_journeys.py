"""The demo journeys: every school at its own point, with history, disagreements, actions and evidence."""

import datetime as dt

import pytest
from django.db import transaction

from credo.core.models import AuditEvent
from credo.demo.journeys import Plan, load_demo_journeys
from credo.journey import selectors as sel
from credo.journey.models import JourneyAssessment, JourneyConsensus, JourneyRating, JourneySnapshot
from credo.schools.models import Network

pytestmark = pytest.mark.django_db

PLANS = {
    "hill": Plan(
        earned=("PV1", "PV2", "GP1", "LM1", "AL1", "AL3", "SU1"), in_progress=("PV3", "AL4", "GP2")
    ),
    "dale": Plan(earned=("PV1",), in_progress=("PV2", "GP1", "LM3")),
}


def test_each_school_ends_where_its_plan_says_with_a_history(hill, dale):
    network = Network.objects.create(name="Valley", slug="valley")
    for s in (hill, dale):
        s.school.network = network
        s.school.save()
    made = load_demo_journeys(
        [hill.school, dale.school], network, plans=PLANS, today=dt.date(2026, 3, 13)
    )
    assert set(made) == {"hill", "dale"}
    for s in (hill, dale):
        a = JourneyAssessment.objects.get(school=s.school)
        statuses = sel.consensus_statuses(a)
        plan = PLANS[s.school.slug]
        assert {c for c, v in statuses.items() if v == "earned"} == set(plan.earned)
        assert {c for c, v in statuses.items() if v == "in_progress"} == set(plan.in_progress)
        shots = list(JourneySnapshot.objects.filter(school=s.school).order_by("taken_at"))
        assert len(shots) == 5 and all(x.taken_at.date() < dt.date(2026, 3, 13) for x in shots)
        earned = [
            x.counts["foundational"]["earned"] + x.counts["advanced"]["earned"] for x in shots
        ]
        assert earned == sorted(earned)  # progress never runs backwards in the demo
        team = sel.team_of(s.school)
        assert team[0].user == s.admin and team[0].is_lead and len(team) >= 3
        assert a.actions.exists() and a.evidence.exists()
        # The consensus history is a chain: each change replaces the one before.
        for c in JourneyConsensus.objects.filter(assessment=a, replaces__isnull=False):
            assert (
                c.replaces.competency_id == c.competency_id
                and c.replaces.decided_at <= c.decided_at
            )
    board = sel.consensus_board(
        JourneyAssessment.objects.get(school=hill.school), sel.team_of(hill.school)
    )
    assert sel.board_summary(board)["disagreements"] >= 1 or made["hill"]["disagreements"] == 0
    assert AuditEvent.objects.filter(action="journey.consensus_recorded").count() == sum(
        m["decisions"] for m in made.values()
    )


def test_the_demo_is_deterministic(hill):
    def run():
        with transaction.atomic():
            made = load_demo_journeys([hill.school], plans=PLANS, today=dt.date(2026, 3, 13))
            rows = list(
                JourneyConsensus.objects.values_list(
                    "competency__code", "status", "decided_at"
                ).order_by("id")
            )
            ratings = list(
                JourneyRating.objects.values_list("competency__code", "rater", "status").order_by(
                    "id"
                )
            )
            transaction.set_rollback(True)
        return made, rows, ratings

    assert run() == run()
