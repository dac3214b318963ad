"""The demo schools' educator growth: each school runs the starter educator framework with a coach,
three educators (one a mentored new hire), their evidence, observations with feedback and a
revision, a growth plan, and one micro-credential decided by a panel and issued as the school's
signed Open Badge.

Everything is written through the real services (their checks and audit events included), so it
runs after the demo loader's own transaction has committed. Deterministic: the same people and
dates every time.
"""

from __future__ import annotations

import datetime as dt

from credo.accounts.access import system_actor
from credo.accounts.models import Membership, Role, User
from credo.growth import selectors, services


def _teachers(school) -> list[User]:
    """The school's teachers, the one the demo's sign-in table prints (teacher1@…) first, so that a
    newcomer signing in as that teacher meets a growth record in use."""
    ids = Membership.objects.filter(school=school, role=Role.TEACHER).values("user_id")
    teachers = User.objects.filter(pk__in=ids).order_by("username")
    return sorted(teachers, key=lambda u: u.username != f"teacher1@{school.slug}")


def load_demo_growth(schools) -> int:
    """Give each school its educators' growth; return how many educators were given a record."""
    count = 0
    for school in schools:
        count += _school(school)
    return count


def _school(school) -> int:
    from credo.mastery.models import CreditAward
    from credo.mastery.services import credit_review_decide, credit_review_schedule

    teachers = _teachers(school)
    if len(teachers) < 4:
        return 0
    system = system_actor()
    admin = User.objects.filter(username=f"admin@{school.slug}").first() or system
    first, coach, second, new_hire = teachers[:4]
    services.educator_framework_install(actor=system, school=school)
    comps = {c.code: c for c in selectors.competencies(school)}
    today = school.today()

    def day(n):
        return today - dt.timedelta(days=n)

    educators = [
        services.educator_add(actor=system, school=school, user=first, joined_on=day(900)),
        services.educator_add(actor=system, school=school, user=second, joined_on=day(700)),
        services.educator_add(
            actor=system, school=school, user=new_hire, new_hire=True, joined_on=day(150)
        ),
    ]
    a, b, c = educators
    for e in (a, b):
        services.support_assign(actor=system, educator=e, supporter=coach, kind="coach")
    services.support_assign(actor=system, educator=c, supporter=coach, kind="mentor")

    # A: a lesson plan, an observation with feedback, a revision answering it, a second look.
    services.growth_evidence_add(
        actor=first,
        educator=a,
        kind="text",
        title="Unit plan: targets first, then tasks",
        body="Each lesson names its learning target; the unit ends with a task learners may "
        "attempt twice, the second time after feedback.",
        demonstrated_on=day(70),
        competency_ids=[comps["EP1"].pk],
    )
    services.observation_record(
        actor=coach,
        educator=a,
        observed_on=day(60),
        notes="Clear targets on the board. Learners got written comments on their drafts but "
        "the lesson moved on before anyone used them.",
        ratings={comps["EP1"].pk: 3, comps["EP2"].pk: 2},
        feedback="Keep ten minutes for learners to act on your comments before the next task.",
    )
    feedback = selectors.record(a).feedback[0]
    services.growth_evidence_add(
        actor=first,
        educator=a,
        kind="link",
        title="Recording: the revision workshop",
        url="https://video.example.org/demo/revision-workshop",
        demonstrated_on=day(40),
        competency_ids=[comps["EP2"].pk],
        responds_to_id=feedback.pk,
    )
    services.self_assess(
        actor=first, educator=a, competency_id=comps["EP2"].pk, value=3, on=day(39)
    )
    services.observation_record(
        actor=coach,
        educator=a,
        observed_on=day(30),
        notes="Learners spent the last part of the lesson revising; most drafts improved.",
        ratings={comps["EP2"].pk: 3},
        feedback="That worked: next, let learners choose which comment to act on first.",
    )
    services.plan_save(
        actor=coach,
        educator=a,
        target_ids=[comps["EP3"].pk, comps["EP4"].pk],
        next_steps="Calibrate two sets of ratings with a colleague each month; visit a "
        "colleague's class to see how they build belonging.",
    )

    # B: proficient on feedback, reviewed by a panel for the micro-credential, badge issued.
    services.observation_record(
        actor=coach,
        educator=b,
        observed_on=day(50),
        notes="Every learner revised with a partner using the success criteria.",
        ratings={comps["EP2"].pk: 3, comps["EP4"].pk: 3},
        feedback="Strong routine: share it with the department.",
    )
    credit = next(m for m in selectors.micro_credentials(school) if m.code == "MC-FEEDBACK")
    review = services.microcredential_request(
        actor=second,
        educator=b,
        credit_id=credit.pk,
        statement="Two terms of revision routines, observed and recorded.",
    )
    credit_review_schedule(actor=system, review=review, panel_users=[coach, admin])
    for voter in (coach, admin):
        review.refresh_from_db()
        if review.is_open:
            credit_review_decide(
                review=review,
                decision="award",
                feedback="Clear evidence of feedback that learners act on.",
                actor=voter,
            )
    award = CreditAward.objects.get(student_id=b.learner_id, credit=credit, revoked_at=None)
    services.microcredential_issue(actor=system, educator=b, award_id=award.pk)

    # C: a new hire with a mentor and a first plan.
    services.growth_evidence_add(
        actor=new_hire,
        educator=c,
        kind="text",
        title="Reflection: my first month",
        body="I am still learning the school's scale; rating evidence with my mentor helped.",
        demonstrated_on=day(20),
        competency_ids=[comps["EP3"].pk, comps["EP5"].pk],
    )
    services.plan_save(
        actor=new_hire,
        educator=c,
        target_ids=[comps["EP3"].pk],
        next_steps="Co-rate one set of evidence a week with my mentor.",
    )
    return len(educators)
