"""A teacher's pages: record in place, for the whole class, corrections, habits, differentiation, support."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from credo.core.models import AuditEvent
from credo.mastery.models import Assessment, CreditProgress, MasteryState
from credo.mastery.services import assessment_record

DAY = dt.date(2025, 10, 1)


@pytest.fixture
def teacher(client, hill):
    client.force_login(hill.teacher)
    return client


def url(name, hill, *args):
    return reverse(f"web:{name}", args=[hill.school.slug, hill.section.pk, *args])


def test_gradebook_shows_level_trend_and_evidence_count(teacher, hill):
    s, c = hill.students[0], hill.competencies[0]
    assessment_record(assessor=hill.teacher, student=s, competency=c, value=2, demonstrated_on=DAY)
    assessment_record(
        assessor=hill.teacher,
        student=s,
        competency=c,
        value=3,
        demonstrated_on=DAY + dt.timedelta(1),
    )
    html = teacher.get(url("section", hill)).content.decode()
    cell = html.split(f'id="cell-{s.pk}-{c.pk}"')[1].split("</td>")[0]
    assert (
        ">3<" in cell and "rising" in cell and ">2<" in cell
    )  # level 3, rising, 2 pieces of evidence
    assert '<th scope="col"><abbr title="Competency 1">C1</abbr></th>' in html


def test_record_in_place_with_htmx_updates_the_cell_and_the_panel(teacher, hill):
    s, c = hill.students[0], hill.competencies[0]
    response = teacher.post(
        url("cell", hill, s.pk, c.pk),
        {
            "value": "3",
            "demonstrated_on": "2025-10-01",
            "kind": "summative",
            "feedback": "Clear reasoning.",
            "accommodated": "on",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-swap-oob="true"' in html and f'id="cell-{s.pk}-{c.pk}"' in html
    assert "Recorded 3" in html and 'role="status"' in html
    a = Assessment.objects.get(student=s, competency=c)
    assert (a.value, a.feedback, a.accommodated, a.modified_scale) == (
        Decimal("3.00"),
        "Clear reasoning.",
        True,
        False,
    )
    assert MasteryState.objects.get(student=s, competency=c).status == "proficient"


def test_record_without_javascript_redirects_back_to_the_cell(teacher, hill):
    s, c = hill.students[0], hill.competencies[0]
    response = teacher.post(
        url("cell", hill, s.pk, c.pk),
        {"value": "2", "demonstrated_on": "2025-10-01", "kind": "formative"},
    )
    assert response.status_code == 302 and response["Location"] == url("cell", hill, s.pk, c.pk)


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"value": "", "demonstrated_on": "2025-10-01", "kind": "summative"},
            "value",
            "Choose a level on the scale.",
        ),
        (
            {"value": "9", "demonstrated_on": "2025-10-01", "kind": "summative"},
            "value",
            "Select a valid choice.",
        ),
        (
            {"value": "3", "demonstrated_on": "2099-01-01", "kind": "summative"},
            "demonstrated_on",
            "is in the future",
        ),
        (
            {"value": "3", "demonstrated_on": "yesterday", "kind": "summative"},
            "demonstrated_on",
            "Give a date like",
        ),
        (
            {"value": "3", "demonstrated_on": "2025-10-01", "kind": "graded"},
            "kind",
            "Select a valid choice.",
        ),
    ],
)
def test_bad_assessments_are_refused_beside_the_field(teacher, hill, data, field, message):
    s, c = hill.students[0], hill.competencies[0]
    before = AuditEvent.objects.count()
    response = teacher.post(url("cell", hill, s.pk, c.pk), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert f'id="id_{field}-error"' in html and 'aria-invalid="true"' in html
    assert not Assessment.objects.exists() and AuditEvent.objects.count() == before


def test_a_teacher_cannot_open_a_student_outside_the_section(teacher, hill, dale):
    from credo.testing import make_student

    stranger = make_student(hill.school)
    assert teacher.get(url("cell", hill, stranger.pk, hill.competencies[0].pk)).status_code == 404
    assert (
        teacher.get(url("cell", hill, hill.students[0].pk, dale.competencies[0].pk)).status_code
        == 404
    )
    assert teacher.get(url("cell", hill, hill.students[0].pk, hill.habit.pk)).status_code == 404


def test_a_retake_is_a_new_assessment_and_a_correction_keeps_the_original(teacher, hill):
    s, c = hill.students[0], hill.competencies[0]
    first = assessment_record(
        assessor=hill.teacher, student=s, competency=c, value=1, demonstrated_on=DAY
    )
    assessment_record(
        assessor=hill.teacher,
        student=s,
        competency=c,
        value=3,
        demonstrated_on=DAY + dt.timedelta(7),
    )
    response = teacher.post(
        reverse("web:correct", args=[hill.school.slug, hill.section.pk, first.pk]),
        {
            "action": "correct",
            "value": "2",
            "demonstrated_on": "2025-10-01",
            "kind": "summative",
            "feedback": "typo",
        },
    )
    assert response.status_code == 302
    assert Assessment.objects.filter(student=s, competency=c).count() == 3
    first.refresh_from_db()
    assert first.value == Decimal("1.00") and first.replaced_by.value == Decimal("2.00")
    html = teacher.get(url("cell", hill, s.pk, c.pk)).content.decode()
    assert "Replaced by a correction" in html
    refused = teacher.post(
        reverse("web:correct", args=[hill.school.slug, hill.section.pk, first.pk]),
        {"action": "retract", "reason": ""},
    )
    assert "Say why the assessment is being retracted." in refused.content.decode()


def test_whole_class_entry_records_every_level_given(teacher, hill):
    c = hill.competencies[2]
    s1, s2, s3 = hill.students
    response = teacher.post(
        url("class_task", hill),
        {
            "competency": c.pk,
            "task": "Lab report 2",
            "demonstrated_on": "2025-10-02",
            "kind": "summative",
            f"value-{s1.pk}": "3",
            f"feedback-{s1.pk}": "Strong",
            f"value-{s2.pk}": "2",
            f"value-{s3.pk}": "",
        },
    )
    assert response.status_code == 302
    rows = {a.student_id: a for a in Assessment.objects.filter(competency=c)}
    assert (
        set(rows) == {s1.pk, s2.pk}
        and rows[s1.pk].feedback == "Strong"
        and rows[s1.pk].task == "Lab report 2"
    )
    assert CreditProgress.objects.filter(student=s1, credit=hill.credits["count"]).exists()


def test_whole_class_entry_is_all_or_nothing_with_errors_beside_the_row(teacher, hill):
    c = hill.competencies[2]
    s1, s2, _ = hill.students
    before = AuditEvent.objects.count()
    response = teacher.post(
        url("class_task", hill),
        {
            "competency": c.pk,
            "task": "Lab",
            "demonstrated_on": "2025-10-02",
            "kind": "summative",
            f"value-{s1.pk}": "3",
            f"value-{s2.pk}": "7",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="err-{s2.pk}"' in html and "outside the scale" in html
    assert not Assessment.objects.exists() and AuditEvent.objects.count() == before
    response = teacher.post(
        url("class_task", hill),
        {
            "competency": c.pk,
            "task": "",
            "demonstrated_on": "2025-10-02",
            "kind": "summative",
            f"value-{s1.pk}": "3",
        },
    )
    assert "Name the task" in response.content.decode() and not Assessment.objects.exists()
    response = teacher.post(
        url("class_task", hill),
        {"competency": c.pk, "task": "Lab", "demonstrated_on": "2025-10-02", "kind": "summative"},
    )
    assert "Enter a level for at least one student." in response.content.decode()


def test_class_entry_reloads_the_levels_of_the_chosen_target_with_htmx(teacher, hill):
    response = teacher.get(
        url("class_task", hill) + f"?competency={hill.competencies[0].pk}", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "<table" in html and "<html" not in html and "3 · Proficient" in html


def test_differentiation_sorts_the_class_into_levels_with_next_steps(teacher, hill):
    c = hill.competencies[0]
    s1, s2, s3 = hill.students
    assessment_record(assessor=hill.teacher, student=s1, competency=c, value=2, demonstrated_on=DAY)
    assessment_record(assessor=hill.teacher, student=s2, competency=c, value=4, demonstrated_on=DAY)
    from credo.mastery.gradebook import differentiation

    groups = {g.label: [s for s, _ in g.students] for g in differentiation(hill.section, c)}
    assert (
        groups["Developing"] == [s1]
        and groups["Exceeding"] == [s2]
        and groups["No evidence yet"] == [s3]
    )
    html = teacher.get(url("differentiate", hill) + f"?competency={c.pk}").content.decode()
    assert "Next: reach Proficient (3)" in html and "Next: a first piece of evidence" in html
    assert f"{url('class_task', hill)}?competency={c.pk}" in html  # act on it for the class


def test_habits_quick_entry_is_kept_apart_from_academic_levels(teacher, hill):
    s1, s2, _ = hill.students
    response = teacher.post(
        url("habits", hill),
        {
            "demonstrated_on": "2025-10-03",
            "period": "Weekly check-in",
            f"h-{s1.pk}-{hill.habit.pk}": "4",
        },
    )
    assert response.status_code == 302
    a = Assessment.objects.get()
    assert a.competency == hill.habit and a.task == "Weekly check-in"
    assert not CreditProgress.objects.exists()  # habits never count toward academic credits here
    bad = teacher.post(
        url("habits", hill),
        {
            "demonstrated_on": "2025-10-03",
            "period": "Weekly check-in",
            f"h-{s2.pk}-{hill.habit.pk}": "12",
        },
    )
    assert "outside the scale" in bad.content.decode() and Assessment.objects.count() == 1
    # the current level is read out with each choice, and the error is tied to its cell
    page = bad.content.decode()
    assert f'aria-describedby="now-h-{s1.pk}-{hill.habit.pk}"' in page
    assert f'aria-describedby="err-h-{s2.pk}-{hill.habit.pk}"' in page


def test_not_progressing_lists_stalls_and_students_behind_pace(teacher, hill):
    from credo.mastery.gradebook import not_progressing

    s1, s2, _ = hill.students
    c = hill.competencies[0]
    today = dt.date.today()
    old = today - dt.timedelta(days=80)
    assessment_record(assessor=hill.teacher, student=s1, competency=c, value=2, demonstrated_on=old)
    assessment_record(
        assessor=hill.teacher, student=s1, competency=c, value=2, demonstrated_on=today
    )
    assessment_record(assessor=hill.teacher, student=s2, competency=c, value=1, demonstrated_on=old)
    assessment_record(
        assessor=hill.teacher, student=s2, competency=c, value=2, demonstrated_on=today
    )  # a gain
    stalls, behind = not_progressing(hill.section)
    assert [(st.student, st.competency) for st in stalls] == [(s1, c)]
    html = teacher.get(url("support", hill)).content.decode()
    assert "No gain on a target in the last 42 days" in html and str(s1) in html


def test_graduation_pace():
    from credo.mastery.gradebook import graduation_pace

    class Status:
        detail = [{"need": 4, "have": 1}, {"need": 2, "have": 2}]

    half_way = dt.date(2026, 1, 15)  # class of 2028: 2024-09-01 .. 2028-06-15
    pace = graduation_pace(Status(), 2028, half_way)
    assert pace.progress == Decimal(3) / Decimal(6) and not pace.behind
    assert graduation_pace(Status(), 2026, half_way).behind  # 50% met, ~88% of the time gone
    assert graduation_pace(None, 2030, half_way).progress == 1  # no rules: nothing to be behind on


def test_gradebook_explains_its_colours_in_words(teacher, hill):
    html = teacher.get(url("section", hill)).content.decode()
    legend = html.split('<ul class="legend"')[1].split("</ul>")[0]
    for words in ("Not yet", "Proficient", "Exceeds", "No evidence yet"):
        assert words in legend
    assert 'aria-describedby="gb-help"' in html


def test_an_htmx_error_focuses_the_error_summary_and_keeps_the_cell_marked(teacher, hill):
    s, c = hill.students[0], hill.competencies[0]
    refused = teacher.post(
        url("cell", hill, s.pk, c.pk), {"value": "", "kind": "summative"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'class="errors" role="alert" tabindex="-1" data-autofocus' in refused
    assert '<h2 tabindex="-1">' in refused  # the heading gives way to the error summary
    saved = teacher.post(
        url("cell", hill, s.pk, c.pk),
        {"value": "3", "demonstrated_on": "2025-10-01", "kind": "summative"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f'id="cell-{s.pk}-{c.pk}" class="cell proficient selected"' in saved
    assert f'href="#cell-{s.pk}-{c.pk}">Back to this cell' in saved
    assert "for 2025-10-01." in saved


def test_not_progressing_has_one_row_per_student_most_stalled_first(teacher, hill):
    s1, s2, _ = hill.students
    today = hill.school.today()
    old = today - dt.timedelta(days=80)
    for c in hill.competencies[:1]:
        assessment_record(
            assessor=hill.teacher, student=s1, competency=c, value=2, demonstrated_on=old
        )
    for c in hill.competencies[:3]:
        assessment_record(
            assessor=hill.teacher, student=s2, competency=c, value=1, demonstrated_on=old
        )
    html = teacher.get(url("support", hill)).content.decode()
    body = html.split('id="stall-h"')[1].split("</table>")[0]
    rows = body.split("<tbody>")[1].split("</tr>")[:-1]
    assert len(rows) == 2  # one per student, not one per target
    assert str(s2) in rows[0] and "<td>3</td>" in rows[0]  # the most stalled first
    assert str(s1) in rows[1] and "<td>1</td>" in rows[1]
    for c in hill.competencies[:3]:
        assert url("cell", hill, s2.pk, c.pk) in rows[0]  # each target opens its cell


def test_sections_show_this_terms_first_and_every_term_on_request(teacher, hill):
    from credo.schools.models import Section, SectionTeacher, Term

    today = hill.school.today()
    now = Term.objects.create(
        school=hill.school,
        name="Now term",
        school_year="2099-00",
        starts_on=today - dt.timedelta(days=10),
        ends_on=today + dt.timedelta(days=60),
    )
    current = Section.objects.create(
        school=hill.school, experience=hill.section.experience, term=now, name="Block N"
    )
    SectionTeacher.objects.create(school=hill.school, section=current, user=hill.teacher)
    hill.section.term.ends_on = today - dt.timedelta(days=30)
    hill.section.term.save()
    html = teacher.get(reverse("web:sections", args=[hill.school.slug])).content.decode()
    assert "Block N" in html and "this term" in html and "Block A" not in html
    assert "?terms=all" in html
    every = teacher.get(reverse("web:sections", args=[hill.school.slug]) + "?terms=all")
    text = every.content.decode()
    assert text.index("Block N") < text.index("Block A")  # newest term first, grouped
    assert text.count('scope="colgroup"') == 2


def test_dates_start_at_the_schools_today(teacher, hill):
    """In a demo school whose records end on a day, new work is dated that day, not the clock's."""
    hill.school.as_of = dt.date(2026, 3, 13)
    hill.school.save(update_fields=["as_of"])
    s, c = hill.students[0], hill.competencies[0]
    for page in (url("cell", hill, s.pk, c.pk), url("class_task", hill), url("habits", hill)):
        html = teacher.get(page).content.decode()
        assert 'value="2026-03-13"' in html, page


def test_n_mastery_shows_what_a_student_has_before_the_level(teacher, hill):
    """Two summative 2s under "2 times at mastery" give no level yet; the gradebook and the groups
    say so in words instead of showing the student as having no work."""
    hill.framework.calculation_method, hill.framework.calculation_param = "n_mastery", 2
    hill.framework.save()
    s, c = hill.students[0], hill.competencies[0]
    for day, value, kind in ((0, 2, "summative"), (1, 3, "formative"), (2, 2, "summative")):
        assessment_record(
            assessor=hill.teacher,
            student=s,
            competency=c,
            value=value,
            kind=kind,
            demonstrated_on=DAY + dt.timedelta(day),
        )
    assert MasteryState.objects.get(student=s, competency=c).score is None
    html = teacher.get(url("section", hill)).content.decode()
    cell = html.split(f'id="cell-{s.pk}-{c.pk}"')[1].split("</td>")[0]
    summary = "2 summative, 0 of the 2 needed at mastery, latest 2, and 1 formative"
    assert cell.startswith(' class="cell pending"')
    assert f"no level yet: {summary}" in cell
    assert '<small class="n" aria-hidden="true">2</small>' in cell  # counted, as the student sees
    assert "formative only" not in cell

    groups = teacher.get(url("differentiate", hill) + f"?competency={c.pk}").context["groups"]
    by_label = {g.label: [st for st, _ in g.students] for g in groups}
    assert s not in by_label["No evidence yet"]
    placed = next(g for g in groups if s in [st for st, _ in g.students])
    assert placed.value == Decimal("2")  # grouped by the latest level
    page = teacher.get(url("differentiate", hill) + f"?competency={c.pk}").content.decode()
    assert summary in page

    opened = teacher.get(url("cell", hill, s.pk, c.pk)).content.decode()
    assert f"No level yet: {summary}." in opened


def _class_post(hill, c, **extra):
    return {
        "competency": c.pk,
        "task": "Lab report 3",
        "demonstrated_on": "2025-10-02",
        "kind": "summative",
        **extra,
    }


def test_set_all_fills_the_blank_levels_for_a_preview_and_saves_nothing(teacher, hill):
    c = hill.competencies[2]
    s1, s2, s3 = hill.students
    response = teacher.post(
        url("class_task", hill),
        _class_post(hill, c, action="set_all", set_all="3", **{f"value-{s2.pk}": "2"}),
    )
    assert response.status_code == 200 and not Assessment.objects.exists()
    values = {r["student"].pk: (r["value"], r["filled"]) for r in response.context["rows"]}
    assert values == {s1.pk: ("3", True), s2.pk: ("2", False), s3.pk: ("3", True)}
    html = response.content.decode()
    assert "Name the task" not in html  # a preview is not a refused save
    assert 'value="Lab report 3"' in html  # what was typed stays


def test_a_pasted_column_fills_the_levels_in_order_or_by_name(teacher, hill):
    c = hill.competencies[2]
    s1, s2, s3 = hill.students
    response = teacher.post(
        url("class_task", hill), _class_post(hill, c, action="paste", paste="3\n\n4\n")
    )
    values = {r["student"].pk: r["value"] for r in response.context["rows"]}
    assert values == {s1.pk: "3", s2.pk: "", s3.pk: "4"}
    assert not Assessment.objects.exists()
    named = f"{s2.given_name} {s2.family_name}\t2\n{s3.family_name}, {s3.given_name}\t9\nNobody\t3"
    response = teacher.post(
        url("class_task", hill), _class_post(hill, c, action="paste", paste=named)
    )
    values = {r["student"].pk: r["value"] for r in response.context["rows"]}
    assert values == {s1.pk: "", s2.pk: "2", s3.pk: ""}
    problems = response.context["paste_problems"]
    assert any("Line 2" in p and "9 is not a level" in p for p in problems)
    assert any("Line 3" in p and "Nobody" in p for p in problems)
    too_many = teacher.post(
        url("class_task", hill), _class_post(hill, c, action="paste", paste="1\n2\n3\n4")
    )
    assert "4 lines were pasted for 3 students" in too_many.content.decode()


def test_whole_class_entry_records_each_students_flags_and_evidence(teacher, hill):
    from credo.evidence.services import evidence_submit

    c = hill.competencies[2]
    s1, s2, s3 = hill.students
    ev = evidence_submit(
        actor=s1.user,
        student=s1,
        kind="text",
        title="Lab write-up",
        body="b",
        demonstrated_on=DAY,
        competencies=[c],
    )
    other = evidence_submit(
        actor=s2.user,
        student=s2,
        kind="text",
        title="Not yours",
        body="b",
        demonstrated_on=DAY,
        competencies=[c],
    )
    page = teacher.get(url("class_task", hill) + f"?competency={c.pk}").content.decode()
    assert "Lab write-up" in page
    # Another student's evidence on a row is refused, and nothing is written.
    bad = teacher.post(
        url("class_task", hill),
        _class_post(hill, c, **{f"value-{s1.pk}": "3", f"ev-{s1.pk}": other.pk}),
    )
    assert bad.status_code == 200 and "own pieces of evidence" in bad.content.decode()
    assert not Assessment.objects.exists()
    response = teacher.post(
        url("class_task", hill),
        _class_post(
            hill,
            c,
            **{
                f"value-{s1.pk}": "3",
                f"ev-{s1.pk}": ev.pk,
                f"acc-{s1.pk}": "on",
                f"value-{s2.pk}": "2",
                f"mod-{s2.pk}": "on",
            },
        ),
    )
    assert response.status_code == 302
    got = {
        a.student_id: (a.evidence_id, a.accommodated, a.modified_scale)
        for a in Assessment.objects.filter(competency=c)
    }
    assert got == {s1.pk: (ev.pk, True, False), s2.pk: (None, False, True)}


def test_a_correction_can_change_the_flags(teacher, hill):
    s, c = hill.students[0], hill.competencies[0]
    a = assessment_record(
        assessor=hill.teacher, student=s, competency=c, value=2, demonstrated_on=DAY
    )
    response = teacher.post(
        url("correct", hill, a.pk),
        {
            "action": "correct",
            "value": "2",
            "demonstrated_on": "2025-10-01",
            "kind": "summative",
            "feedback": "",
            "accommodated": "on",
        },
    )
    assert response.status_code == 302
    new = Assessment.objects.get(replaces=a)
    assert (new.accommodated, new.modified_scale) == (True, False)
    event = AuditEvent.objects.get(action="assessment.corrected", target_id=new.pk)
    assert event.before["accommodated"] is False and event.after["accommodated"] is True


def test_habits_everyone_meets_then_the_exceptions(teacher, hill):
    s1, s2, s3 = hill.students
    h = hill.habit
    response = teacher.post(
        url("habits", hill),
        {
            "action": "meets",
            "demonstrated_on": "2025-10-03",
            "period": "Weekly check-in",
            f"h-{s2.pk}-{h.pk}": "2",
        },
    )
    assert response.status_code == 200 and not Assessment.objects.exists()
    cells = {st.pk: cells[0]["value"] for st, cells in response.context["rows"]}
    assert cells == {s1.pk: "3", s2.pk: "2", s3.pk: "3"}  # the threshold, the exception kept
    assert 'value="2025-10-03"' in response.content.decode()
    filled = teacher.post(
        url("habits", hill),
        {"action": "fill", "demonstrated_on": "2025-10-03", f"all-{h.pk}": "4"},
    )
    assert {st.pk: c[0]["value"] for st, c in filled.context["rows"]} == dict.fromkeys(
        (s1.pk, s2.pk, s3.pk), "4"
    )
    saved = teacher.post(
        url("habits", hill),
        {
            "action": "save",
            "demonstrated_on": "2025-10-03",
            "period": "Weekly check-in",
            **{f"h-{st.pk}-{h.pk}": v for st, v in ((s1, "3"), (s2, "2"), (s3, "3"))},
        },
    )
    assert saved.status_code == 302 and Assessment.objects.filter(competency=h).count() == 3
