"""The teacher's and advisor's reads: gradebook cells, history with corrections, the review queue, advisees."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from credo.mastery import gradebook, selectors, services

DAY = dt.date(2025, 10, 1)


def record(h, student, c, value, day=DAY, **kw):
    return services.assessment_record(
        assessor=h.teacher, student=student, competency=c, value=value, demonstrated_on=day, **kw
    )


def test_cells_carry_trend_and_count(hill):
    s, c = hill.students[0], hill.competencies[0]
    record(hill, s, c, 3)
    record(hill, s, c, 2, day=DAY + dt.timedelta(1))
    record(
        hill, s, c, 4, day=DAY + dt.timedelta(2), kind="formative"
    )  # not counted, so no trend from it
    book = gradebook.section_gradebook(hill.section)
    cell = dict((st.pk, cells) for st, cells in book.rows)[s.pk][0]
    # The count is of the counted assessments (as the student sees it); the formative one is apart.
    assert (cell.score, cell.trend, cell.count, cell.live_count) == (
        Decimal("2.00"),
        "down",
        2,
        3,
    )
    assert cell.summary == "2 summative, latest 2, and 1 formative"
    assert [c.code for c in book.competencies] == [
        "C1",
        "C2",
        "C3",
        "C4",
        "C5",
        "C6",
    ]  # habits stay out


def test_history_explains_corrections_retractions_and_formative_work(hill):
    s, c = hill.students[0], hill.competencies[0]
    a = record(hill, s, c, 1)
    services.assessment_correct(actor=hill.teacher, assessment=a, value=2)
    b = record(hill, s, c, 3, day=DAY + dt.timedelta(3))
    services.assessment_retract(actor=hill.teacher, assessment=b, reason="wrong student")
    record(hill, s, c, 4, day=DAY + dt.timedelta(4), kind="formative")
    history = selectors.competency_history(s, c)
    notes = [r.note for r in history.rows]
    assert notes.count("Replaced by a correction") == 2 and "Counted" in notes
    assert "Formative: feedback only, not counted" in notes
    assert any(n.startswith("Retraction") for n in notes)
    assert history.counted_values == [Decimal("2.00")]
    assert history.steps == ["Latest of 1 assessment(s): 2.", "Score: 2.00."] or history.steps[
        -1
    ].endswith("2.00.")


def test_review_queue_and_advisees(hill):
    from credo.evidence.services import evidence_submit

    me = hill.students[0]
    ev = evidence_submit(
        actor=me.user, student=me, kind="text", title="t", body="b", demonstrated_on=DAY
    )
    review = services.credit_review_request(
        actor=hill.admin,
        student=me,
        credit=hill.credits["advanced"],
        evidence_ids=[ev.pk],
        override_reason="Trying the panel format early.",
    )
    services.credit_review_schedule(actor=hill.admin, review=review, panel_users=[hill.teacher])
    row = selectors.review_queue(hill.school, user=hill.admin).get()
    assert (row.panel_size, row.bundle_size) == (1, 1)
    # the advisor advises `me`, so sees the review; another school's admin does not
    assert selectors.review_queue(hill.school, user=hill.advisor).count() == 1
    lines = selectors.advisee_overview(hill.school, hill.advisor, today=dt.date(2026, 6, 1))
    assert [line.student for line in lines] == sorted(
        hill.students, key=lambda s: (s.family_name, s.given_name, s.pk)
    )
    mine = next(line for line in lines if line.student == me)
    assert (
        mine.open_reviews == 1 and mine.pace.behind
    )  # class of 2027, a year before graduation, nothing earned


def test_a_school_with_an_as_of_date_reads_as_of_that_day(hill):
    """A demo school's records end on a date; stalls and pace are measured from it, not the clock."""
    s1, s2, _ = hill.students
    c = hill.competencies[0]
    as_of = dt.date(2025, 12, 1)
    for student, first, last in ((s1, 2, 2), (s2, 1, 3)):
        record(hill, student, c, first, day=as_of - dt.timedelta(days=80))
        record(hill, student, c, last, day=as_of - dt.timedelta(days=3))
    school = hill.school
    school.as_of = as_of
    school.save(update_fields=["as_of"])
    hill.section.school.refresh_from_db()
    assert school.today() == as_of
    stalls, _ = gradebook.not_progressing(hill.section)
    assert [(st.student, st.competency) for st in stalls] == [(s1, c)]  # s2 gained; s1 did not

    school.as_of = None  # a real school follows the clock
    assert school.today() == timezone.localdate()


def test_advisees_are_flagged_on_this_terms_targets(hill):
    """Stalled targets count for an advisor when they belong to the student's classes this term;
    a student with no class this term is judged on every target not yet mastered."""
    from credo.schools.models import ExperienceAlignment

    me = hill.students[0]
    taught, dropped = hill.competencies[0], hill.competencies[1]
    for c in (taught, dropped):
        record(hill, me, c, 2, day=dt.date(2025, 9, 1))
        record(hill, me, c, 2, day=dt.date(2025, 11, 25))  # worked on lately, no gain
    ExperienceAlignment.objects.filter(competency=dropped).delete()  # no class teaches it this term

    def stalled(today):
        lines = selectors.advisee_overview(hill.school, hill.advisor, today=today)
        return next(line for line in lines if line.student == me).stalls

    assert stalled(dt.date(2025, 12, 1)) == 1  # in the fall term: only the target of a class
    assert stalled(dt.date(2025, 12, 30)) == 2  # no class this term: both count
