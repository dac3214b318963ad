"""Educators' records on the same engine: for random observation histories, the incremental path
(each observation as it is recorded) and the bulk path (`credo recompute` / `credo check`) agree."""

import datetime as dt
import io
import os

import pytest
from django.core.management import call_command
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credo.growth import selectors, services
from credo.growth.testing import make_staffroom
from credo.mastery import bulk
from credo.mastery.models import MasteryState
from credo.mastery.services import assessment_record
from credo.testing import materialized

METHODS = st.one_of(
    st.tuples(st.sampled_from(["latest", "highest", "average", "mode"]), st.none()),
    st.tuples(st.just("decaying_average"), st.integers(50, 99)),
    st.tuples(st.just("n_mastery"), st.integers(1, 3)),
)
STEP = st.tuples(
    st.sampled_from(["coach", "coach", "leader", "peer", "self", "student"]),
    st.integers(0, 5),  # competency
    st.sampled_from(["1", "2", "3", "4"]),
    st.integers(0, 200),  # day offset, out of order on purpose
)


@pytest.fixture
def room(hill):
    room = make_staffroom(hill)
    services.peer_invite(actor=room.educator.user, educator=room.educator, peer=room.other.user)
    return room


@settings(
    max_examples=int(os.environ.get("CREDO_PROPERTY_EXAMPLES", "30")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(method=METHODS, steps=st.lists(STEP, min_size=1, max_size=15))
def test_educator_records_incremental_equals_bulk(hill, room, method, steps):
    savepoint = transaction.savepoint()
    try:
        framework = selectors.educator_framework(hill.school)
        framework.calculation_method, framework.calculation_param = method
        framework.save()
        start = dt.date(2025, 3, 1)
        for who, c, value, offset in steps:
            day = start + dt.timedelta(days=offset)
            comp = room.competencies[c]
            if who == "self":
                services.self_assess(
                    actor=room.educator.user,
                    educator=room.educator,
                    competency_id=comp.pk,
                    value=value,
                    on=day,
                )
            elif who == "student":  # students' records move alongside, untouched by educators'
                assessment_record(
                    assessor=hill.teacher,
                    student=hill.students[0],
                    competency=hill.competencies[c],
                    value=value,
                    demonstrated_on=day,
                )
            else:
                actor = {"coach": room.coach, "leader": hill.admin, "peer": room.other.user}[who]
                services.observation_record(
                    actor=actor,
                    educator=room.educator,
                    observed_on=day,
                    notes="Seen in class.",
                    ratings={comp.pk: value},
                    feedback="Next, try it with the whole class.",
                )
        incremental = materialized()
        assert bulk.check() == []
        bulk.recompute([hill.school.pk])
        assert materialized() == incremental
    finally:
        transaction.savepoint_rollback(savepoint)


def test_credo_check_covers_educator_records(hill, room):
    """`credo check` reads educators' states too: a tampered educator's state is reported."""
    from credo.growth.testing import observe

    observe(room, value=3)
    out = io.StringIO()
    call_command("check", stdout=out)
    assert "0 differences" in out.getvalue()
    state = MasteryState.objects.get(student_id=room.educator.learner_id)
    MasteryState.objects.filter(pk=state.pk).update(score="1.00", status="not_yet")
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("check", stdout=out, stderr=err)
    assert exc.value.code == 1
    assert str(room.educator.learner_id) in out.getvalue() + err.getvalue()
    call_command("recompute", stdout=io.StringIO())
    assert MasteryState.objects.get(student_id=room.educator.learner_id).score == 3
