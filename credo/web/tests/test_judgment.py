"""Professional judgment: a teacher of the student's section sets the level on a target against
the calculated one, with a reason; it shows in "how it was computed", is withdrawn by a later row,
and the school can switch it off. Both engine paths honour it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from credo.core.errors import NotAllowed, ValidationError
from credo.core.models import AuditEvent
from credo.mastery import bulk, services
from credo.mastery.models import Judgment, MasteryState
from credo.schools.services import school_settings_save

pytestmark = pytest.mark.django_db


def _state(student, competency):
    return MasteryState.objects.get(student=student, competency=competency)


def test_a_judgment_stands_in_both_paths_and_a_withdrawal_restores_the_calculation(world):
    me, c = world.me, world.hill.competencies[1]  # calculated 2: not yet
    assert _state(me, c).score == Decimal("2.00") and _state(me, c).status == "not_yet"
    services.judgment_set(
        actor=world.hill.teacher,
        student=me,
        competency=c,
        value="3",
        reason="Her lab work this month shows it.",
    )
    state = _state(me, c)
    assert state.score == Decimal("3.00") and state.status == "proficient"
    assert state.assessment_count == 1  # the history is unchanged
    assert bulk.check() == []  # the bulk path computes the same
    assert AuditEvent.objects.filter(action="judgment.set").exists()
    # a new assessment does not undo it
    services.assessment_record(
        assessor=world.hill.teacher,
        student=me,
        competency=c,
        value=1,
        demonstrated_on=dt.date(2025, 10, 2),
    )
    assert _state(me, c).score == Decimal("3.00") and bulk.check() == []
    services.judgment_withdraw(
        actor=world.hill.teacher, student=me, competency=c, reason="The new task says otherwise."
    )
    assert _state(me, c).score == Decimal("1.00") and bulk.check() == []
    assert Judgment.objects.filter(student=me).count() == 2  # append-only
    with pytest.raises(ValidationError, match="no judgment in force"):
        services.judgment_withdraw(actor=world.hill.teacher, student=me, competency=c, reason="x")


def test_the_school_switches_judgment_off_and_on(world):
    me, c = world.me, world.hill.competencies[1]
    services.judgment_set(actor=world.hill.teacher, student=me, competency=c, value="4", reason="r")
    school = world.hill.school
    school_settings_save(
        actor=world.hill.admin, school=school, name=school.name, judgment_enabled=False
    )
    assert _state(me, c).score == Decimal("2.00") and bulk.check() == []
    me.school.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.judgment_set(
            actor=world.hill.teacher, student=me, competency=c, value="3", reason="r"
        )
    school_settings_save(
        actor=world.hill.admin, school=school, name=school.name, judgment_enabled=True
    )
    assert _state(me, c).score == Decimal("4.00") and bulk.check() == []


def test_only_the_students_teacher_judges_and_bad_input_is_refused(world):
    me, c = world.me, world.hill.competencies[1]
    for who in (
        world.hill.admin,
        world.hill.advisor,
        world.me.user,
        world.guardian,
        world.dale.admin,
    ):
        with pytest.raises(NotAllowed):
            services.judgment_set(actor=who, student=me, competency=c, value="3", reason="r")
    teacher = world.hill.teacher
    for value, reason, message in (
        ("3", "", "Say why"),
        ("2.5", "r", "Choose one of the levels"),
        ("9", "r", "Choose one of the levels"),
        ("NaN", "r", "not a number"),
        ("three", "r", "not a number"),
        ("3", "bad\x00text", None),
    ):
        with pytest.raises(ValidationError, match=message):
            services.judgment_set(
                actor=teacher, student=me, competency=c, value=value, reason=reason
            )
    # no history on C6 yet: nothing to judge from
    with pytest.raises(ValidationError, match="no assessment"):
        services.judgment_set(
            actor=teacher, student=me, competency=world.hill.competencies[5], value="3", reason="r"
        )
    assert not Judgment.objects.exists()


def test_the_page_shows_the_judgment_and_the_form_to_teachers_only(world, client):
    me, c = world.me, world.hill.competencies[1]
    how = reverse("web:competency_how", args=[world.hill.school.slug, me.pk, c.pk])
    url = reverse("web:judgment", args=[world.hill.school.slug, me.pk, c.pk])
    client.force_login(world.hill.teacher)
    assert "Record my judgment" in client.get(how).content.decode()
    refused = client.post(url, {"action": "set", "value": "3", "reason": ""})
    assert (
        refused.status_code == 200 and "Say why your judgment differs" in refused.content.decode()
    )
    assert client.post(url, {"action": "set", "value": "17", "reason": "x"}).status_code == 200
    done = client.post(url, {"action": "set", "value": "3", "reason": "Seen in the lab."})
    assert done.status_code == 302
    client.force_login(me.user)
    page = client.get(how).content.decode()
    assert "Professional judgment" in page and "Seen in the lab." in page
    assert "judged the level to be 3" in page and "Record my judgment" not in page
    # the student, a guardian, an advisor, another school: refused and nothing written
    for who, status in (
        (me.user, 403),
        (world.guardian, 403),
        (world.hill.advisor, 403),
        (world.dale.admin, 404),
    ):
        client.force_login(who)
        assert (
            client.post(url, {"action": "set", "value": "4", "reason": "x"}).status_code == status
        )
    client.logout()
    assert client.post(url, {"action": "set", "value": "4", "reason": "x"}).status_code == 302
    assert Judgment.objects.count() == 1
    client.force_login(world.hill.teacher)
    gone = client.post(url, {"action": "withdraw", "reason": "Revisited."})
    assert gone.status_code == 302 and _state(me, c).score == Decimal("2.00")
    assert "withdrew the judgment" in client.get(how).content.decode()
