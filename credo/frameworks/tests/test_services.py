from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from credo.frameworks import services
from credo.frameworks.models import ScaleLevel
from credo.mastery import bulk
from credo.mastery.models import MasteryState
from credo.mastery.services import assessment_record

LEVELS = [
    ("1", "Beginning", ""),
    ("2", "Developing", ""),
    ("3", "Proficient", ""),
    ("4", "Exceeding", ""),
]


def test_a_scale_is_saved_with_its_levels_in_order(hill):
    scale = services.scale_save(
        actor=hill.admin,
        school=hill.school,
        name="Five",
        mastery_threshold="3",
        exceeds_threshold="5",
        levels=[("5", "Distinguished", "d"), *LEVELS],
    )
    assert (scale.min_value, scale.max_value) == (1, 5)
    assert list(ScaleLevel.objects.filter(scale=scale).values_list("value", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
    ]


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"name": "", "mastery_threshold": "3"}, "name"),
        ({"name": "S", "mastery_threshold": "x"}, "mastery_threshold"),
        ({"name": "S", "mastery_threshold": "7"}, "mastery_threshold"),
        ({"name": "S", "mastery_threshold": "3", "exceeds_threshold": "2"}, "exceeds_threshold"),
        ({"name": "S", "mastery_threshold": "3", "levels": [("1", "A", "")]}, "levels"),
        (
            {"name": "S", "mastery_threshold": "3", "levels": [*LEVELS, ("2", "Again", "")]},
            "levels",
        ),
        ({"name": "S", "mastery_threshold": "3", "levels": [*LEVELS, ("6", "", "")]}, "levels"),
    ],
)
def test_bad_scales_are_refused(hill, kwargs, field):
    kwargs.setdefault("levels", LEVELS)
    with pytest.raises(ValidationError) as exc:
        services.scale_save(actor=hill.admin, school=hill.school, **kwargs)
    assert field in exc.value.message_dict


def test_changing_a_threshold_in_use_recomputes_the_school(hill):
    s, c = hill.students[0], hill.competencies[0]
    assessment_record(
        assessor=hill.teacher,
        student=s,
        competency=c,
        value=3,
        demonstrated_on=hill.section.term.starts_on,
    )
    assert MasteryState.objects.get(student=s, competency=c).status == "proficient"
    services.scale_save(
        actor=hill.admin,
        school=hill.school,
        name=hill.scale.name,
        mastery_threshold="3.5",
        exceeds_threshold="4",
        levels=LEVELS,
        scale=hill.scale,
    )
    assert MasteryState.objects.get(student=s, competency=c).status == "not_yet"
    assert bulk.check() == []
    with pytest.raises(ValidationError):  # cannot drop a level value already recorded
        services.scale_save(
            actor=hill.admin,
            school=hill.school,
            name="x",
            mastery_threshold="2",
            levels=[("1", "A", ""), ("2", "B", "")],
            scale=hill.scale,
        )


def test_framework_method_is_checked_and_a_change_rescores(hill):
    with pytest.raises(ValidationError) as exc:
        services.framework_save(
            actor=hill.admin,
            school=hill.school,
            name="F",
            scale=hill.scale,
            calculation_method="latest",
            calculation_param=5,
        )
    assert "calculation_param" in exc.value.message_dict
    s, c = hill.students[0], hill.competencies[0]
    d = hill.section.term.starts_on
    assessment_record(assessor=hill.teacher, student=s, competency=c, value=4, demonstrated_on=d)
    assessment_record(assessor=hill.teacher, student=s, competency=c, value=2, demonstrated_on=d)
    services.framework_save(
        actor=hill.admin,
        school=hill.school,
        name=hill.framework.name,
        scale=hill.scale,
        calculation_method="highest",
        framework=hill.framework,
    )
    assert MasteryState.objects.get(student=s, competency=c).score == Decimal("4.00")
    assert bulk.check() == []


def test_competencies_stay_a_tree_within_one_school(hill, dale):
    c1, c2 = hill.competencies[:2]
    services.competency_save(
        actor=hill.admin,
        school=hill.school,
        framework=hill.framework,
        code="C2",
        statement="x",
        parent=c1,
        competency=c2,
    )
    with pytest.raises(ValidationError) as exc:
        services.competency_save(
            actor=hill.admin,
            school=hill.school,
            framework=hill.framework,
            code="C1",
            statement="x",
            parent=c2,
            competency=c1,
        )
    assert "parent" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.competency_save(
            actor=hill.admin, school=hill.school, framework=dale.framework, code="Z", statement="x"
        )
    with pytest.raises(PermissionDenied):
        services.competency_save(
            actor=hill.teacher,
            school=hill.school,
            framework=hill.framework,
            code="Z",
            statement="x",
        )
