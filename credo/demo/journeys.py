"""The demo schools' journeys: a leadership team each, two and a half years of agreed ratings with a
snapshot every term, the members' own current ratings (with a few honest disagreements), action
items and evidence, ending where `credo.demo.content` says each school stands today.

Called by the demo loader inside its own transaction, so it writes rows directly (the services
each open a durable transaction of their own) and records an audit event for every row it writes.
Deterministic for a given seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils import timezone

from credo.accounts.models import Membership, Role
from credo.core.audit import audit_record
from credo.journey.events import (
    JOURNEY_ACTION_CREATED,
    JOURNEY_CONSENSUS_RECORDED,
    JOURNEY_EVIDENCE_ADDED,
    JOURNEY_RATED,
    JOURNEY_SNAPSHOT_TAKEN,
    JOURNEY_STARTED,
    JOURNEY_TEAM_MEMBER_ADDED,
)
from credo.journey.models import (
    ActionStatus,
    EvidenceKind,
    JourneyActionItem,
    JourneyAssessment,
    JourneyConsensus,
    JourneyEvidence,
    JourneyRating,
    JourneySnapshot,
    JourneyTeamMember,
    Status,
    TeamRole,
)
from credo.journey.selectors import competencies_of, count_statuses
from credo.journey.services import journey_template_install, term_label
from credo.schools.models import Term

SNAPSHOTS = 5  # the last five terms that have ended

# One next step per competency, in our own words.
_ACTIONS = {
    "PV1": "Hold a listening evening with families on why the school is changing",
    "PV2": "Draft a policy for moving on when mastery is shown, not when the term ends",
    "PV3": "Review this year's timetable decisions against the equity commitments",
    "PV4": "Bring the student council into next year's vision review",
    "PV5": "Find two community partners with a problem students can work on",
    "GP1": "Check every course outline against the graduate profile",
    "GP2": "Map clubs, trips and internships to the graduate profile",
    "GP3": "Run family focus groups on the vision of success",
    "LM1": "Plan next term's units backward from the mastery credits",
    "LM2": "Give students a choice of how to show each learning target",
    "LM3": "Run a peer-observation cycle on student-designed assessment",
    "LM4": "Agree on three shared teaching practices for next year",
    "LM5": "Launch one community project per grade",
    "LM6": "Collect examples of learning done outside the timetable",
    "AL1": "Set up a weekly flex block for timely support",
    "AL2": "Publish two routes to each foundational credit",
    "AL3": "Replace report-card grades with written feedback in one department",
    "AL4": "Pilot the Mastery Transcript with a group of seniors",
    "AL5": "Teach a peer-feedback protocol in advisory",
    "AL6": "Recruit outside experts for the spring exhibition panels",
    "SU1": "Book the summer institute on the learning model",
    "SU2": "Look at graduates' first year after school with the alumni survey",
    "SU3": "Pair every new teacher with a mentor for the year",
    "SU4": "Schedule the yearly review of grading and promotion policies",
}
_EVIDENCE = {
    "PV": "Case-for-change forum notes",
    "GP": "Graduate profile, current edition",
    "LM": "Pedagogy framework working draft",
    "AL": "Credit and support structures overview",
    "SU": "Professional learning calendar",
}
_NOTES = (
    "Strong in some departments, not yet school-wide.",
    "We saw this in the last round of walkthroughs.",
    "Students described this clearly in the focus groups.",
    "Policy is written; practice is uneven.",
    "Needs evidence beyond our own impressions.",
)


@dataclass(frozen=True)
class Plan:
    """Where a school stands today: codes earned and in progress; the rest are not started."""

    earned: tuple[str, ...]
    in_progress: tuple[str, ...]


def _plans_from_content() -> dict[str, Plan]:
    from credo.demo import content

    return {
        s.slug: Plan(tuple(s.journey.earned), tuple(s.journey.in_progress))
        for s in content.NETWORK.schools
    }


def _positions_from_content() -> dict[str, str]:
    try:
        from credo.demo import content
    except ImportError:  # pragma: no cover - content ships with the demo
        return {}
    titles = {}
    for s in content.NETWORK.schools:
        for staff in (s.admin, s.registrar, *s.teachers, *s.advisors):
            titles[staff.name] = staff.title
    return titles


def _at(day: dt.date, hour: int = 16) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)), dt.UTC)


def _schedule(school, today: dt.date) -> list[tuple[str, dt.date]]:
    """Return (label, date) of the snapshots: the last terms that ended, or every six months."""
    terms = list(Term.objects.filter(school=school, ends_on__lt=today).order_by("ends_on", "id"))[
        -SNAPSHOTS:
    ]
    if len(terms) >= 2:
        return [(term_label(t), t.ends_on) for t in terms]
    days = [today - dt.timedelta(days=182 * (SNAPSHOTS - i)) for i in range(SNAPSHOTS)]
    return [(f"{d:%B} {d.year}", d) for d in days]


def _team(school, positions) -> list[tuple[object, str, str]]:
    """Return (user, team role, position): the admin leads; registrar, two teachers, an advisor."""
    by_role: dict[str, list] = {}
    for m in (
        Membership.objects.filter(
            school=school, role__in=[Role.ADMIN, Role.REGISTRAR, Role.TEACHER, Role.ADVISOR]
        )
        .select_related("user")
        .order_by("id")
    ):
        by_role.setdefault(m.role, []).append(m.user)
    picked, seen = [], set()
    for role, n in ((Role.ADMIN, 1), (Role.REGISTRAR, 1), (Role.TEACHER, 2), (Role.ADVISOR, 1)):
        for user in by_role.get(role, [])[:n]:
            if user.pk not in seen:
                seen.add(user.pk)
                picked.append(user)
    return [
        (u, TeamRole.LEAD if i == 0 else TeamRole.MEMBER, positions.get(str(u), ""))
        for i, u in enumerate(picked)
    ]


def load_demo_journeys(
    schools: Sequence,
    network=None,
    *,
    plans: Mapping[str, Plan] | None = None,
    today: dt.date | None = None,
    seed: int = 2026,
) -> dict[str, dict]:
    """Give each demo school its journey; return per school slug what was made.

    `plans` maps school slug to where it stands today (default: `credo.demo.content`); `today` is the
    demo's date (default: `content.DEMO_TODAY`). Schools without a plan are skipped.
    """
    if plans is None:
        plans = _plans_from_content()
    if today is None:
        from credo.demo.content import DEMO_TODAY

        today = DEMO_TODAY
    positions = _positions_from_content()
    framework = journey_template_install()
    comps = competencies_of(framework)
    made = {}
    for school in schools:
        if network is not None and school.network_id != network.pk:
            continue
        plan = plans.get(school.slug)
        if plan is None:
            continue
        made[school.slug] = _load_school(
            school,
            framework,
            comps,
            plan,
            today,
            positions,
            random.Random(f"{seed}:journey:{school.slug}"),
        )
    return made


def _load_school(
    school, framework, comps, plan: Plan, today, positions, rng: random.Random
) -> dict:
    schedule = _schedule(school, today)
    n = len(schedule)
    team = _team(school, positions)
    if not team:
        return {}
    lead = team[0][0]
    started = schedule[0][1] - dt.timedelta(days=60)

    assessment = JourneyAssessment.objects.create(
        school=school, framework=framework, started_by=lead
    )
    JourneyAssessment.objects.filter(pk=assessment.pk).update(started_at=_at(started, 9))
    audit_record(
        actor=lead,
        school=school,
        action=JOURNEY_STARTED,
        target=assessment,
        after={"framework": framework.pk, "version": framework.version},
    )
    for user, role, position in team:
        seat = JourneyTeamMember.objects.create(
            school=school, user=user, role=role, position=position, added_by=lead
        )
        audit_record(
            actor=lead,
            school=school,
            action=JOURNEY_TEAM_MEMBER_ADDED,
            target=seat,
            after={"user": user.pk, "role": role, "position": position},
        )

    # When each competency started and was earned, as an index into the schedule (n = since the last
    # snapshot). At most two codes are earned after the last snapshot, so "since then" says something.
    final = {c.code: Status.NOT_STARTED for c in comps}
    final.update({code: Status.IN_PROGRESS for code in plan.in_progress})
    final.update({code: Status.EARNED for code in plan.earned})
    timeline: dict[str, list[str]] = {}
    late = 0
    for c in comps:
        goal = final[c.code]
        steps = [Status.NOT_STARTED] * (n + 1)
        if goal == Status.EARNED:
            earned_at = rng.randint(0, n - 1)
            if rng.random() < 0.25 and late < 2:
                earned_at, late = n, late + 1
            begun_at = rng.randint(max(0, earned_at - 3), earned_at)
            steps = [
                Status.EARNED
                if k >= earned_at
                else Status.IN_PROGRESS
                if k >= begun_at
                else Status.NOT_STARTED
                for k in range(n + 1)
            ]
        elif goal == Status.IN_PROGRESS:
            begun_at = rng.randint(0, n)
            steps = [
                Status.IN_PROGRESS if k >= begun_at else Status.NOT_STARTED for k in range(n + 1)
            ]
        timeline[c.code] = steps

    decision_days = [d - dt.timedelta(days=4) for _, d in schedule] + [today - dt.timedelta(days=6)]
    previous: dict[str, JourneyConsensus] = {}
    decisions = 0
    for k in range(n + 1):
        for c in comps:
            status = timeline[c.code][k]
            before = previous.get(c.code)
            # The first review records a rating for every competency, not started included.
            if before is not None and before.status == status:
                continue
            note = rng.choice(_NOTES) if status == Status.EARNED and rng.random() < 0.4 else ""
            decision = JourneyConsensus.objects.create(
                school=school,
                assessment=assessment,
                competency=c,
                status=status,
                note=note,
                decided_by=lead,
                decided_at=_at(decision_days[k], 15),
                replaces=before,
            )
            audit_record(
                actor=lead,
                school=school,
                action=JOURNEY_CONSENSUS_RECORDED,
                target=decision,
                before={"status": before.status} if before else None,
                after={"competency": c.code, "status": status, "note": note},
            )
            previous[c.code] = decision
            decisions += 1
        if k < n:
            statuses = {c.code: timeline[c.code][k] for c in comps}
            label, day = schedule[k]
            shot = JourneySnapshot.objects.create(
                school=school,
                assessment=assessment,
                label=label,
                statuses=statuses,
                counts=count_statuses(comps, statuses),
                taken_at=_at(day, 17),
                taken_by=lead,
                note="End-of-term review by the leadership team.",
            )
            audit_record(
                actor=lead,
                school=school,
                action=JOURNEY_SNAPSHOT_TAKEN,
                target=shot,
                after={"label": label, "counts": shot.counts},
            )

    # Each member's own current rating: mostly what the team agreed, one step off here and there.
    order = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.EARNED]
    disagreements: set[str] = set()
    for index, (user, _role, _position) in enumerate(team):
        partial = (
            index == len(team) - 1 and len(team) > 2
        )  # the newest member has not rated everything
        for c in comps:
            if partial and rng.random() < 0.35:
                continue
            status = final[c.code]
            if index > 0 and rng.random() < 0.05:
                i = order.index(status)
                status = (
                    order[i + 1]
                    if i == 0
                    else order[i - 1]
                    if i == 2
                    else order[rng.choice((0, 2))]
                )
                disagreements.add(c.code)
            rating = JourneyRating.objects.create(
                school=school,
                assessment=assessment,
                competency=c,
                rater=user,
                status=status,
                note=rng.choice(_NOTES) if rng.random() < 0.2 else "",
                rated_at=_at(today - dt.timedelta(days=rng.randint(2, 12)), rng.randint(8, 18)),
            )
            audit_record(
                actor=user,
                school=school,
                action=JOURNEY_RATED,
                target=rating,
                after={"competency": c.code, "status": status},
            )

    # Action items on what is under way, foundational first.
    by_code = {c.code: c for c in comps}
    under_way = sorted(
        plan.in_progress, key=lambda code: (by_code[code].level != "foundational", code)
    )[:5]
    states = [
        ActionStatus.DOING,
        ActionStatus.OPEN,
        ActionStatus.DONE,
        ActionStatus.DOING,
        ActionStatus.OPEN,
    ]
    for i, code in enumerate(under_way):
        owner = team[i % len(team)][0]
        status = states[i]
        item = JourneyActionItem.objects.create(
            school=school,
            assessment=assessment,
            competency=by_code[code],
            title=_ACTIONS.get(code, f"Plan the next step on {code}"),
            owner=owner,
            due_on=today + dt.timedelta(days=(-10 if i == 1 else 21 * (i + 1))),
            status=status,
            created_by=lead,
            completed_at=_at(today - dt.timedelta(days=3)) if status == ActionStatus.DONE else None,
        )
        audit_record(
            actor=lead,
            school=school,
            action=JOURNEY_ACTION_CREATED,
            target=item,
            after={"competency": code, "title": item.title, "owner_id": owner.pk, "status": status},
        )

    # Evidence for a few of what has been earned.
    for code in plan.earned[:3]:
        ev = JourneyEvidence.objects.create(
            school=school,
            assessment=assessment,
            competency=by_code[code],
            kind=EvidenceKind.LINK,
            title=_EVIDENCE[code[:2]],
            url=f"https://{school.slug}.example.org/journey/{code.lower()}",
            added_by=lead,
        )
        audit_record(
            actor=lead,
            school=school,
            action=JOURNEY_EVIDENCE_ADDED,
            target=ev,
            after={"competency": code, "kind": "link", "url": ev.url},
        )

    return {
        "team": len(team),
        "snapshots": n,
        "decisions": decisions,
        "earned": len(plan.earned),
        "in_progress": len(plan.in_progress),
        "disagreements": len(disagreements),
    }
