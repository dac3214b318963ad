"""Canvas outcomes and scores CSV: import, methods and scales, idempotence, round trips, and problems."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from credo.frameworks.models import Competency, Framework
from credo.interop import canvas, exports
from credo.interop.common import ImportRefused
from credo.interop.importers.canvas import import_canvas
from credo.interop.importers.scores import import_scores
from credo.mastery import bulk
from credo.mastery.models import Assessment, MasteryState
from credo.testing import make_small_school

OUTCOMES = """vendor_guid,object_type,title,description,display_name,calculation_method,calculation_int,mastery_points,parent_guids,workflow_state,ratings,,,,,,,
g1,group,Scientific practices,,SP,,,,,active,,,,,,,,
g2,group,Modelling,<p>Models &amp; systems</p>,SP.M,,,,g1,active,,,,,,,,
o1,outcome,Builds a model,<p>Uses a model to <b>predict</b></p>,SP.M.1,decaying_average,65,3,g2,active,4,Exceeds,3,Meets,2,Approaching,1,Beginning
o2,outcome,Tests a model,,SP.M.2,standard_decaying_average,70,3,g2,active,4,Exceeds,3,Meets,2,Approaching,1,Beginning
o3,outcome,Argues from evidence,,SP.3,n_mastery,3,2,g1,active,3,Strong,2,Solid,1,Emerging,,
"""


@pytest.mark.django_db
def test_groups_outcomes_ratings_and_methods_become_a_framework(hill):
    summary = import_canvas(
        actor=hill.admin, school=hill.school, name="science.csv", data=OUTCOMES.encode()
    )
    framework = Framework.objects.get(school=hill.school, name="science")
    tree = {
        c.code: c
        for c in Competency.objects.filter(framework=framework).select_related("parent", "scale")
    }
    assert set(tree) == {"SP", "SP.M", "SP.M.1", "SP.M.2", "SP.3"}
    assert tree["SP.M.1"].parent == tree["SP.M"] and tree["SP.M"].parent == tree["SP"]
    assert tree["SP.M.1"].statement == "Builds a model — Uses a model to predict"
    # decaying_average in Canvas weights the latest against the mean of the rest: our weighted_average.
    assert (framework.calculation_method, framework.calculation_param) in {("weighted_average", 65)}
    assert (tree["SP.M.2"].calculation_method, tree["SP.M.2"].calculation_param) == (
        "decaying_average",
        70,
    )
    assert (tree["SP.3"].calculation_method, tree["SP.3"].calculation_param) == ("n_mastery", 3)
    assert framework.scale.mastery_threshold == 3 and framework.scale.max_value == 4
    assert [lv.label for lv in framework.scale.levels.order_by("value")] == [
        "Beginning",
        "Approaching",
        "Meets",
        "Exceeds",
    ]
    assert tree["SP.3"].scale.max_value == 3 and tree["SP.3"].scale.mastery_threshold == 2
    assert summary["competency"].created == 5
    again = import_canvas(
        actor=hill.admin, school=hill.school, name="science.csv", data=OUTCOMES.encode()
    )
    assert again.changed == 0


@pytest.mark.django_db
def test_export_and_reimport_round_trip(hill):
    import_canvas(actor=None, school=hill.school, name="science.csv", data=OUTCOMES.encode())
    framework = Framework.objects.get(school=hill.school, name="science")
    data, warnings = exports.canvas_csv(framework)
    assert warnings == []
    entries, problems = canvas.parse("out.csv", data)
    assert not problems, [str(p) for p in problems]
    other = make_small_school("vale")
    import_canvas(actor=None, school=other.school, name="science.csv", data=data)

    def shape(school):
        rows = Competency.objects.filter(school=school, framework__name="science").select_related(
            "parent", "scale"
        )
        return sorted(
            (
                c.code,
                c.statement,
                c.parent.code if c.parent else None,
                c.calculation_method,
                c.calculation_param,
                c.effective_scale.mastery_threshold,
            )
            for c in rows
        )

    assert shape(other.school) == shape(hill.school)
    # Exporting our own framework writes our methods in Canvas's words, and says what Canvas cannot hold.
    hill.framework.calculation_method = "mode"
    hill.framework.save()
    _, warnings = exports.canvas_csv(hill.framework)
    assert len(warnings) == 6 and "most frequent" in warnings[0]


@pytest.mark.django_db
def test_canvas_problems_are_all_placed(hill):
    bad = (
        OUTCOMES.replace("o2,outcome", "o1,outcome")
        .replace("n_mastery,3", "n_mastery,30")
        .replace("g2,active,4,Exceeds,3,Meets", "g9,active,4,Exceeds,5,Meets")
    )
    with pytest.raises(ImportRefused) as caught:
        import_canvas(actor=None, school=hill.school, name="bad.csv", data=bad.encode())
    text = {str(p) for p in caught.value.problems}
    assert "bad.csv:5: vendor_guid: “o1” is also on line 4" in text
    assert "bad.csv:6: calculation_int: 30 is outside 1–10 for n_mastery" in text
    assert any(t.startswith("bad.csv:4: ratings tier 2:") for t in text)
    assert any(t.startswith("bad.csv:4: parent_guids:") for t in text)
    assert not Framework.objects.filter(name="bad").exists()


SCORES = """student_id,competency_code,value,date,assessor,kind,feedback
{s1},C1,3,2025-09-10,teacher-hill,summative,Clear model
{s1},C1,4,2025-10-01,teacher-hill,,
{s2},C2,2.5,2025-09-12,,formative,"Keep going, nearly there"
"""


@pytest.mark.django_db
def test_scores_become_assessments_once_and_the_records_agree(hill):
    s1, s2 = hill.students[0], hill.students[1]
    data = SCORES.format(s1=s1.student_number, s2=s2.student_number).encode()
    summary = import_scores(actor=hill.admin, school=hill.school, name="history.csv", data=data)
    assert summary["assessment"].created == 3
    state = MasteryState.objects.get(student=s1, competency=hill.competencies[0])
    assert state.score == Decimal("4.00") and state.status == "exceeds"
    first = Assessment.objects.filter(student=s1).order_by("demonstrated_on").first()
    assert first.assessor == hill.teacher and first.feedback == "Clear model"
    assert Assessment.objects.get(student=s2).assessor == hill.admin  # blank assessor: the importer
    assert bulk.check([hill.school.pk]) == []
    assert (
        import_scores(actor=hill.admin, school=hill.school, name="history.csv", data=data).changed
        == 0
    )


@pytest.mark.django_db
def test_scores_export_round_trips_into_another_school(hill, tmp_path):
    s1 = hill.students[0]
    data = SCORES.format(s1=s1.student_number, s2=hill.students[1].student_number).encode()
    import_scores(actor=hill.admin, school=hill.school, name="history.csv", data=data)
    exported = exports.scores_csv(hill.school)
    assert exported.decode().splitlines()[0] == ",".join(exports.SCORE_COLUMNS)
    # Importing a school's own export adds nothing.
    assert (
        import_scores(
            actor=hill.admin, school=hill.school, name="export.csv", data=exported
        ).changed
        == 0
    )
    out = tmp_path / "scores.csv"
    call_command("export", "scores", "--school", "hill", "--out", str(out))
    assert out.read_bytes() == exported


@pytest.mark.django_db
def test_score_problems_are_all_placed_and_nothing_is_written(hill):
    today = dt.date.today()
    bad = (
        "student_id,competency_code,value,date,assessor,kind,feedback\n"
        f"{hill.students[0].student_number},C1,9,2025-09-10,teacher-hill,summative,\n"  # outside the scale
        "NOPE,C1,3,2025-09-10,,,\n"  # unknown student
        f"{hill.students[0].student_number},ZZ,3,2025-13-10,,,\n"  # unknown code, bad date
        f"{hill.students[0].student_number},C1,three,{today + dt.timedelta(days=9)},nobody,final,\n"
    ).encode()
    with pytest.raises(ImportRefused) as caught:
        import_scores(actor=hill.admin, school=hill.school, name="s.csv", data=bad)
    places = {(p.line, p.column) for p in caught.value.problems}
    assert places >= {
        (2, "value"),
        (3, "student_id"),
        (4, "date"),
        (5, "value"),
        (5, "date"),
        (5, "kind"),
    }
    assert Assessment.objects.count() == 0
    missing = b"student_id,value,date\nS1,3,2025-01-01\n"
    with pytest.raises(ImportRefused) as caught:
        import_scores(actor=hill.admin, school=hill.school, name="m.csv", data=missing)
    assert "m.csv:1: competency_code: the column is missing from the header" in {
        str(p) for p in caught.value.problems
    }


@pytest.mark.django_db
def test_import_command_for_scores_exits_non_zero_on_problems(hill, tmp_path, capsys):
    path = tmp_path / "s.csv"
    path.write_bytes(b"student_id,competency_code,value,date\n\xe9,C1,3,2025-01-01\n")
    with pytest.raises(CommandError):
        call_command("import", "scores", str(path), "--school", "hill")
    assert "s.csv:2: byte 1: not UTF-8" in capsys.readouterr().err
